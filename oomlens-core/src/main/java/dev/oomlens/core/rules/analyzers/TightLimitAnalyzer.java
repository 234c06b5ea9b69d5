package dev.oomlens.core.rules.analyzers;

import static dev.oomlens.core.rules.Sizes.human;
import static dev.oomlens.core.rules.Sizes.wholePercent;

import dev.oomlens.core.rules.Sizes;
import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.cgroup.CgroupPaths;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.model.Victim;
import dev.oomlens.core.model.Workload;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.RuleInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/*
 * Seed 004 pattern B: the limit sits at the workload's steady use, and a spike (load, GC, a batch)
 * takes it over. The evidence: a memcg OOM whose anonymous memory is at least 70% of the limit
 * (so the workload's own memory filled it, not tmpfs, cache or kernel memory), with no growth
 * from kill to kill (that is LEAK). Not for the limit of all pods (NODE-ALLOCATABLE's) nor for a
 * KubeVirt pod, whose limit KubeVirt computes (KUBEVIRT-OVERHEAD's).
 *
 * The observed peak is the victim's anon + file + shmem RSS + page tables from the kill line:
 * what the process held when it was killed, the floor for any new limit. Only a victim that
 * itself filled the limit (80% or more) counts: when a smaller task was picked, another one grew,
 * and when the victim is a JVM its flags set its size; other rules own those. The new limit is
 * 1.5x to 2x the peak (seed 004); the request is the peak itself.
 */

/** TIGHT-LIMIT: the limit leaves no headroom over the workload's own use. */
public final class TightLimitAnalyzer implements Analyzer {
  static final double ANON_SHARE = 0.70;
  private static final RuleInfo INFO = RuleInfo.of("TIGHT-LIMIT",
      "The memory limit leaves no headroom over the workload's use", Severity.MEDIUM, RuleInfo.Scope.WORKLOAD, Layer.CONTAINER_LIMIT, Layer.POD_SPEC);

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    List<Finding> out = new ArrayList<>();
    for (KillSeries s : KillSeries.of(evidence.reports())) {
      if (!s.memcg() || s.showsGrowth()) {
        continue;
      }
      OomReport r = s.kills().get(s.kills().size() - 1).report();
      finding(r, s).ifPresent(out::add);
    }
    return out;
  }

  private Optional<Finding> finding(OomReport r, KillSeries s) {
    if (r.workload().kubevirt() || r.oomMemcg().isEmpty() || r.memcg().isEmpty()) {
      return Optional.empty();
    }
    Workload limitOwner = CgroupPaths.decode(r.oomMemcg().get());
    if (limitOwner.kind() == Workload.Kind.KUBEPODS) {
      return Optional.empty();
    }
    KillSeries.Kill kill = s.kills().get(s.kills().size() - 1);
    if (kill.limitBytes().isEmpty()) {
      return Optional.empty();
    }
    long limit = kill.limitBytes().getAsLong();
    long anon = kill.anonBytes();
    if (anon < ANON_SHARE * limit) {
      return Optional.empty();
    }
    if (JvmAnalyzer.killedAJvm(r)) {
      // A JVM's size is set by its flags, not by its load: JVM owns the advice (heap and
      // off-heap caps that fit the limit), and "raise the limit" would only move the kill.
      return Optional.empty();
    }
    long peak = r.victim().map(TightLimitAnalyzer::peakBytes).orElse(0L);
    String peakFrom = "the victim's anon + file + shmem RSS + page tables at the kill";
    if (peak * 10 < limit * 8) {
      // The victim did not fill the limit: another task grew and this one was picked (a sidecar
      // in a pod, a high oom_score_adj). That is VICTIM-NOT-GROWER's and QOS-ORDER's to explain;
      // headroom sized from the victim would be wrong.
      return Optional.empty();
    }
    long low = peak * 3 / 2;
    long high = peak * 2;
    StringBuilder why = new StringBuilder();
    why.append("The memory cgroup ").append(r.oomMemcg().get()).append(" hit its ")
        .append(human(limit)).append(" limit with ").append(human(anon))
        .append(" of anonymous memory = ").append(wholePercent(anon, limit))
        .append(" of it: the workload's own memory filled the limit. ");
    if (s.kills().size() > 1) {
      why.append("It was killed ").append(s.kills().size()).append(" times with no growth from "
          + "kill to kill, so the limit is at its working size rather than behind a leak. ");
    } else {
      why.append("One kill, no growth evidence: a spike over a limit set at the steady use. ");
    }
    r.victim().ifPresent(v -> why.append("The victim ").append(v.comm()).append(" held ")
        .append(human(peakBytes(v))).append(" (").append(breakdown(v)).append("). "));
    why.append("Observed peak (").append(peakFrom).append("): ").append(human(peak))
        .append("; 1.5 x = ").append(human(low)).append(", 2 x = ").append(human(high))
        .append(".");
    if (limitOwner.kind() == Workload.Kind.POD && r.taskMemcg().isPresent()
        && !r.taskMemcg().equals(r.oomMemcg())) {
      why.append(" The limit that fired is the pod's (the sum of its containers' limits): give "
          + "the headroom to the container that grew.");
    }
    List<SourceLine> ev = new ArrayList<>();
    ev.add(r.memcg().get().source());
    ChargeBreakdown.of(r).ifPresent(b -> ev.addAll(b.cite("anon", "file", "shmem")));
    r.victim().ifPresent(v -> ev.add(v.source()));

    List<Fix> fixes = new ArrayList<>();
    fixes.add(new Fix(Layer.CONTAINER_LIMIT, "Set the limit at 1.5x to 2x the observed peak: "
        + human(peak) + " x 1.5 = " + Sizes.quantityMi(low) + " to x 2 = "
        + Sizes.quantityMi(high) + "; request the peak, " + Sizes.quantityMi(peak)
        + ", for scheduling.",
        Optional.of(LimitSnippet.forWorkload(r.workload(), r.oomMemcg().get(), peak, low))));
    boolean guaranteed = r.workload().qosClass().orElse(null) == Workload.QosClass.Guaranteed;
    fixes.add(new Fix(Layer.POD_SPEC, (guaranteed
        ? "This pod is Guaranteed (requests = limits): it is protected from eviction but has "
            + "no headroom. To stay Guaranteed, set both to "
        : "Requests are for scheduling, limits are the kill line; requests = limits makes the "
            + "pod Guaranteed (evicted last) but leaves no headroom. For Guaranteed QoS set both "
            + "to ") + Sizes.quantityMi(low) + "; otherwise request " + Sizes.quantityMi(
        peak) + " and limit " + Sizes.quantityMi(low) + " (Burstable).",
        Optional.of(LimitSnippet.kubernetes(low, low))));
    String summary = "Limit " + human(limit) + " of " + r.oomMemcg().get() + " held "
        + human(anon) + " of anon (" + wholePercent(anon, limit) + "): no headroom; set it to "
        + Sizes.quantityMi(low) + "-" + Sizes.quantityMi(high);
    return Optional.of(new Finding(INFO.code(), Severity.MEDIUM,
        s.kills().size() > 1 ? Confidence.MEDIUM : Confidence.LOW, summary, why.toString(),
        SourceLines.distinct(ev), fixes));
  }

  static long peakBytes(Victim v) {
    return v.anonRssBytes().orElse(0) + v.fileRssBytes().orElse(0) + v.shmemRssBytes().orElse(0)
        + v.pgtablesBytes().orElse(0);
  }

  private static String breakdown(Victim v) {
    List<String> parts = new ArrayList<>();
    parts.add("anon " + human(v.anonRssBytes().orElse(0)));
    parts.add("file " + human(v.fileRssBytes().orElse(0)));
    v.shmemRssBytes().ifPresent(x -> parts.add("shmem " + human(x)));
    v.pgtablesBytes().ifPresent(x -> parts.add("page tables " + human(x)));
    return String.join(", ", parts);
  }
}
