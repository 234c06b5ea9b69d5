package dev.oomlens.cli;

import dev.oomlens.agent.Agent;
import dev.oomlens.agent.History;
import dev.oomlens.agent.Warnings;
import dev.oomlens.host.kmsg.KmsgReader;
import dev.oomlens.host.paths.HostPaths;
import dev.oomlens.report.escape.EscapingWriter;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code oomlens watch}: the node agent. Follows the kernel log, diagnoses and stores every OOM
 * kill, warns before the next one, serves Prometheus metrics; runs until Ctrl-C or SIGTERM.
 */
@Command(
    name = "watch",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "The node agent: follows /dev/kmsg (else journalctl -k -f) and diagnoses every OOM kill as it happens (the same"
          + " diagnosis as doctor), stores it in an SQLite history before it is counted on"
          + " /metrics, samples PSI, meminfo, swap and every memory cgroup with a limit (v1 and"
          + " v2) every --interval, and warns before the next kill: TIME-TO-LIMIT,"
          + " MEMORY-PRESSURE, SWAP-FILLING, LOW-MEMORY, HIGH-THROTTLE. Kills by systemd-oomd,"
          + " earlyoom and nohang are read from the journal (journalctl -b -f) and stored with"
          + " the verdict userspace.",
      "A restart resumes after the last record it stored (same boot): nothing twice, nothing"
          + " missed that the kernel's ring buffer still holds. Stop it with Ctrl-C.",
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:stopped (Ctrl-C, SIGTERM)",
      ExitCodes.USAGE_HELP,
      "3:neither /dev/kmsg nor the journal can be followed, or the log failed",
      ExitCodes.INTERNAL_HELP
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  sudo oomlens watch",
      "  sudo oomlens watch --db /tmp/oomlens.db --listen 127.0.0.1:9717 --interval 5s",
      "  curl -s 127.0.0.1:9717/metrics | grep oomlens_",
      "  oomlens history --since 1h",
    })
final class WatchCommand implements Callable<Integer> {
  @ParentCommand OomlensCommand root;

  @Spec CommandSpec spec;

  @Option(
      names = "--db",
      paramLabel = "FILE",
      description =
          "The history file. Default: /var/lib/oomlens/oomlens.db as root, else"
              + " oomlens/oomlens.db under $XDG_DATA_HOME or ~/.local/share.")
  Path db;

  @Option(
      names = "--listen",
      paramLabel = "HOST:PORT",
      defaultValue = "127.0.0.1:9717",
      converter = ListenConverter.class,
      description =
          "Where /metrics is served; 0.0.0.0:9717 for every interface, 'none' for no"
              + " endpoint. Default: ${DEFAULT-VALUE}.")
  InetSocketAddress listen;

  @Option(
      names = "--interval",
      paramLabel = "DURATION",
      defaultValue = "5s",
      converter = DurationConverter.class,
      description = "How often memory and pressure are sampled. Default: ${DEFAULT-VALUE}.")
  Duration interval;

  @Option(
      names = "--retention",
      paramLabel = "DURATION",
      defaultValue = "30d",
      converter = DurationConverter.class,
      description =
          "How long the history keeps kills, warnings and series." + " Default: ${DEFAULT-VALUE}.")
  Duration retention;

  @Option(
      names = "--max-db-size",
      paramLabel = "SIZE",
      defaultValue = "256Mi",
      converter = SizeConverter.class,
      description =
          "Past this size the history's oldest series, then kills, go ("
              + SizeConverter.HELP
              + "). Default: ${DEFAULT-VALUE}.")
  Long maxDbBytes;

  @Option(
      names = "--warn-within",
      paramLabel = "DURATION",
      defaultValue = "30m",
      converter = DurationConverter.class,
      description =
          "TIME-TO-LIMIT warns when a cgroup's trend reaches its limit within this."
              + " Default: ${DEFAULT-VALUE}.")
  Duration horizon;

  @Option(
      names = "--pressure-limit",
      paramLabel = "PERCENT",
      defaultValue = "60",
      description =
          "MEMORY-PRESSURE: PSI full avg10 at or above this (systemd-oomd's default)."
              + " Default: ${DEFAULT-VALUE}.")
  double pressureLimit;

  @Option(
      names = "--pressure-duration",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "...for at least this long. Default: ${DEFAULT-VALUE}.")
  Duration pressureDuration;

  @Option(
      names = "--swap-limit",
      paramLabel = "PERCENT",
      defaultValue = "90",
      description = "SWAP-FILLING: swap used at or above this. Default: ${DEFAULT-VALUE}.")
  double swapLimit;

  @Option(
      names = "--kubernetes",
      description =
          "Name each kill after its pod (namespace, pod, container, from the pod UID"
              + " and container ID in the cgroup path) and post a Kubernetes Event on the pod:"
              + " OOMKillLimit, OOMKillNode, OOMKillDegraded. Uses the in-cluster service account"
              + " (else the kubeconfig) and watches the pods of --node-name.")
  boolean kubernetes;

  @Option(
      names = "--node-name",
      paramLabel = "NAME",
      description =
          "This node's name for --kubernetes. Default: $NODE_NAME (the chart sets it"
              + " from spec.nodeName).")
  String nodeName;

  @Option(
      names = "--path.procfs",
      paramLabel = "DIR",
      description = "procfs mountpoint. Default: /proc, or proc under --path.rootfs.")
  Path procfs;

  @Option(
      names = "--path.sysfs",
      paramLabel = "DIR",
      description = "sysfs mountpoint. Default: /sys, or sys under --path.rootfs.")
  Path sysfs;

  @Option(
      names = "--path.rootfs",
      paramLabel = "DIR",
      description =
          "Root of the host's file system, as a DaemonSet mounts it (/host); the host's"
              + " journal is read under it. /dev/kmsg is read where it is: mount the host's.")
  Path rootfs;

  @Override
  public Integer call() {
    PrintWriter out = EscapingWriter.wrap(spec.commandLine().getOut());
    PrintWriter err = spec.commandLine().getErr();
    Optional<String> node = Optional.empty();
    if (kubernetes) {
      String name = nodeName != null ? nodeName : System.getenv("NODE_NAME");
      if (name == null || name.isBlank()) {
        throw new ParameterException(
            spec.commandLine(),
            "--kubernetes needs this node's name:"
                + " --node-name NAME, or NODE_NAME in the environment");
      }
      node = Optional.of(name);
    }
    Agent agent =
        new Agent(
            new Agent.Options(
                db != null ? db : History.defaultFile(),
                listen.isUnresolved() ? Optional.empty() : Optional.of(listen),
                interval,
                paths(),
                KmsgReader.DEVICE,
                retention,
                maxDbBytes,
                new Warnings.Thresholds(
                    horizon,
                    Warnings.Thresholds.DEFAULTS.window(),
                    pressureLimit,
                    pressureDuration,
                    swapLimit,
                    Warnings.Thresholds.DEFAULTS.watermarkFactor()),
                node),
            root.environment().clock(),
            out);
    try {
      agent.start();
    } catch (Agent.StartException e) {
      err.println("oomlens watch: " + e.getMessage());
      err.flush();
      return ExitCodes.INPUT;
    }
    Thread stop = new Thread(agent::close, "oomlens-stop");
    Runtime.getRuntime().addShutdownHook(stop);
    boolean ok = agent.run();
    agent.close();
    return ok ? ExitCodes.OK : ExitCodes.INPUT;
  }

  private HostPaths paths() {
    if (procfs == null && sysfs == null && rootfs == null) {
      return root.environment().host();
    }
    return HostPaths.fromFlags(
        Optional.ofNullable(procfs), Optional.ofNullable(sysfs), Optional.ofNullable(rootfs));
  }

  /** {@code HOST:PORT}, {@code [v6]:PORT}, or {@code none}. */
  static final class ListenConverter implements ITypeConverter<InetSocketAddress> {
    /** What {@code none} converts to: no address is unresolved otherwise. */
    static final InetSocketAddress NONE = InetSocketAddress.createUnresolved("none", 0);

    private static final Pattern HOST_PORT = Pattern.compile("(\\[[^]]+]|[^:]+):(\\d{1,5})");

    @Override
    public InetSocketAddress convert(String value) {
      if (value.equals("none")) {
        return NONE;
      }
      Matcher m = HOST_PORT.matcher(value);
      int port = m.matches() ? Integer.parseInt(m.group(2)) : -1;
      if (port < 0 || port > 65535) {
        throw new BadValue(
            "'" + value + "' is not HOST:PORT (127.0.0.1:9717, [::1]:9717) or" + " none");
      }
      String h =
          m.group(1).startsWith("[")
              ? m.group(1).substring(1, m.group(1).length() - 1)
              : m.group(1);
      if (!h.matches("[0-9.]+|[0-9a-fA-F:]+|localhost")) {
        throw new BadValue(
            "'" + h + "' is not an IP address; give one (names are not looked" + " up)");
      }
      try {
        return new InetSocketAddress(InetAddress.getByName(h), port);
      } catch (UnknownHostException e) {
        throw new BadValue("'" + h + "' is not an IP address");
      }
    }
  }

  /** {@code 500ms}, {@code 5s}, {@code 10m}, {@code 6h}, {@code 30d}. */
  static final class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern D = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

    @Override
    public Duration convert(String value) {
      Matcher m = D.matcher(value.strip());
      if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
        throw new BadValue(
            "'" + value + "' is not a positive duration (500ms, 5s, 10m, 6h," + " 30d)");
      }
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
  }
}
