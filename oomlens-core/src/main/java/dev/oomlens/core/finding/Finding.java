package dev.oomlens.core.finding;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.model.Citation;
import dev.oomlens.core.model.SourceLine;
import java.util.List;

/**
 * What an analyzer concluded: a stable code, how much it matters, how sure it is, why, the evidence
 * it relied on, the fixes, each at its layer, and the incidents it is about.
 *
 * @param code stable identifier such as {@code MEMCG-LIMIT}; documented in docs/rules/CODE.md
 * @param summary one line, no trailing period
 * @param reasoning the steps from evidence to conclusion, in plain words with the numbers
 * @param evidence what it relied on: lines that exist in the input, quoted as they stand, values of
 *     kernel files, windows of series, fields of objects
 * @param incidents the ids of the incidents it is about, in the order the evidence holds them;
 *     empty for a finding about the host or the evidence as a whole. Set from the cited lines by
 *     the {@code Diagnosis}; analyzers leave it empty.
 */
public record Finding(
    String code,
    Severity severity,
    Confidence confidence,
    String summary,
    String reasoning,
    List<Citation> evidence,
    List<Fix> fixes,
    List<String> incidents) {
  public Finding {
    requireNonNull(code, "code");
    requireNonNull(severity, "severity");
    requireNonNull(confidence, "confidence");
    requireNonNull(summary, "summary");
    requireNonNull(reasoning, "reasoning");
    evidence = List.copyOf(evidence);
    fixes = List.copyOf(fixes);
    incidents = List.copyOf(incidents);
  }

  /** A finding as an analyzer makes it: the diagnosis tells which incidents it is about. */
  public Finding(
      String code,
      Severity severity,
      Confidence confidence,
      String summary,
      String reasoning,
      List<? extends Citation> evidence,
      List<Fix> fixes) {
    this(code, severity, confidence, summary, reasoning, List.copyOf(evidence), fixes, List.of());
  }

  /** The log lines among the evidence, in the order cited. */
  public List<SourceLine> logLines() {
    return evidence.stream().filter(c -> c instanceof SourceLine).map(c -> (SourceLine) c).toList();
  }

  /** This finding, about the given incidents. */
  public Finding about(List<String> incidentIds) {
    return new Finding(
        code, severity, confidence, summary, reasoning, evidence, fixes, incidentIds);
  }
}
