package dev.oomlens.cli;

import dev.oomlens.core.diagnosis.Diagnosis;
import dev.oomlens.core.diagnosis.Selection;
import dev.oomlens.core.diagnosis.WorkloadSelector;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.source.EvidenceSource;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --fail-on}, {@code --sigkilled}, {@code --since}, {@code --until} and {@code --workload}:
 * what the evidence is narrowed to, what the findings are asked, and what fails a run.
 */
final class DiagnosisOptions {
  @Option(
      names = "--fail-on",
      paramLabel = "SEVERITY",
      converter = SeverityConverter.class,
      completionCandidates = SeverityConverter.Names.class,
      description =
          "Exit 1 when a finding is at or above SEVERITY: ${COMPLETION-CANDIDATES}."
              + " Default: exit 0 whatever is found.")
  Severity failOn;

  @Option(
      names = "--sigkilled",
      description =
          "A workload died of SIGKILL (exit code 137,"
              + " OOMKilled) and you want to know why: also say so when no OOM killer did it.")
  boolean sigkilled;

  @Option(
      names = "--since",
      paramLabel = "TIME",
      converter = TimeConverters.TimeConverter.class,
      description =
          "Only what happened at or after TIME: ISO 8601 (2026-02-08T12:19:00Z;"
              + " without an offset, this machine's zone) or how long ago (30m, 6h, 7d, 2w).")
  TimeArgument since;

  @Option(
      names = "--until",
      paramLabel = "TIME",
      converter = TimeConverters.TimeConverter.class,
      description = "Only what happened at or before TIME (as --since).")
  TimeArgument until;

  @Option(
      names = "--workload",
      paramLabel = "NAME",
      description =
          "Only this workload: a pod UID, a container ID (or its first 6+ digits), a"
              + " systemd unit, a memory cgroup path (or its end), a process name, or a pod as"
              + " namespace/name (kubelet evictions name pods; kernel reports name their UID).")
  String workload;

  /**
   * Reads every source and diagnoses what they hold, as these options ask: the window and the
   * workload they select, with {@code clock} as now and its zone for local times.
   *
   * @param boot when the host booted, to place times since boot in the window; empty when unknown
   * @throws IllegalArgumentException when the options select nothing sensible (a window that ends
   *     before it starts, an empty workload name)
   */
  Diagnosis run(List<? extends EvidenceSource> sources, Clock clock, Optional<Instant> boot) {
    Selection selection =
        new Selection(
            Optional.ofNullable(since).map(t -> t.resolve(clock)),
            Optional.ofNullable(until).map(t -> t.resolve(clock)),
            Optional.ofNullable(workload).map(WorkloadSelector::parse),
            clock.getZone(),
            boot);
    return Diagnosis.run(sources, sigkilled, selection);
  }

  /** {@link ExitCodes#FINDINGS} when a finding is at or above {@code --fail-on}, else OK. */
  int exitCode(List<Finding> findings) {
    if (failOn == null) {
      return ExitCodes.OK;
    }
    return findings.stream().anyMatch(f -> f.severity().atLeast(failOn))
        ? ExitCodes.FINDINGS
        : ExitCodes.OK;
  }

  /** Severities by their lower-case names, as JSON writes them. */
  static final class SeverityConverter implements ITypeConverter<Severity> {
    @Override
    public Severity convert(String value) {
      for (Severity s : Severity.values()) {
        if (s.jsonName().equals(value.toLowerCase(Locale.ROOT))) {
          return s;
        }
      }
      throw new TypeConversionException(
          "expected one of " + String.join(", ", new Names()) + ", not '" + value + "'");
    }

    /** The lower-case names, lowest first. */
    static final class Names implements Iterable<String> {
      @Override
      public Iterator<String> iterator() {
        return Arrays.stream(Severity.values()).map(Severity::jsonName).iterator();
      }
    }
  }
}
