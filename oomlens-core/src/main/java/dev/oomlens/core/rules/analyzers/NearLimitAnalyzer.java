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
 * A steady working set whose p95 is at 85% of its limit or more: nothing is wrong yet, but the
 * next peak, a larger input, or a library upgrade has no room. The limit goes to 1.5x the peak.
 */

/** NEAR-LIMIT: steady memory that sits close to its limit, with no room for the next peak. */
public final class NearLimitAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
          "NEAR-LIMIT",
          "Memory sits steadily close to its limit: no room for the next peak",
          Severity.MEDIUM,
          RuleInfo.Scope.WORKLOAD,
          Layer.CONTAINER_LIMIT);

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    List<Finding> out = new ArrayList<>();
    for (SeriesFacts.MemoryShapeOf m :
        SeriesFacts.ofShape(evidence, MemoryShape.Shape.NEAR_LIMIT)) {
      MemoryShape s = m.shape();
      long limit = s.limitBytes().getAsLong();
      String why =
          "Over "
              + SeriesFacts.span(s)
              + " the working set of "
              + m.name()
              + " was "
              + SeriesFacts.levels(s)
              + ": the p95 is "
              + SeriesFacts.percent(s.p95Bytes(), limit)
              + " of the limit, the peak "
              + SeriesFacts.percent(s.peakBytes(), limit)
              + ". It does "
              + "not grow and does not spike; it is simply sized with no headroom (seed 004: "
              + "480Mi used under a 512Mi limit dies at the first 30% peak).";
      List<Fix> fixes = new ArrayList<>();
      SeriesFacts.sizeFix(m, "Limit at 1.5x the observed peak, request at the p95")
          .ifPresent(fixes::add);
      out.add(
          SeriesFacts.finding(
              INFO,
              Severity.MEDIUM,
              Confidence.HIGH,
              m,
              m.name()
                  + " runs at "
                  + SeriesFacts.percent(s.p95Bytes(), limit)
                  + " of its "
                  + human(limit)
                  + " limit",
              why,
              fixes));
    }
    return out;
  }
}
