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
 * A working set that is mostly page cache: container_memory_cache above container_memory_rss at
 * the median. The cache is charged to the cgroup but the kernel reclaims it under pressure, so the
 * working set overstates what the workload needs; a limit raised for it buys nothing, and a kill
 * at the limit with this shape is reclaim not keeping up with file I/O (seed 004 pattern D).
 */

/** CACHE-HEAVY: the memory charged is mostly page cache, not the workload's own use. */
public final class CacheHeavyAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
          "CACHE-HEAVY",
          "The memory charged is mostly page cache, which the kernel can reclaim: not real use",
          Severity.LOW,
          RuleInfo.Scope.WORKLOAD,
          Layer.APPLICATION,
          Layer.POD_SPEC);

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    List<Finding> out = new ArrayList<>();
    for (SeriesFacts.MemoryShapeOf m : SeriesFacts.ofShape(evidence, MemoryShape.Shape.CACHE)) {
      MemoryShape s = m.shape();
      String why =
          "Over "
              + SeriesFacts.span(s)
              + " the median page cache of "
              + m.name()
              + " was "
              + human((long) s.cacheMedianBytes())
              + " against "
              + human((long) s.rssMedianBytes())
              + " of anonymous memory (rss); the working set was "
              + SeriesFacts.levels(s)
              + ". File pages count toward the cgroup limit but are "
              + "reclaimable: the working set overstates the need, and sizing on it (as the VPA "
              + "recommender and KRR do) reserves cache.";
      List<Fix> fixes = new ArrayList<>();
      fixes.add(
          new Fix(
              Layer.POD_SPEC,
              "Move heavy file I/O (temporary files, transcoding, "
                  + "logs) to a volume, so its cache is not charged to the container.",
              Optional.of(
                  "volumes:\n  - name: scratch\n    emptyDir: {}\n# and mount it at the work directory")));
      SeriesFacts.sizeFix(m, "Request the anonymous memory, limit at 1.5x the working-set peak")
          .ifPresent(fixes::add);
      out.add(
          SeriesFacts.finding(
              INFO,
              Severity.LOW,
              Confidence.MEDIUM,
              m,
              m.name()
                  + " is mostly page cache ("
                  + human((long) s.cacheMedianBytes())
                  + " cache, "
                  + human((long) s.rssMedianBytes())
                  + " rss)",
              why,
              fixes));
    }
    return out;
  }
}
