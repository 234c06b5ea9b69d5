package dev.oomlens.cli;

import dev.oomlens.report.escape.EscapingWriter;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;

/** The entry point of the {@code oomlens} jar. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    // picocli hands only Exceptions to its handlers: an OutOfMemoryError thrown by a command, or
    // by a thread of its own that no one joins, would otherwise end in a raw stack trace.
    Thread.UncaughtExceptionHandler others = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler(
        (thread, e) -> {
          if (ErrorHandlers.outOfMemory(e).isPresent()) {
            Runtime.getRuntime()
                .halt(ErrorHandlers.outOfMemory(stderr(), ErrorHandlers.outOfMemory(e).get()));
          } else if (others != null) {
            others.uncaughtException(thread, e);
          } else {
            thread.getThreadGroup().uncaughtException(thread, e);
          }
        });
    int code;
    try {
      code = commandLine(new OomlensCommand(), args).execute(args);
    } catch (OutOfMemoryError e) {
      code = ErrorHandlers.outOfMemory(stderr(), e);
    }
    System.exit(code);
  }

  private static java.io.PrintWriter stderr() {
    return EscapingWriter.wrap(new java.io.PrintWriter(System.err));
  }

  /**
   * The command line to run {@code args} with: when they name a subcommand first (after {@code
   * --debug}, the one root option that lets a subcommand follow), only that subcommand is
   * registered, since building the others' models is most of a short run's CPU; {@code --version}
   * alone registers none; otherwise (root help, {@code help}, a mistyped name that picocli should
   * suggest a fix for) the whole tree.
   */
  static CommandLine commandLine(OomlensCommand root, String... args) {
    int i = 0;
    while (i < args.length && args[i].equals("--debug")) {
      i++;
    }
    if (args.length == i + 1 && (args[i].equals("--version") || args[i].equals("-V"))) {
      // The version alone needs no subcommand: building their models was most of its CPU.
      return configured(new CommandLine(root), root);
    }
    Class<?> only = i < args.length ? OomlensCommand.SUBCOMMANDS.get(args[i]) : null;
    if (only == null) {
      return commandLine(root);
    }
    return configured(new CommandLine(root).addSubcommand(only), root);
  }

  /**
   * The command line for {@code root}, with the error handlers that keep stack traces away from
   * users: usage errors print one line and a hint (exit 2), unexpected exceptions one line (70).
   * Standard error shows control and bidi characters visibly, whatever writer it is given: its
   * messages quote file names and input lines.
   */
  static CommandLine commandLine(OomlensCommand root) {
    CommandLine line = new CommandLine(root);
    OomlensCommand.SUBCOMMANDS.values().forEach(line::addSubcommand);
    line.addSubcommand(new CommandLine.HelpCommand());
    return configured(line, root);
  }

  // After the subcommands are added: picocli's setters reach only the subcommands present.
  private static CommandLine configured(CommandLine line, OomlensCommand root) {
    ErrorHandlers handlers = new ErrorHandlers(root);
    return line.setColorScheme(CommandLine.Help.defaultColorScheme(Ansi.OFF))
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
