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
 * What the user sees when the command line is wrong, the JVM runs out of memory, or oomlens has a
 * bug: one line each, like coreutils and earlyoom, and a stack trace only with {@code --debug}.
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

  /** The out-of-memory error that caused {@code t}, when one did (a worker's comes wrapped). */
  static java.util.Optional<OutOfMemoryError> outOfMemory(Throwable t) {
    for (int depth = 0; t != null && depth < 64; t = t.getCause(), depth++) {
      if (t instanceof OutOfMemoryError oom) {
        return java.util.Optional.of(oom);
      }
    }
    return java.util.Optional.empty();
  }

  /*
   * Not a bug but a JVM too small for the input (a week of a large fleet, a huge log): one line
   * naming what ran out and how to give the JVM more, never the stack trace, exit 70 as for any
   * run that could not finish. The heap has been let go of by the time this runs (the stack that
   * held it has unwound), so writing the line needs no more than it had. The flag suggested is
   * twice what ran out, given where the launchers read it: OOMLENS_JAVA_OPTS.
   */
  static int outOfMemory(PrintWriter err, OutOfMemoryError e) {
    String what = e.getMessage() == null ? "memory" : e.getMessage();
    long max = maxHeap();
    String flag;
    String ran;
    if (what.contains("Metaspace")) {
      ran = "its metaspace (class metadata) ran out";
      flag = "-XX:MaxMetaspaceSize=512m";
    } else if (what.contains("Direct buffer")) {
      ran = "its direct buffer memory ran out";
      flag = "-XX:MaxDirectMemorySize=" + Math.max(64, 2 * (max >> 20)) + "m";
    } else if (what.contains("native thread")) {
      ran = "it could not start a thread (" + what + ")";
      flag = "-Xss512k";
    } else {
      ran =
          "the Java heap ran out ("
              + what
              + (max == Long.MAX_VALUE ? "" : "; its maximum is " + (max >> 20) + " MiB")
              + ")";
      flag = "-Xmx" + (max == Long.MAX_VALUE ? 4096 : Math.max(256, 2 * (max >> 20))) + "m";
    }
    err.println(
        "oomlens: out of memory: "
            + ran
            + "; give the JVM more: OOMLENS_JAVA_OPTS="
            + flag
            + " oomlens ... (or java "
            + flag
            + " -jar oomlens.jar ...)");
    err.flush();
    return ExitCodes.INTERNAL;
  }

  /** The heap's maximum as -Xmx set it (maxMemory() leaves out a survivor space). */
  private static long maxHeap() {
    try {
      return Long.parseLong(
          java.lang.management.ManagementFactory.getPlatformMXBean(
                  com.sun.management.HotSpotDiagnosticMXBean.class)
              .getVMOption("MaxHeapSize")
              .getValue());
    } catch (RuntimeException | LinkageError e) {
      return Runtime.getRuntime().maxMemory();
    }
  }

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
    PrintWriter err = EscapingWriter.wrap(cmd.getErr());
    if (outOfMemory(ex).isPresent()) {
      return outOfMemory(err, outOfMemory(ex).get());
    }
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
