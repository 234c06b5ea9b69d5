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
import dev.oomlens.core.series.Sizing;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/*
 * A working set that climbs and falls again and again (8 or more falls of 15-50% in one step,
 * p5 at least 20% under p95): a garbage-collected heap or a cache that is flushed in cycles. The
 * top of the tooth is what the limit meets, so the limit is sized on the peak (1.5x), never on the
 * average, and for a JVM the heap is capped to leave the rest of the limit to everything else.
 */

/** SAWTOOTH: memory rises and falls in cycles (GC); the limit must hold the tops of the teeth. */
public final class SawtoothAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
          "SAWTOOTH",
          "Memory rises and falls in cycles (garbage collection): size on the tops, not the average",
          Severity.LOW,
          RuleInfo.Scope.WORKLOAD,
          Layer.CONTAINER_LIMIT,
          Layer.JVM);

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    List<Finding> out = new ArrayList<>();
    for (SeriesFacts.MemoryShapeOf m : SeriesFacts.ofShape(evidence, MemoryShape.Shape.SAWTOOTH)) {
      MemoryShape s = m.shape();
      String why =
          "Over "
              + SeriesFacts.span(s)
              + " the working set of "
              + m.name()
              + " fell "
              + s.drops()
              + " times by 15% to 50% in one step and climbed back: "
              + SeriesFacts.levels(s)
              + ", p5 "
              + human(s.p5Bytes())
              + ". The lowest level does not grow, so "
              + "this is not a leak; it is a collector (or a cache) working in cycles. The tops of "
              + "the teeth are what the limit meets.";
      List<Fix> fixes = new ArrayList<>();
      SeriesFacts.sizeFix(m, "Limit at 1.5x the top of the teeth, request at the p95")
          .ifPresent(fixes::add);
      fixes.add(jvmFix(m));
      out.add(
          SeriesFacts.finding(
              INFO,
              Severity.LOW,
              Confidence.MEDIUM,
              m,
              m.name()
                  + " rises and falls in cycles between "
                  + human(s.p5Bytes())
                  + " and "
                  + human(s.peakBytes()),
              why,
              fixes));
    }
    return out;
  }

  /*
   * A workload known to be a JVM (its JVM metrics, or a kernel report of java killed in it) gets the
   * flags `oomlens size` prints for it at the proposed limit, so the finding and the size plan never
   * disagree; any other gets the generic advice, said to be for a JVM.
   */
  private static Fix jvmFix(SeriesFacts.MemoryShapeOf m) {
    Optional<Sizing.JvmPlan> plan = Sizing.of(m.profile()).jvm();
    if (plan.isPresent() && !plan.get().flags().isEmpty()) {
      return new Fix(
          Layer.JVM,
          "Give the JVM the heap the proposed limit leaves after its other regions.",
          Optional.of(plan.get().summary()));
    }
    if (plan.isPresent()) {
      return new Fix(
          Layer.JVM,
          "The JVM's other regions leave no heap within the proposed limit: raise the limit or"
              + " cut classes and threads.",
          Optional.of(plan.get().summary()));
    }
    return new Fix(
        Layer.JVM,
        "If this is a JVM, let the heap follow the limit and leave a quarter of it to everything"
            + " else (`oomlens jvm` budgets it from the class and thread counts).",
        Optional.of("-XX:MaxRAMPercentage=75.0"));
  }
}
