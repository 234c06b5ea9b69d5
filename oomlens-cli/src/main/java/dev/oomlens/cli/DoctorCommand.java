package dev.oomlens.cli;

import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.host.LiveLog;
import dev.oomlens.report.text.Units;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code oomlens doctor}: explains the OOM kills on this machine since boot, from its kernel log
 * (/dev/kmsg when readable, else the systemd journal).
 */
@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Explains the OOM kills on this machine since boot: what was killed, where the memory ran"
          + " out, what it was made of.",
      "Reads the kernel log from /dev/kmsg, or from the systemd journal when /dev/kmsg cannot be"
          + " read; --kernel-log reads saved logs instead.",
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      ExitCodes.OK_HELP, ExitCodes.USAGE_HELP, ExitCodes.INPUT_HELP, ExitCodes.INTERNAL_HELP
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  sudo oomlens doctor",
      "  oomlens doctor --kernel-log /var/log/kern.log --format json",
    })
final class DoctorCommand implements Callable<Integer> {
  @ParentCommand OomlensCommand root;

  @Spec CommandSpec spec;

  @Option(names = "--kernel-log", paramLabel = "FILE", arity = "1..*",
      description = "Read these saved kernel logs instead of this machine's ('-' for standard"
          + " input; gzip files are decompressed).")
  List<String> kernelLogs = new ArrayList<>();

  @Mixin DateOptions dates;

  @Mixin OutputOptions output;

  @Override
  public Integer call() {
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
      if (!kernelLogs.isEmpty()) {
        heading(target, "oomlens doctor: saved kernel logs " + String.join(", ", kernelLogs));
        for (String file : kernelLogs) {
          code = Math.max(code, run.readFile(file));
        }
      } else {
        heading(target, header(env.procRoot()));
        code = readThisMachine(env, run, err);
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

  private static int readThisMachine(Environment env, KernelLogRun run, PrintWriter err) {
    List<String> why = new ArrayList<>();
    try (LiveLog kmsg = env.kmsg().get()) {
      if (run.readLive(kmsg, "No OOM kill since boot (read " + kmsg.name()
          + ", as far back as the kernel's ring buffer goes).").isPresent()) {
        return ExitCodes.OK;
      }
      why.add(KernelLogRun.why(kmsg));
    }
    try (LiveLog journal = env.journal().get()) {
      if (run.readLive(journal, "No OOM kill since boot (read " + journal.name() + ").")
          .isPresent()) {
        return ExitCodes.OK;
      }
      why.add(KernelLogRun.why(journal));
    }
    err.println("oomlens: no kernel log of this machine can be read:");
    why.forEach(w -> err.println("  " + w));
    err.println("Run oomlens as root (reading /dev/kmsg needs CAP_SYSLOG when"
        + " kernel.dmesg_restrict=1; the journal needs the systemd-journal or adm group),"
        + " or read a saved log: oomlens doctor --kernel-log /var/log/kern.log");
    return ExitCodes.INPUT;
  }

  private static void heading(OutputOptions.Target target, String line) {
    if (target.text() != null) {
      target.text().print(line + "\n\n");
      target.text().flush();
    }
  }

  /** {@code oomlens doctor: <hostname>, kernel <release>, up <uptime>}, from {@code proc}. */
  static String header(Path proc) {
    String host = read(proc.resolve("sys/kernel/hostname")).orElse("(hostname unknown)");
    String kernel = read(proc.resolve("sys/kernel/osrelease")).orElse("(unknown)");
    String up = read(proc.resolve("uptime"))
        .map(u -> u.split("\\s+")[0])
        .flatMap(DoctorCommand::seconds)
        .map(Units::duration)
        .orElse("(unknown)");
    return "oomlens doctor: " + host + ", kernel " + kernel + ", up " + up;
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
