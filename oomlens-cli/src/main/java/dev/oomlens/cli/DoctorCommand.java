package dev.oomlens.cli;

import dev.oomlens.agent.History;
import dev.oomlens.agent.HistorySeries;
import dev.oomlens.agent.HistorySource;
import dev.oomlens.core.diagnosis.Diagnosis;
import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.core.model.Input;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.source.EvidenceSource;
import dev.oomlens.core.source.KernelLogFile;
import dev.oomlens.host.LiveLog;
import dev.oomlens.host.logs.RootLogs;
import dev.oomlens.host.paths.HostPaths;
import dev.oomlens.host.source.HostTree;
import dev.oomlens.host.source.LiveKernelLog;
import dev.oomlens.host.source.LiveKillerLog;
import dev.oomlens.host.source.RootLogSource;
import dev.oomlens.k8s.ClusterPodNames;
import dev.oomlens.report.text.Units;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code oomlens doctor}: explains the OOM kills on this machine (or a saved or mounted one): its
 * kernel log, its memory cgroups, PSI and /proc, the findings and the fixes.
 */
@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Explains the OOM kills on this machine since boot: what was killed, where the memory ran"
          + " out, why, and what to change at which layer; then the reports and the host's"
          + " memory as it is now (meminfo, swap, zram, PSI, memory cgroups).",
      "Reads the kernel log from /dev/kmsg, or from the systemd journal when /dev/kmsg cannot be"
          + " read, and the journal's records of userspace OOM killers (systemd-oomd, earlyoom,"
          + " nohang, kubelet evictions, systemd's unit results); --kernel-log reads saved logs"
          + " instead. --path.* read a host mounted elsewhere or saved by 'oomlens snapshot'.",
      "With --path.rootfs DIR the logs are DIR's own, never this machine's: a snapshot's"
          + " kernel.log and killers.log; else DIR/var/log/kern.log, messages or syslog with their"
          + " rotations (every boot they hold); else DIR's journal (journalctl -D, its last boot)."
          + " When DIR runs on this very kernel (a pod mounting its node), /dev/kmsg is DIR's and"
          + " is read first.",
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      ExitCodes.OK_HELP,
      ExitCodes.FINDINGS_HELP,
      ExitCodes.USAGE_HELP,
      ExitCodes.INPUT_HELP,
      ExitCodes.INTERNAL_HELP
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  sudo oomlens doctor",
      "  oomlens doctor --kernel-log /var/log/kern.log --format json",
      "  oomlens doctor --path.rootfs /host --fail-on high",
      "  oomlens doctor --path.rootfs snap",
      "  oomlens doctor --db /var/lib/oomlens/oomlens.db",
      "  oomlens doctor --prometheus http://prometheus:9090 --since 2d",
    })
final class DoctorCommand implements Callable<Integer> {
  /** How far back /dev/kmsg reaches. */
  static final String KMSG_SPAN = "this boot, as far back as the kernel's ring buffer goes";

  /** How far back the journal's kernel messages and killers' records reach. */
  static final String JOURNAL_SPAN = "this boot";

  @ParentCommand OomlensCommand root;

  @Spec CommandSpec spec;

  @Option(
      names = "--kernel-log",
      paramLabel = "FILE",
      arity = "1..*",
      description =
          "Read these saved kernel logs instead of this machine's ('-' for standard"
              + " input; gzip files are decompressed). Records of userspace killers (systemd-oomd,"
              + " earlyoom, nohang, kubelet evictions) in them are read too.")
  List<String> kernelLogs = new ArrayList<>();

  @Option(
      names = "--db",
      paramLabel = "FILE",
      description =
          "Also read the kills 'oomlens watch' recorded in this history: those of"
              + " earlier boots, and this boot's that the kernel's ring buffer no longer holds;"
              + " and the memory it sampled of each cgroup over --since..--until (default: the"
              + " last 7 days), judged as series."
              + " Default: the agent's default history, when it exists.")
  Path db;

  @Mixin HostOptions host;

  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      description =
          "Name each kill's pod and"
              + " container from this cluster (it lists pods, nothing more). Default: when $KUBECONFIG,"
              + " ~/.kube/config or a pod's service account is there, that cluster.")
  Path kubeconfig;

  @Option(
      names = "--context",
      paramLabel = "NAME",
      description = "The kubeconfig context that names the pods.")
  String context;

  @Option(names = "--no-cluster", description = "Do not ask a cluster for pod names.")
  boolean noCluster;

  @Mixin SeriesOptions series;

  @Mixin DiagnosisOptions diagnosis;

  @Mixin DateOptions dates;

  @Mixin OutputOptions output;

  @Override
  public Integer call() {
    output
        .conflict()
        .ifPresent(
            c -> {
              throw new ParameterException(spec.commandLine(), c);
            });
    Environment env = root.environment();
    ReaderOptions options = dates.readerOptions(env.clock());
    PrintWriter err = spec.commandLine().getErr();
    HostPaths paths = host.paths(env.host());
    List<EvidenceSource> sources = new ArrayList<>();
    // Under --debug each source says how long it took: what to make cheaper, or parallel.
    BiConsumer<String, EvidenceSource> add =
        (label, source) -> sources.add(root.debug() ? new TimedSource(label, source, err) : source);
    if (!kernelLogs.isEmpty()) {
      Stdin.sayWaitingIfTerminal(kernelLogs, env, err);
      kernelLogs.forEach(
          f -> add.accept("kernel log " + f, new KernelLogFile(f, options, env.stdin())));
    } else if (host.rootfs != null) {
      // Another host's root: its own logs, never this machine's.
      add.accept(
          "logs under " + host.rootfs,
          new RootLogSource(RootLogs.find(paths, env.host(), env.kmsg()), options));
    } else {
      add.accept(
          "kernel log (/dev/kmsg, else the journal)",
          new LiveKernelLog(
              List.of(
                  new LiveKernelLog.Candidate(env.kmsg(), KMSG_SPAN),
                  new LiveKernelLog.Candidate(env.journal(), JOURNAL_SPAN)),
              options));
      add.accept(
          "userspace killers' records (journal)",
          new LiveKillerLog(env.killers(), Optional.of(JOURNAL_SPAN), options));
    }
    Optional<History> history = history(paths, env, options, sources);
    // The memory the agent recorded of each cgroup: the shape rules judge it without Prometheus.
    history.ifPresent(
        h -> {
          Instant to =
              diagnosis.until == null
                  ? env.clock().instant()
                  : diagnosis.until.resolve(env.clock());
          Instant from =
              diagnosis.since == null
                  ? to.minus(SeriesOptions.DEFAULT_WINDOW)
                  : diagnosis.since.resolve(env.clock());
          add.accept("agent history samples", new HistorySeries(h, from, to));
        });
    HostTree tree = new HostTree(paths, host.vmMemory());
    add.accept("host " + tree.name() + " (meminfo, PSI, cgroups, processes)", tree);
    if (!noCluster
        && (kubeconfig != null || context != null || env.clusterAtHand().getAsBoolean())) {
      add.accept(
          "pod names (the cluster at hand)",
          new ClusterPodNames(
              K8sCommand.client(kubeconfig, context), K8sCommand.clusterName(kubeconfig, context)));
    }
    try {
      for (EvidenceSource s :
          series.sources(
              Optional.ofNullable(diagnosis.since).map(t -> t.resolve(env.clock())),
              diagnosis.until == null
                  ? env.clock().instant()
                  : diagnosis.until.resolve(env.clock()),
              env.clock(),
              true)) {
        add.accept("series " + s.getClass().getSimpleName(), s);
      }
    } catch (IOException e) {
      throw new ParameterException(
          spec.commandLine(),
          "cannot read the credentials: " + dev.oomlens.core.source.IoReasons.of(e));
    }
    // /dev/kmsg times are seconds since boot: this machine's uptime places them in --since.
    Optional<Instant> boot =
        kernelLogs.isEmpty() && !host.anyPath() ? bootTime(paths, env.clock()) : Optional.empty();
    Diagnosis d;
    long cpu = TimedSource.processCpuNanos();
    long wall = System.nanoTime();
    try {
      d = diagnosis.run(List.of(new ParallelSources(sources)), env.clock(), boot);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    } finally {
      history.ifPresent(History::close);
    }
    if (root.debug()) {
      TimedSource.say(
          err,
          "read and diagnosed, all sources and rules",
          System.nanoTime() - wall,
          TimedSource.processCpuNanos() - cpu);
    }
    Set<Input> told = new HashSet<>();
    if (kernelLogs.isEmpty() && host.rootfs == null && !d.evidence().kernelLogWhole()) {
      err.println("oomlens: no kernel log of this machine can be read:");
      for (Input i : d.evidence().inputs(Input.Kind.KERNEL_LOG)) {
        i.whyNotWholeNamed().ifPresent(w -> err.println("  " + w));
        told.add(i);
      }
      err.println(
          "Run oomlens as root (reading /dev/kmsg needs CAP_SYSLOG when"
              + " kernel.dmesg_restrict=1; the journal needs the systemd-journal or adm group),"
              + " or read a saved log: oomlens doctor --kernel-log /var/log/kern.log");
    }
    String header =
        header(paths, d.evidence().host(), d.evidence().reports()) + "\nRead: " + read(d);
    int code =
        RunOutcome.finish(
            d, Optional.of(header), output, diagnosis, spec.commandLine().getOut(), err, told);
    if (d.evidence().host().map(h -> h.meminfo().isEmpty()).orElse(false) && host.anyPath()) {
      err.println("oomlens: is --path.procfs or --path.rootfs right?");
      err.flush();
    }
    return code;
  }

  /*
   * The agent's history and the live log overlap: this boot's kills are in both while the ring
   * buffer still holds them. A stored kill of this boot is read from the history only when its
   * kill line is older than the oldest record the ring buffer still holds; when /dev/kmsg cannot
   * be read, the journal (which keeps the whole boot) has them, and none of this boot's is.
   */
  private Optional<History> history(
      HostPaths paths, Environment env, ReaderOptions options, List<EvidenceSource> sources) {
    Path file = db;
    if (file == null) {
      if (!kernelLogs.isEmpty()
          || host.anyPath()
          || env.history().isEmpty()
          || !Files.isRegularFile(env.history().get())) {
        return Optional.empty();
      }
      file = env.history().get();
    }
    Optional<History> opened = openHistory(file, env, sources);
    if (opened.isEmpty()) {
      return Optional.empty();
    }
    History h = opened.get();
    boolean live = kernelLogs.isEmpty() && host.rootfs == null;
    String thisBoot = live ? bootId(paths) : "";
    long oldestInRing = live ? oldestSequence(env) : Long.MIN_VALUE;
    // The journal's boot ids are the same without their dashes; doctor reads this boot's
    // userspace killers from the journal itself.
    String thisJournalBoot = thisBoot.replace("-", "");
    sources.add(
        new HistorySource(
            h,
            options,
            k -> !k.bootId().equals(thisBoot) || k.killSeq() < oldestInRing,
            u -> !live || !u.bootId().equals(thisJournalBoot)));
    return Optional.of(h);
  }

  /**
   * The agent's history at {@code file}, opened to read; when it cannot be, an input that says why
   * is added to {@code sources} (so the run exits 3 naming the file) and empty is returned.
   */
  static Optional<History> openHistory(Path file, Environment env, List<EvidenceSource> sources) {
    try {
      return Optional.of(History.openToRead(file, env.clock()));
    } catch (History.HistoryException e) {
      String name = file.toString();
      sources.add(
          b ->
              b.input(
                  new Input(
                      name,
                      Input.Kind.KERNEL_LOG,
                      0,
                      List.of(
                          new dev.oomlens.core.model.Problem(
                              name,
                              0,
                              e.getMessage(),
                              dev.oomlens.core.model.Problem.Kind.UNREADABLE)))));
      return Optional.empty();
    }
  }

  private static String bootId(HostPaths paths) {
    return read(paths.proc().resolve("sys/kernel/random/boot_id")).orElse("");
  }

  /** The sequence number of the oldest record /dev/kmsg holds; MIN_VALUE when unreadable. */
  private static long oldestSequence(Environment env) {
    try (LiveLog log = env.kmsg().get()) {
      byte[] head = new byte[64];
      int n = log.stream().readNBytes(head, 0, head.length);
      String[] f = new String(head, 0, n, StandardCharsets.US_ASCII).split("[,;]", 3);
      return f.length >= 2 ? Long.parseLong(f[1]) : Long.MIN_VALUE;
    } catch (IOException | RuntimeException e) {
      return Long.MIN_VALUE;
    }
  }

  /**
   * {@code kernel log /dev/kmsg; journalctl -b (OOM killers); host /proc, /sys}: what was read, and
   * what could not be.
   */
  private static String read(Diagnosis d) {
    List<String> parts = new ArrayList<>();
    List<Input> logs = d.evidence().inputs(Input.Kind.KERNEL_LOG);
    parts.add(
        "kernel log "
            + (logs.stream().noneMatch(Input::isWhole)
                ? "(none could be read)"
                : logs.stream()
                    .filter(Input::isWhole)
                    .map(Input::name)
                    .collect(Collectors.joining(", "))));
    for (Input i : d.evidence().inputs(Input.Kind.KILLER_LOG)) {
      parts.add(i.name() + (i.isWhole() ? "" : " (could not be read)"));
    }
    for (Input i : d.evidence().inputs(Input.Kind.HOST)) {
      parts.add("host " + i.name() + (i.isWhole() ? "" : " (could not be read)"));
    }
    for (Input i : d.evidence().inputs(Input.Kind.SERIES)) {
      parts.add("series " + i.name() + (i.isWhole() ? "" : " (could not be read)"));
    }
    for (Input i : d.evidence().inputs(Input.Kind.CLUSTER)) {
      parts.add("pod names of " + i.name() + (i.spoiled().isEmpty() ? "" : " (could not be read)"));
    }
    return String.join("; ", parts);
  }

  /**
   * {@code oomlens doctor: <hostname>, kernel <release>, up <uptime>}: from the host's files, or,
   * where they are missing (a partial snapshot), from the first report that names them.
   */
  static String header(HostPaths paths, Optional<HostSnapshot> snapshot, List<OomReport> reports) {
    String host =
        snapshot
            .flatMap(HostSnapshot::hostname)
            .or(() -> reports.stream().flatMap(r -> r.host().stream()).findFirst())
            .orElse("(hostname unknown)");
    String kernel =
        snapshot
            .flatMap(HostSnapshot::kernelRelease)
            .or(() -> reports.stream().flatMap(r -> r.kernel().stream()).findFirst())
            .orElse("(unknown)");
    String up =
        read(paths.proc().resolve("uptime"))
            .map(u -> u.split("\\s+")[0])
            .flatMap(DoctorCommand::seconds)
            .map(Units::duration)
            .orElse("(unknown)");
    return "oomlens doctor: " + host + ", kernel " + kernel + ", up " + up;
  }

  /** When the host booted: now minus its /proc/uptime. */
  static Optional<Instant> bootTime(HostPaths paths, Clock clock) {
    return read(paths.proc().resolve("uptime"))
        .map(u -> u.split("\\s+")[0])
        .flatMap(DoctorCommand::seconds)
        .map(s -> clock.instant().minusMillis((long) (s * 1000)));
  }

  private static Optional<String> read(Path file) {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8).strip();
      return text.isEmpty() ? Optional.empty() : Optional.of(text);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Optional<Double> seconds(String text) {
    try {
      return Optional.of(Double.parseDouble(text));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
