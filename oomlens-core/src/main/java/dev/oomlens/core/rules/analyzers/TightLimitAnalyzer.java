package dev.oomlens.core.rules.analyzers;

import static dev.oomlens.core.rules.Sizes.human;
import static dev.oomlens.core.rules.Sizes.wholePercent;

import dev.oomlens.core.cgroup.CgroupPaths;
import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.MemcgState;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.OomScope;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.model.Victim;
import dev.oomlens.core.model.Workload;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.Incident;
import dev.oomlens.core.rules.RuleInfo;
import dev.oomlens.core.rules.Sizes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

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
  private static final RuleInfo INFO =
      RuleInfo.of(
          "TIGHT-LIMIT",
          "The memory limit leaves no headroom over the workload's use",
          Severity.MEDIUM,
          RuleInfo.Scope.WORKLOAD,
          Layer.CONTAINER_LIMIT,
          Layer.POD_SPEC);

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    // One finding per limit: the incidents of one cgroup on one host (kills hours apart are
    // separate incidents) share one number and one count of kills.
    Map<List<Object>, List<OomReport>> byLimit = new LinkedHashMap<>();
    for (Incident incident : evidence.incidents()) {
      if (incident.cgroup().isEmpty()) {
        continue;
      }
      byLimit
          .computeIfAbsent(
              List.of(incident.host(), incident.cgroup().get()), k -> new ArrayList<>())
          .addAll(incident.reports());
    }
    List<Finding> out = new ArrayList<>();
    for (List<OomReport> reports : byLimit.values()) {
      List<OomReport> kills =
          Episodes.shortages(reports).stream()
              .filter(
                  r ->
                      r.victim().isPresent()
                          && r.memcg().isPresent()
                          && r.scope().filter(sc -> sc == OomScope.MEMCG).isPresent())
              .toList();
      if (!kills.isEmpty()) {
        finding(evidence, reports, kills).ifPresent(out::add);
      }
    }
    return out;
  }

  private Optional<Finding> finding(
      EvidenceSet evidence, List<OomReport> reports, List<OomReport> kills) {
    OomReport r = kills.getLast();
    if (r.workload().kubevirt() || r.oomMemcg().isEmpty()) {
      return Optional.empty();
    }
    Workload limitOwner = CgroupPaths.decode(r.oomMemcg().get());
    if (limitOwner.kind() == Workload.Kind.KUBEPODS) {
      return Optional.empty();
    }
    MemcgState m = r.memcg().get();
    if (MemcgState.isUnlimited(m.limitBytes()) || m.memswLimitHit()) {
      return Optional.empty();
    }
    long limit = m.limitBytes();
    OptionalLong anonOf =
        ChargeBreakdown.of(r).map(ChargeBreakdown::anonBytes).orElse(OptionalLong.empty());
    long anon = anonOf.orElse(r.victim().get().anonRssBytes().orElse(0));
    if (anon < ANON_SHARE * limit) {
      return Optional.empty();
    }
    if (JvmAnalyzer.killedAJvm(r)) {
      // A JVM's size is set by its flags, not by its load: JVM owns the advice (heap and
      // off-heap caps that fit the limit), and "raise the limit" would only move the kill.
      return Optional.empty();
    }
    long peak = peakBytes(r.victim().get());
    if (peak * 10 < limit * 8) {
      // The victim did not fill the limit: another task grew and this one was picked (a sidecar
      // in a pod, a high oom_score_adj). That is VICTIM-NOT-GROWER's and QOS-ORDER's to explain;
      // headroom sized from the victim would be wrong.
      return Optional.empty();
    }
    // The size of a leak grows from kill to kill: LEAK owns it, and no limit is raised.
    if (!(LimitPolicy.advise(evidence, reports).orElse(null) instanceof LimitPolicy.Raise raise)) {
      return Optional.empty();
    }
    StringBuilder why = new StringBuilder();
    why.append("The memory cgroup ")
        .append(r.oomMemcg().get())
        .append(" hit its ")
        .append(human(limit))
        .append(" limit with ")
        .append(human(anon))
        .append(" of anonymous memory = ")
        .append(wholePercent(anon, limit))
        .append(" of it: the workload's own memory filled the limit. ");
    if (kills.size() > 1) {
      why.append("It was killed ")
          .append(kills.size())
          .append(
              " times, with no growth from"
                  + " kill to kill: the limit is at its working size rather than behind a leak. ");
    } else {
      why.append(
          "One kill, so no growth from kill to kill can be seen: a spike over a limit set"
              + " at the steady use is the likeliest reading. ");
    }
    r.victim()
        .ifPresent(
            v ->
                why.append("The victim ")
                    .append(v.comm())
                    .append(" held ")
                    .append(human(peakBytes(v)))
                    .append(" (")
                    .append(breakdown(v))
                    .append("); the cgroup")
                    .append(" held ")
                    .append(human(raise.peakBytes()))
                    .append(" in all. "));
    why.append("Raised to 1.5 x what it held, the limit is ")
        .append(Sizes.quantityMi(raise.newBytes()))
        .append('.');
    if (limitOwner.kind() == Workload.Kind.POD
        && r.taskMemcg().isPresent()
        && !r.taskMemcg().equals(r.oomMemcg())) {
      why.append(
          " The limit that fired is the pod's (the sum of its containers' limits): give "
              + "the headroom to the container that grew.");
    }
    List<SourceLine> ev = new ArrayList<>();
    ev.add(m.source());
    ChargeBreakdown.of(r).ifPresent(b -> ev.addAll(b.cite("anon", "file", "shmem")));
    kills.forEach(k -> ev.add(k.victim().get().source()));

    List<Fix> fixes = new ArrayList<>();
    fixes.add(raise.fix());
    boolean kubernetes = limitOwner.podUid().isPresent() || r.workload().podUid().isPresent();
    if (kubernetes && limitOwner.kind() == Workload.Kind.CONTAINER) {
      boolean guaranteed = r.workload().qosClass().orElse(null) == Workload.QosClass.Guaranteed;
      String limitMi = Sizes.quantityMi(raise.newBytes());
      fixes.add(
          new Fix(
              Layer.POD_SPEC,
              (guaranteed
                  ? "This pod is Guaranteed (requests = limits): it is protected from eviction but has "
                      + "no headroom. To stay Guaranteed, set both to "
                      + limitMi
                      + "."
                  : "Requests are for scheduling, limits are the kill line: request what it needs in"
                      + " steady use and keep the limit at "
                      + limitMi
                      + " (Burstable); setting the"
                      + " request to "
                      + limitMi
                      + " too makes the pod Guaranteed (evicted last)."),
              Optional.of(
                  LimitSnippet.kubernetes(
                      guaranteed ? raise.newBytes() : raise.peakBytes(), raise.newBytes()))));
    }
    String summary =
        "Limit "
            + human(limit)
            + " of "
            + r.oomMemcg().get()
            + " held "
            + human(anon)
            + " of anon ("
            + wholePercent(anon, limit)
            + "): no headroom; raise it"
            + " to "
            + Sizes.quantityMi(raise.newBytes());
    return Optional.of(
        new Finding(
            INFO.code(),
            Severity.MEDIUM,
            kills.size() > 1 ? Confidence.MEDIUM : Confidence.LOW,
            summary,
            why.toString(),
            SourceLines.distinct(ev),
            fixes));
  }

  static long peakBytes(Victim v) {
    return v.anonRssBytes().orElse(0)
        + v.fileRssBytes().orElse(0)
        + v.shmemRssBytes().orElse(0)
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
