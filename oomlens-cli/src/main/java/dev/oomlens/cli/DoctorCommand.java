package dev.oomlens.cli;

import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.IncidentBuilder;
import dev.oomlens.core.rules.RuleEngine;
import dev.oomlens.host.LiveLog;
import dev.oomlens.host.logs.RootLogs;
import dev.oomlens.host.paths.HostPaths;
import dev.oomlens.host.snapshot.HostReader;
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
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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
      ExitCodes.OK_HELP, ExitCodes.FINDINGS_HELP, ExitCodes.USAGE_HELP, ExitCodes.INPUT_HELP,
      ExitCodes.INTERNAL_HELP
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  sudo oomlens doctor",
      "  oomlens doctor --kernel-log /var/log/kern.log --format json",
      "  oomlens doctor --path.rootfs /host --fail-on high",
      "  oomlens doctor --path.rootfs snap",
    })
final class DoctorCommand implements Callable<Integer> {
  @ParentCommand OomlensCommand root;

  @Spec CommandSpec spec;

  @Option(names = "--kernel-log", paramLabel = "FILE", arity = "1..*",
      description = "Read these saved kernel logs instead of this machine's ('-' for standard"
          + " input; gzip files are decompressed). Records of userspace killers (systemd-oomd,"
          + " earlyoom, nohang, kubelet evictions) in them are read too.")
  List<String> kernelLogs = new ArrayList<>();

  @Mixin HostOptions host;

  @Mixin DiagnosisOptions diagnosis;

  @Mixin DateOptions dates;

  @Mixin OutputOptions output;

  @Override
  public Integer call() {
    Environment env = root.environment();
    ReaderOptions options = dates.readerOptions(env.clock());
    PrintWriter err = spec.commandLine().getErr();
    HostPaths paths = host.paths(env.host());
    Collected inputs = new Collected();
    KernelLogRun run = new KernelLogRun(inputs, err, options, env.stdin());
    int code = ExitCodes.OK;
    Optional<String> kernelLog;
    Optional<String> killerLog = Optional.empty();
    if (!kernelLogs.isEmpty()) {
      // Only logs read whole may say that nothing was killed.
      List<String> read = new ArrayList<>();
      for (String file : kernelLogs) {
        int fileCode = run.readFile(file);
        code = Math.max(code, fileCode);
        if (fileCode != ExitCodes.INPUT) {
          read.add(file);
        }
      }
      kernelLog = read.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", read));
    } else if (host.rootfs != null) {
      // Another host's root: its own logs, never this machine's.
      KernelLogRun.RootRead read = run.readRoot(RootLogs.find(paths, env.host(), env.kmsg()));
      kernelLog = read.kernelLog();
      killerLog = read.killerLog();
      code = Math.max(code, read.code());
    } else {
      kernelLog = readThisMachine(env, run, err);
      if (kernelLog.isEmpty()) {
        code = ExitCodes.INPUT;
      }
      // Saved logs hold the killers' lines beside the kernel's; the live kernel log does not.
      killerLog = readKillers(env.killers(), run);
    }
    // Without the kernel log, no source can say that nothing was killed.
    Optional<String> killers = killerLog;
    Optional<String> sources = kernelLog.map(k -> killers.map(u -> k + ", " + u).orElse(k));
    HostSnapshot snapshot = HostReader.read(paths, host.vmMemory());
    if (snapshot.meminfo().isEmpty()) {
      err.println("oomlens: cannot read " + paths.proc().resolve("meminfo")
          + (host.anyPath() ? "; is --path.procfs or --path.rootfs right?" : ""));
      code = Math.max(code, ExitCodes.INPUT);
    }
    List<OomReport> reports = inputs.reports();
    EvidenceSet evidence = new EvidenceSet(reports, IncidentBuilder.group(reports),
        inputs.allocFailures(), Optional.of(snapshot), run.killers(), diagnosis.sigkilled);
    List<Finding> findings = new RuleEngine().run(evidence);
    String header = header(paths, snapshot, reports)
        + "\nRead: kernel log " + kernelLog.orElse("(none could be read)")
        + killerLog.map(u -> "; " + u).orElse("")
        + "; host " + paths.proc() + ", " + paths.sys();
    OutputOptions.Diagnosis d =
        new OutputOptions.Diagnosis(Optional.of(header), inputs, evidence, findings, sources);
    try {
      output.write(d, spec.commandLine().getOut());
    } catch (IOException e) {
      err.println("oomlens: cannot write " + output.destination() + ": "
          + KernelLogRun.reason(e));
      return ExitCodes.INPUT;
    }
    err.flush();
    return Math.max(code, diagnosis.exitCode(findings));
  }

  /** Reads /dev/kmsg, else the journal; returns the name of the one read, empty if neither. */
  private static Optional<String> readThisMachine(
      Environment env, KernelLogRun run, PrintWriter err) {
    List<String> why = new ArrayList<>();
    try (LiveLog kmsg = env.kmsg().get()) {
      if (run.readLive(kmsg, "No OOM kill since boot (read " + kmsg.name()
          + ", as far back as the kernel's ring buffer goes).").isPresent()) {
        return Optional.of(kmsg.name());
      }
      why.add(KernelLogRun.why(kmsg));
    }
    try (LiveLog journal = env.journal().get()) {
      if (run.readLive(journal, "No OOM kill since boot (read " + journal.name() + ").")
          .isPresent()) {
        return Optional.of(journal.name());
      }
      why.add(KernelLogRun.why(journal));
    }
    err.println("oomlens: no kernel log of this machine can be read:");
    why.forEach(w -> err.println("  " + w));
    err.println("Run oomlens as root (reading /dev/kmsg needs CAP_SYSLOG when"
        + " kernel.dmesg_restrict=1; the journal needs the systemd-journal or adm group),"
        + " or read a saved log: oomlens doctor --kernel-log /var/log/kern.log");
    return Optional.empty();
  }

  /** Reads the journal's records of userspace killers; returns its name, empty if unreadable. */
  static Optional<String> readKillers(Supplier<LiveLog> source, KernelLogRun run) {
    try (LiveLog killers = source.get()) {
      return run.readKillers(killers) ? Optional.of(killers.name()) : Optional.empty();
    }
  }

  /**
   * {@code oomlens doctor: <hostname>, kernel <release>, up <uptime>}: from the host's files, or,
   * where they are missing (a partial snapshot), from the first report that names them.
   */
  static String header(HostPaths paths, HostSnapshot snapshot, List<OomReport> reports) {
    String host = snapshot.hostname()
        .or(() -> reports.stream().flatMap(r -> r.host().stream()).findFirst())
        .orElse("(hostname unknown)");
    String kernel = snapshot.kernelRelease()
        .or(() -> reports.stream().flatMap(r -> r.kernel().stream()).findFirst())
        .orElse("(unknown)");
    String up = read(paths.proc().resolve("uptime"))
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
