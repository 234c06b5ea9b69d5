package dev.oomlens.core.finding;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.model.SourceLine;
import java.util.List;

/**
 * What an analyzer concluded: a stable code, how much it matters, how sure it is, why, the lines of
 * evidence it relied on, and the fixes, each at its layer.
 *
 * @param code stable identifier such as {@code MEMCG-LIMIT}; documented in docs/rules/CODE.md
 * @param summary one line, no trailing period
 * @param reasoning the steps from evidence to conclusion, in plain words with the numbers
 * @param evidence lines that exist in the input, quoted as they stand
 */
public record Finding(
    String code,
    Severity severity,
    Confidence confidence,
    String summary,
    String reasoning,
    List<SourceLine> evidence,
    List<Fix> fixes) {
  public Finding {
    requireNonNull(code, "code");
    requireNonNull(severity, "severity");
    requireNonNull(confidence, "confidence");
    requireNonNull(summary, "summary");
    requireNonNull(reasoning, "reasoning");
    evidence = List.copyOf(evidence);
    fixes = List.copyOf(fixes);
  }
}
