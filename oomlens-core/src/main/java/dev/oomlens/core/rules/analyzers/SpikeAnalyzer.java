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
import java.util.Optional;

/*
 * A working set that sits well below its peak most of the time and jumps to it briefly: the peak 30%
 * or more above the p95 (see MemoryShape). Seed 004 pattern B: a limit set at the steady level has
 * no room for the spike; the limit goes to 2x the observed peak, the request to the p95.
 */

/** SPIKE: transient peaks far above the steady level; the limit needs room for them. */
public final class SpikeAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
          "SPIKE",
          "Memory spikes briefly far above its steady level: the limit needs room for the peaks",
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
    for (SeriesFacts.MemoryShapeOf m : SeriesFacts.ofShape(evidence, MemoryShape.Shape.SPIKE)) {
      MemoryShape s = m.shape();
      boolean over = s.limitBytes().isPresent() && s.peakBytes() * 2 > s.limitBytes().getAsLong();
      String why =
          "Over "
              + SeriesFacts.span(s)
              + " the working set of "
              + m.name()
              + " was "
              + SeriesFacts.levels(s)
              + ". The peak is "
              + SeriesFacts.percent(s.peakBytes(), s.p95Bytes())
              + " of the p95: it stays near its steady level and jumps for short "
              + "moments (a load burst, a batch, a large request). A limit near the steady level "
              + "kills it at the next peak; one at 2x the observed peak leaves room for a somewhat "
              + "larger one, and the request at the p95 keeps the node from reserving the peak.";
      List<Fix> fixes = new ArrayList<>();
      SeriesFacts.sizeFix(m, "Limit at 2x the observed peak, request at the p95")
          .ifPresent(fixes::add);
      fixes.add(
          new Fix(
              Layer.APPLICATION,
              "Find what the peaks are (the requests or jobs at "
                  + "their times) and bound them: batch sizes, upload limits, concurrency.",
              Optional.empty()));
      out.add(
          SeriesFacts.finding(
              INFO,
              over ? Severity.MEDIUM : Severity.LOW,
              Confidence.MEDIUM,
              m,
              m.name()
                  + " spikes to "
                  + human(s.peakBytes())
                  + " from a p95 of "
                  + human(s.p95Bytes()),
              why,
              fixes));
    }
    return out;
  }
}
