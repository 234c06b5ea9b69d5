package dev.oomlens.core.rules.analyzers;

import static dev.oomlens.core.rules.Sizes.human;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.RuleInfo;
import dev.oomlens.core.series.MemoryShape;
import java.util.ArrayList;
import java.util.List;

/*
 * A limit three times the observed peak or more (or a request three times the p95): memory held
 * back from the node that the workload never used. Informational: it kills nothing, but it is what
 * makes the node overcommit elsewhere.
 */

/** OVERSIZED: the limit (or request) is far above anything the workload used. */
public final class OversizedAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
          "OVERSIZED",
          "The limit or request is far above anything the workload used",
          Severity.INFO,
          RuleInfo.Scope.WORKLOAD,
          Layer.CONTAINER_LIMIT);

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    List<Finding> out = new ArrayList<>();
    for (SeriesFacts.MemoryShapeOf m : SeriesFacts.ofShape(evidence, MemoryShape.Shape.OVERSIZED)) {
      MemoryShape s = m.shape();
      String held =
          s.limitBytes().isPresent()
              ? "a limit of " + human(s.limitBytes().getAsLong())
              : "a request of " + human(s.requestBytes().getAsLong());
      String why =
          "Over "
              + SeriesFacts.span(s)
              + " the working set of "
              + m.name()
              + " was "
              + SeriesFacts.levels(s)
              + ", under "
              + held
              + ". Memory reserved and never used is "
              + "taken from the other pods of the node.";
      List<Fix> fixes = new ArrayList<>();
      SeriesFacts.sizeFix(m, "Lower the limit to 1.5x the observed peak, request at the p95")
          .ifPresent(fixes::add);
      out.add(
          SeriesFacts.finding(
              INFO,
              Severity.INFO,
              Confidence.MEDIUM,
              m,
              m.name() + " peaked at " + human(s.peakBytes()) + " under " + held,
              why,
              fixes));
    }
    return out;
  }
}
