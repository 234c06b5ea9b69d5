package dev.oomlens.cli;

import dev.oomlens.core.diagnosis.Diagnosis;
import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.core.source.EvidenceSource;
import dev.oomlens.core.source.KernelLogFile;
import dev.oomlens.host.journal.JournalReader;
import dev.oomlens.host.journal.KillerJournalReader;
import dev.oomlens.host.source.HostTree;
import dev.oomlens.host.source.LiveKernelLog;
import dev.oomlens.host.source.LiveKillerLog;
import dev.oomlens.metrics.LokiClient;
import dev.oomlens.metrics.LokiKernelLog;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
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
      ExitCodes.OK_HELP,
      ExitCodes.FINDINGS_HELP,
      ExitCodes.USAGE_HELP,
      ExitCodes.INPUT_HELP,
      ExitCodes.INTERNAL_HELP
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  oomlens diagnose /var/log/kern.log /var/log/kern.log.1.gz",
      "  ssh worker-3 dmesg | oomlens diagnose -",
      "  oomlens diagnose --year 2023 --format json --output oom.json messages",
      "  oomlens diagnose --fail-on high --path.rootfs snap snap/kernel.log",
      "  oomlens diagnose --loki http://loki:3100 --query '{job=\"node-kernel\"}' --since 7d",
    })
final class DiagnoseCommand implements Callable<Integer> {
  @ParentCommand OomlensCommand root;

  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "FILE",
      arity = "0..*",
      description =
          "Kernel logs to read; '-' reads standard input. Gzip files are" + " decompressed.")
  List<String> files = new ArrayList<>();

  @Option(
      names = "--kmsg",
      description =
          "Also read this machine's kernel ring buffer,"
              + " /dev/kmsg (needs root or CAP_SYSLOG on most systems).")
  boolean kmsg;

  @Option(
      names = "--journal",
      description =
          "Also read this boot's kernel messages and the"
              + " records of userspace OOM killers from the systemd journal ("
              + JournalReader.NAME
              + ", "
              + KillerJournalReader.NAME
              + ").")
  boolean journal;

  @Mixin HostOptions host;

  @Mixin SeriesOptions series;

  @Option(
      names = "--loki",
      paramLabel = "URL",
      description =
          "Also read kernel lines from Loki"
              + " (its query_range API) over --since..--until (default: the last 24 hours), split per"
              + " host by the stream's host, hostname, nodename, node_name or instance label.")
  java.net.URI loki;

  @Option(
      names = "--query",
      paramLabel = "LOGQL",
      defaultValue = "{job=\"kernel\"}",
      description = "The LogQL query of --loki. Default: ${DEFAULT-VALUE}.")
  String lokiQuery;

  @Option(
      names = "--loki-org-id",
      paramLabel = "TENANT",
      description = "Send X-Scope-OrgID: TENANT to a multi-tenant Loki.")
  String lokiOrgId;

  @Mixin DiagnosisOptions diagnosis;

  @Mixin DateOptions dates;

  @Mixin OutputOptions output;

  @Override
  public Integer call() {
    if (files.isEmpty() && !kmsg && !journal && !series.any() && loki == null) {
      throw new ParameterException(
          spec.commandLine(),
          "nothing to read: give FILE... ('-' for standard input), --kmsg, --journal, --loki,"
              + " --series or --prometheus");
    }
    if (host.vmMemoryBytes != null && !host.anyPath()) {
      throw new ParameterException(
          spec.commandLine(),
          "--vm-memory is compared with a host's MemTotal: give --path.rootfs (or"
              + " --path.procfs) too");
    }
    output
        .conflict()
        .ifPresent(
            c -> {
              throw new ParameterException(spec.commandLine(), c);
            });
    Environment env = root.environment();
    ReaderOptions options = dates.readerOptions(env.clock());
    PrintWriter err = spec.commandLine().getErr();
    Stdin.sayWaitingIfTerminal(files, env, err);
    List<EvidenceSource> sources = new ArrayList<>();
    files.forEach(f -> sources.add(new KernelLogFile(f, options, env.stdin())));
    if (kmsg) {
      sources.add(
          new LiveKernelLog(
              List.of(new LiveKernelLog.Candidate(env.kmsg(), DoctorCommand.KMSG_SPAN)), options));
    }
    if (journal) {
      sources.add(
          new LiveKernelLog(
              List.of(new LiveKernelLog.Candidate(env.journal(), DoctorCommand.JOURNAL_SPAN)),
              options));
      sources.add(
          new LiveKillerLog(env.killers(), Optional.of(DoctorCommand.JOURNAL_SPAN), options));
    }
    if (host.anyPath()) {
      sources.add(new HostTree(host.paths(env.host()), host.vmMemory()));
    }
    try {
      lokiSource(env, options).ifPresent(sources::add);
      sources.addAll(
          series.sources(
              Optional.ofNullable(diagnosis.since).map(t -> t.resolve(env.clock())),
              diagnosis.until == null
                  ? env.clock().instant()
                  : diagnosis.until.resolve(env.clock()),
              env.clock(),
              true));
    } catch (java.io.IOException e) {
      throw new ParameterException(
          spec.commandLine(),
          "cannot read the credentials: " + dev.oomlens.core.source.IoReasons.of(e));
    }
    Optional<Instant> boot =
        kmsg ? DoctorCommand.bootTime(env.host(), env.clock()) : Optional.empty();
    Diagnosis d;
    try {
      d = diagnosis.run(sources, env.clock(), boot);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    if (d.evidence().host().map(h -> h.meminfo().isEmpty()).orElse(false)) {
      err.println("oomlens: is --path.procfs or --path.rootfs right?");
    }
    return RunOutcome.finish(
        d, Optional.empty(), output, diagnosis, spec.commandLine().getOut(), err);
  }

  /** The Loki source of --loki over --since..--until (the last 24 hours by default). */
  private Optional<EvidenceSource> lokiSource(Environment env, ReaderOptions options)
      throws java.io.IOException {
    if (loki == null) {
      return Optional.empty();
    }
    Instant to =
        diagnosis.until == null ? env.clock().instant() : diagnosis.until.resolve(env.clock());
    Instant from =
        diagnosis.since == null
            ? to.minus(java.time.Duration.ofDays(1))
            : diagnosis.since.resolve(env.clock());
    java.util.Map<String, String> headers = new java.util.LinkedHashMap<>(series.server.headers());
    if (lokiOrgId != null) {
      headers.put("X-Scope-OrgID", lokiOrgId);
    }
    return Optional.of(
        new LokiKernelLog(
            new LokiClient(loki, headers, series.server.timeout), lokiQuery, from, to, options));
  }
}
