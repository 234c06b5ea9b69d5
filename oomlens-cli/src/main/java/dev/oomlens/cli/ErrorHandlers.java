package dev.oomlens.cli;

import dev.oomlens.core.model.SourceLine;
import dev.oomlens.report.escape.EscapingWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * What the user sees when the command line is wrong or oomlens has a bug: one line each, like
 * coreutils and earlyoom, and a stack trace only with {@code --debug}.
 */
final class ErrorHandlers implements IParameterExceptionHandler, IExecutionExceptionHandler {
  private final OomlensCommand root;

  ErrorHandlers(OomlensCommand root) {
    this.root = root;
  }

  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    // Before the execution strategy wraps it: the message can quote an argument, a file name.
    PrintWriter err = EscapingWriter.wrap(cmd.getErr());
    if (ex.getCause() instanceof BadValue bad && ex.getArgSpec() != null) {
      // picocli's "Invalid value for option '--x': " would wrap a sentence already plain.
      err.println("oomlens: " + name(ex.getArgSpec()) + ": " + bad.getMessage());
    } else {
      err.println("oomlens: " + ex.getMessage());
    }
    if (ex instanceof UnmatchedArgumentException unmatched) {
      UnmatchedArgumentException.printSuggestions(unmatched, err);
    }
    err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
    err.flush();
    return ExitCodes.USAGE;
  }

  private static String name(ArgSpec arg) {
    return arg instanceof OptionSpec option ? option.longestName() : arg.paramLabel();
  }

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
    PrintWriter err = EscapingWriter.wrap(cmd.getErr());
    for (Throwable t = ex; t != null; t = t.getCause()) {
      if (t instanceof SourceLine.ChangedException changed) {
        // Not a bug: a quote would be wrong, so none is made; the message names file and line.
        err.println("oomlens: " + changed.getMessage() + "; run it again on a file left as it is");
        err.flush();
        return ExitCodes.INPUT;
      }
    }
    if (root.debug()) {
      // The frames are indented with tabs, which the escaping error stream would show as such.
      StringWriter trace = new StringWriter();
      ex.printStackTrace(new PrintWriter(trace));
      err.print(trace.toString().replaceAll("(?m)^\t", "    "));
    }
    err.println("oomlens: internal error: " + ex);
    err.println(
        "This is a bug in oomlens; please report it with the command line"
            + (root.debug() ? " and the stack trace above." : " and the output of --debug."));
    err.flush();
    return ExitCodes.INTERNAL;
  }
}
