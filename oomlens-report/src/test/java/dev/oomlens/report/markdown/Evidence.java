package dev.oomlens.report.markdown;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.oomlens.core.diagnosis.Diagnosis;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.core.host.KillerEvent;
import dev.oomlens.core.host.parse.MeminfoParser;
import dev.oomlens.core.host.parse.ParseException;
import dev.oomlens.core.host.parse.PressureParser;
import dev.oomlens.core.host.parse.SwapsParser;
import dev.oomlens.core.host.parse.VmstatParser;
import dev.oomlens.core.kernel.KernelLogReader;
import dev.oomlens.core.kernel.KernelLogSink;
import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.core.model.AllocFailure;
import dev.oomlens.core.model.Input;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.Incident;
import dev.oomlens.core.rules.IncidentBuilder;
import dev.oomlens.core.rules.RuleEngine;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Real evidence for the Markdown tests: kernel logs read by the core reader, /proc files read by
 * the core parsers, findings from the rule engine, as {@code doctor} and {@code diagnose} put them
 * together.
 */
record Evidence(
    List<OomReport> reports,
    List<AllocFailure> allocFailures,
    List<Incident> incidents,
    Optional<HostSnapshot> host,
    List<KillerEvent> killers,
    List<Finding> findings) {
  static final Path CORPUS = Path.of("..", "oomlens-core", "src", "test", "resources", "corpus");
  static final Path VMLAB = Path.of("..", "oomlens-core", "src", "test", "resources", "vmlab");
  static final Path HOSTS = Path.of("..", "oomlens-host", "src", "test", "resources", "hosts");

  /** Fixed, so that yearless syslog timestamps always get the same year. */
  static final ReaderOptions OPTIONS = new ReaderOptions(LocalDate.of(2026, 2, 3));

  /** The evidence of one kernel log, named by its file name, with the engine's findings. */
  static Evidence of(Path log, Optional<HostSnapshot> host, List<KillerEvent> killers) {
    Collected sink = new Collected();
    try (InputStream in = Files.newInputStream(log)) {
      new KernelLogReader(OPTIONS).read(log.getFileName().toString(), in, sink);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return withFindings(sink.reports, sink.failures, host, killers);
  }

  static Evidence withFindings(
      List<OomReport> reports,
      List<AllocFailure> failures,
      Optional<HostSnapshot> host,
      List<KillerEvent> killers) {
    List<Incident> incidents = IncidentBuilder.group(reports);
    List<Finding> findings =
        new RuleEngine()
            .run(
                EvidenceSet.builder()
                    .reports(reports)
                    .allocFailures(failures)
                    .host(host)
                    .killers(killers)
                    .build());
    return new Evidence(reports, failures, incidents, host, killers, findings);
  }

  String markdown() {
    return markdown(reports, findings, host, killers);
  }

  /** The draft of these reports with these findings, as doctor would write it. */
  static String markdown(
      List<OomReport> reports,
      List<Finding> findings,
      Optional<HostSnapshot> host,
      List<KillerEvent> killers) {
    String log = reports.isEmpty() ? "kern.log" : reports.getFirst().source().file();
    return MarkdownReport.render(
        Diagnosis.of(
            EvidenceSet.builder()
                .reports(reports)
                .host(host)
                .killers(killers)
                .input(new Input(log, Input.Kind.KERNEL_LOG, reports.size(), List.of()))
                .build(),
            findings));
  }

  /**
   * A host snapshot from a captured /proc tree: meminfo, vmstat, memory PSI and swaps, read by the
   * core parsers.
   */
  static HostSnapshot snapshot(Path proc, String hostname, String kernel) {
    try {
      Path pressure = proc.resolve("pressure/memory");
      return new HostSnapshot(
          Optional.of(hostname),
          Optional.of(kernel),
          Optional.of(MeminfoParser.parse(read(proc.resolve("meminfo")), "/proc/meminfo")),
          Optional.of(VmstatParser.parse(read(proc.resolve("vmstat")), "/proc/vmstat")),
          Files.exists(pressure)
              ? Optional.of(PressureParser.parse(read(pressure), "/proc/pressure/memory"))
              : Optional.empty(),
          SwapsParser.parse(read(proc.resolve("swaps")), "/proc/swaps"),
          List.of(),
          Optional.empty(),
          Optional.empty(),
          OptionalLong.empty(),
          List.of(),
          List.of());
    } catch (ParseException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  static String read(Path p) {
    try {
      return Files.readString(p, UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final class Collected implements KernelLogSink {
    final List<OomReport> reports = new ArrayList<>();
    final List<AllocFailure> failures = new ArrayList<>();

    @Override
    public void report(OomReport report) {
      reports.add(report);
    }

    @Override
    public void allocFailure(AllocFailure failure) {
      failures.add(failure);
    }

    @Override
    public void problem(Problem problem) {}
  }
}
