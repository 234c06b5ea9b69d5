package dev.oomlens.cli;

import dev.oomlens.core.diagnosis.Diagnosis;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.source.EvidenceSource;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code --fail-on} and {@code --sigkilled}: what the findings are asked and what fails a run. */
final class DiagnosisOptions {
  @Option(names = "--fail-on", paramLabel = "SEVERITY", converter = SeverityConverter.class,
      completionCandidates = SeverityConverter.Names.class,
      description = "Exit 1 when a finding is at or above SEVERITY: ${COMPLETION-CANDIDATES}."
          + " Default: exit 0 whatever is found.")
  Severity failOn;

  @Option(names = "--sigkilled", description = "A workload died of SIGKILL (exit code 137,"
      + " OOMKilled) and you want to know why: also say so when no OOM killer did it.")
  boolean sigkilled;

  /** Reads every source and diagnoses what they hold, as these options ask. */
  Diagnosis run(List<? extends EvidenceSource> sources) {
    return Diagnosis.run(sources, sigkilled);
  }

  /** {@link ExitCodes#FINDINGS} when a finding is at or above {@code --fail-on}, else OK. */
  int exitCode(List<Finding> findings) {
    if (failOn == null) {
      return ExitCodes.OK;
    }
    return findings.stream().anyMatch(f -> f.severity().atLeast(failOn))
        ? ExitCodes.FINDINGS : ExitCodes.OK;
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
      throw new TypeConversionException("expected one of " + String.join(", ", new Names())
          + ", not '" + value + "'");
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
