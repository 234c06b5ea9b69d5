package dev.oomlens.core.rules;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Severity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Runs analyzers over one {@link EvidenceSet} and returns their findings, most severe first (then
 * by code, then in the order the analyzers produced them).
 *
 * <p>An analyzer that throws costs only its own findings: it becomes one INFO finding {@code
 * ENGINE-ERROR} naming the rule, and the others still run.
 */
public final class RuleEngine {
  /** The code of the finding that stands in for an analyzer that failed. */
  public static final String ENGINE_ERROR = "ENGINE-ERROR";

  private static final Comparator<Finding> ORDER =
      Comparator.comparing(Finding::severity, Comparator.reverseOrder())
          .thenComparing(Finding::code);

  private final List<Analyzer> analyzers;

  /** An engine over every registered analyzer. */
  public RuleEngine() {
    this(RuleRegistry.all());
  }

  /** An engine over the given analyzers (tests, or a chosen subset). */
  public RuleEngine(List<Analyzer> analyzers) {
    this.analyzers = List.copyOf(requireNonNull(analyzers, "analyzers"));
  }

  /** Runs every analyzer of this engine over {@code evidence}. */
  public List<Finding> run(EvidenceSet evidence) {
    requireNonNull(evidence, "evidence");
    List<Finding> out = new ArrayList<>();
    for (Analyzer analyzer : analyzers) {
      try {
        out.addAll(analyzer.analyze(evidence));
      } catch (RuntimeException e) {
        out.add(failed(analyzer, e));
      }
    }
    out.sort(ORDER);
    return List.copyOf(out);
  }

  private static Finding failed(Analyzer analyzer, RuntimeException e) {
    String code;
    try {
      code = analyzer.info().code();
    } catch (RuntimeException infoFailed) {
      code = analyzer.getClass().getSimpleName();
    }
    return new Finding(
        ENGINE_ERROR,
        Severity.INFO,
        Confidence.HIGH,
        "rule " + code + " failed; its findings are missing",
        "The analyzer of "
            + code
            + " stopped with "
            + e.getClass().getSimpleName()
            + (e.getMessage() == null ? "" : ": " + e.getMessage())
            + ". The other rules ran; this is a bug in oomlens, please report it with the input.",
        List.of(),
        List.of());
  }
}
