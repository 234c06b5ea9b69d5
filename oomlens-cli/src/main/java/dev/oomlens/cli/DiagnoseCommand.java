package dev.oomlens.cli;

import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.host.LiveLog;
import dev.oomlens.host.journal.JournalReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code oomlens diagnose}: explains the OOM kills in saved kernel logs. */
@Command(
    name = "diagnose",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Explains the OOM kills in saved kernel logs: what was killed, where the memory ran out,"
          + " what it was made of, each fact with the line it came from.",
      "Reads dmesg (plain or -T), /dev/kmsg dumps, syslog and journalctl files, and text pasted"
          + " from them; several hosts in one file are told apart.",
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      ExitCodes.OK_HELP, ExitCodes.USAGE_HELP, ExitCodes.INPUT_HELP, ExitCodes.INTERNAL_HELP
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  oomlens diagnose /var/log/kern.log /var/log/kern.log.1.gz",
      "  ssh worker-3 dmesg | oomlens diagnose -",
      "  oomlens diagnose --year 2023 --format json --output oom.json messages",
    })
final class DiagnoseCommand implements Callable<Integer> {
  @ParentCommand OomlensCommand root;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "FILE", arity = "0..*",
      description = "Kernel logs to read; '-' reads standard input. Gzip files are"
          + " decompressed.")
  List<String> files = new ArrayList<>();

  @Option(names = "--kmsg", description = "Also read this machine's kernel ring buffer,"
      + " /dev/kmsg (needs root or CAP_SYSLOG on most systems).")
  boolean kmsg;

  @Option(names = "--journal", description = "Also read this boot's kernel messages from the"
      + " systemd journal (" + JournalReader.NAME + ").")
  boolean journal;

  @Mixin DateOptions dates;

  @Mixin OutputOptions output;

  @Override
  public Integer call() {
    if (files.isEmpty() && !kmsg && !journal) {
      throw new ParameterException(spec.commandLine(),
          "nothing to read: give FILE... ('-' for standard input), --kmsg or --journal");
    }
    Environment env = root.environment();
    ReaderOptions options = dates.readerOptions(env.clock());
    PrintWriter err = spec.commandLine().getErr();
    OutputOptions.Target target;
    try {
      target = output.open(spec.commandLine().getOut());
    } catch (IOException e) {
      err.println("oomlens: cannot write " + output.output + ": " + KernelLogRun.reason(e));
      return ExitCodes.INPUT;
    }
    int code = ExitCodes.OK;
    try (target) {
      KernelLogRun run = new KernelLogRun(target.report(), err, options, env.stdin());
      for (String file : files) {
        code = Math.max(code, run.readFile(file));
      }
      if (kmsg) {
        code = Math.max(code, readLive(run, env.kmsg(), err));
      }
      if (journal) {
        code = Math.max(code, readLive(run, env.journal(), err));
      }
    } catch (IOException e) {
      err.println("oomlens: cannot write " + output.output + ": " + KernelLogRun.reason(e));
      return ExitCodes.INPUT;
    }
    if (target.failed()) {
      err.println("oomlens: cannot write "
          + (output.output == null ? "standard output" : output.output.toString()));
      return ExitCodes.INPUT;
    }
    return code;
  }

  private static int readLive(KernelLogRun run, Supplier<LiveLog> source, PrintWriter err) {
    try (LiveLog log = source.get()) {
      if (run.readLive(log, "No OOM-killer report in " + log.name() + " since boot.")
          .isEmpty()) {
        err.println("oomlens: " + KernelLogRun.why(log));
        return ExitCodes.INPUT;
      }
      return ExitCodes.OK;
    }
  }
}
