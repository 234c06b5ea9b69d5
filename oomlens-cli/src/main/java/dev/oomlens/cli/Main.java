package dev.oomlens.cli;

import dev.oomlens.report.escape.EscapingWriter;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;

/** The entry point of the {@code oomlens} jar. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(commandLine(new OomlensCommand()).execute(args));
  }

  /**
   * The command line for {@code root}, with the error handlers that keep stack traces away from
   * users: usage errors print one line and a hint (exit 2), unexpected exceptions one line (70).
   * Standard error shows control and bidi characters visibly, whatever writer it is given: its
   * messages quote file names and input lines.
   */
  static CommandLine commandLine(OomlensCommand root) {
    ErrorHandlers handlers = new ErrorHandlers(root);
    return new CommandLine(root)
        .setColorScheme(CommandLine.Help.defaultColorScheme(Ansi.OFF))
        .setParameterExceptionHandler(handlers)
        .setExecutionExceptionHandler(handlers)
        .setExecutionStrategy(
            parsed -> {
              CommandLine cmd = parsed.commandSpec().commandLine();
              // Here rather than at construction: setErr, later, replaces the writer for the tree.
              cmd.setErr(EscapingWriter.wrap(cmd.getErr()));
              return new CommandLine.RunLast().execute(parsed);
            });
  }
}
