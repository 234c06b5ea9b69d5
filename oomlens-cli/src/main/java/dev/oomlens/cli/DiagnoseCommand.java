package dev.oomlens.cli;

import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.IncidentBuilder;
import dev.oomlens.core.rules.RuleEngine;
import dev.oomlens.host.LiveLog;
import dev.oomlens.host.journal.JournalReader;
import dev.oomlens.host.journal.KillerJournalReader;
import dev.oomlens.host.paths.HostPaths;
import dev.oomlens.host.snapshot.HostReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
          + " why, and what to change at which layer, each fact with the line it came from.",
      "Reads dmesg (plain or -T), /dev/kmsg dumps, syslog and journalctl files, and text pasted"
          + " from them; several hosts in one file are told apart. Records of userspace killers"
          + " in them are read too. No host is read unless --path.* names one.",
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      ExitCodes.OK_HELP, ExitCodes.FINDINGS_HELP, ExitCodes.USAGE_HELP, ExitCodes.INPUT_HELP,
      ExitCodes.INTERNAL_HELP
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  oomlens diagnose /var/log/kern.log /var/log/kern.log.1.gz",
      "  ssh worker-3 dmesg | oomlens diagnose -",
      "  oomlens diagnose --year 2023 --format json --output oom.json messages",
      "  oomlens diagnose --fail-on high --path.rootfs snap snap/kernel.log",
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

  @Option(names = "--journal", description = "Also read this boot's kernel messages and the"
      + " records of userspace OOM killers from the systemd journal (" + JournalReader.NAME
      + ", " + KillerJournalReader.NAME + ").")
  boolean journal;

  @Mixin HostOptions host;

  @Mixin DiagnosisOptions diagnosis;

  @Mixin DateOptions dates;

  @Mixin OutputOptions output;

  @Override
  public Integer call() {
    if (files.isEmpty() && !kmsg && !journal) {
      throw new ParameterException(spec.commandLine(),
          "nothing to read: give FILE... ('-' for standard input), --kmsg or --journal");
    }
    if (host.vmMemoryBytes != null && !host.anyPath()) {
      throw new ParameterException(spec.commandLine(),
          "--vm-memory is compared with a host's MemTotal: give --path.rootfs (or"
              + " --path.procfs) too");
    }
    Environment env = root.environment();
    ReaderOptions options = dates.readerOptions(env.clock());
    PrintWriter err = spec.commandLine().getErr();
    Collected inputs = new Collected();
    KernelLogRun run = new KernelLogRun(inputs, err, options, env.stdin());
    // Only inputs read whole may say that nothing was killed.
    List<String> read = new ArrayList<>();
    int code = ExitCodes.OK;
    for (String file : files) {
      int fileCode = run.readFile(file);
      code = Math.max(code, fileCode);
      if (fileCode != ExitCodes.INPUT) {
        read.add(file);
      }
    }
    if (kmsg) {
      code = Math.max(code, readLive(run, env.kmsg(), err, read));
    }
    if (journal) {
      code = Math.max(code, readLive(run, env.journal(), err, read));
      DoctorCommand.readKillers(env.killers(), run).ifPresent(read::add);
    }
    Optional<HostSnapshot> snapshot = Optional.empty();
    if (host.anyPath()) {
      HostPaths paths = host.paths(env.host());
      snapshot = Optional.of(HostReader.read(paths, host.vmMemory()));
      if (snapshot.get().meminfo().isEmpty()) {
        err.println("oomlens: cannot read " + paths.proc().resolve("meminfo")
            + "; is --path.procfs or --path.rootfs right?");
        code = Math.max(code, ExitCodes.INPUT);
      }
    }
    List<OomReport> reports = inputs.reports();
    EvidenceSet evidence = new EvidenceSet(reports, IncidentBuilder.group(reports),
        inputs.allocFailures(), snapshot, run.killers(), diagnosis.sigkilled);
    List<Finding> findings = new RuleEngine().run(evidence);
    OutputOptions.Diagnosis d = new OutputOptions.Diagnosis(Optional.empty(), inputs, evidence,
        findings, read.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", read)));
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

  private static int readLive(
      KernelLogRun run, Supplier<LiveLog> source, PrintWriter err, List<String> read) {
    try (LiveLog log = source.get()) {
      if (run.readLive(log, "No OOM-killer report in " + log.name() + " since boot.")
          .isEmpty()) {
        err.println("oomlens: " + KernelLogRun.why(log));
        return ExitCodes.INPUT;
      }
      read.add(log.name());
      return ExitCodes.OK;
    }
  }
}
