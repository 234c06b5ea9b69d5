package dev.oomlens.cli;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The {@code oomlens} root command: holds the subcommands and the options they all share. */
@Command(
    name = "oomlens",
    mixinStandardHelpOptions = true,
    versionProvider = OomlensCommand.Version.class,
    description =
        "Explains Linux and Kubernetes OOM kills: what was killed, where the memory ran"
            + " out, and why.",
    exitCodeOnExecutionException = ExitCodes.INTERNAL,
    exitCodeOnInvalidInput = ExitCodes.USAGE,
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
      "  oomlens doctor                     OOM kills on this machine since boot",
      "  oomlens diagnose /var/log/kern.log OOM kills in a saved kernel log",
      "  journalctl -k | oomlens diagnose - read standard input",
      "  oomlens snapshot DIR               save this machine's evidence to diagnose elsewhere",
      "  sudo oomlens watch                 the node agent: live kills, warnings, /metrics",
      "  oomlens history --since 24h        what the agent recorded",
    })
public final class OomlensCommand implements Callable<Integer> {
  /**
   * The subcommands by name, in the order {@code --help} lists them. Registered by {@link
   * Main#commandLine(OomlensCommand, String...)} rather than in {@code @Command}: picocli builds a
   * command's model by reflection, interpreted on a cold JVM, and the whole tree cost about three
   * quarters of a small diagnosis's CPU while a run needs one branch of it. {@code help} is absent:
   * it needs the whole tree, and so does any argument list not led by one of these names.
   */
  static final Map<String, Class<?>> SUBCOMMANDS = subcommands();

  private static Map<String, Class<?>> subcommands() {
    Map<String, Class<?>> m = new LinkedHashMap<>();
    m.put("doctor", DoctorCommand.class);
    m.put("diagnose", DiagnoseCommand.class);
    m.put("k8s", K8sCommand.class);
    m.put("snapshot", SnapshotCommand.class);
    m.put("watch", WatchCommand.class);
    m.put("history", HistoryCommand.class);
    m.put("size", SizeCommand.class);
    m.put("verify", VerifyCommand.class);
    m.put("kubevirt", KubevirtCommand.class);
    m.put("jvm", JvmCommand.class);
    return Collections.unmodifiableMap(m);
  }

  private final Environment environment;

  @Spec CommandSpec spec;

  @Option(
      names = "--debug",
      scope = ScopeType.INHERIT,
      description =
          "Print stack traces of internal errors; doctor also says how long each"
              + " source took to read (wall and CPU time).")
  boolean debug;

  /** The command as run from the jar, on this machine. */
  public OomlensCommand() {
    this(Environment.system());
  }

  OomlensCommand(Environment environment) {
    this.environment = requireNonNull(environment, "environment");
  }

  Environment environment() {
    return environment;
  }

  boolean debug() {
    return debug;
  }

  /** {@code oomlens} alone names the commands and fails as a usage error. */
  @Override
  public Integer call() {
    spec.commandLine()
        .getErr()
        .println(
            "oomlens: missing command: doctor, diagnose, k8s,"
                + " snapshot, watch, history, size or verify");
    spec.commandLine().getErr().println("Try 'oomlens --help' for more information.");
    return ExitCodes.USAGE;
  }

  /** Prints the oomlens version from the jar's Maven metadata, and the Java running it. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        "oomlens " + projectVersion(),
        "Java "
            + System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vendor")
            + "), "
            + System.getProperty("os.name")
            + " "
            + System.getProperty("os.arch"),
      };
    }

    static String projectVersion() {
      String resource = "/META-INF/maven/dev.oomlens/oomlens-cli/pom.properties";
      try (InputStream in = OomlensCommand.class.getResourceAsStream(resource)) {
        if (in != null) {
          Properties p = new Properties();
          p.load(in);
          return p.getProperty("version", "(unknown version)");
        }
      } catch (IOException e) {
        // Fall through: the version is nice to have, never worth failing for.
      }
      return "(development build)";
    }
  }
}
