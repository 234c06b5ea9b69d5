package dev.oomlens.cli;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
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
    subcommands = {
      DoctorCommand.class, DiagnoseCommand.class, K8sCommand.class, SnapshotCommand.class,
      WatchCommand.class, HistoryCommand.class, SizeCommand.class, VerifyCommand.class,
      KubevirtCommand.class, JvmCommand.class, HelpCommand.class
    },
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
