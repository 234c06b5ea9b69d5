package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.Constraint;
import dev.oomlens.core.model.MemcgState;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.OomScope;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.Incident;
import dev.oomlens.core.rules.MemcgLevel;
import dev.oomlens.core.rules.ReportFacts;
import dev.oomlens.core.rules.RuleInfo;
import dev.oomlens.core.rules.Sizes;
import dev.oomlens.core.rules.TaskGrowth;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/*
 * Fires on a memcg OOM (constraint CONSTRAINT_MEMCG, or the pre-4.19 shape) whose oom_memcg is a
 * container, a pod, a systemd unit or another cgroup below the node level; the kubepods and QoS
 * levels belong to NODE-ALLOCATABLE. The fix raises the limit by half (seed 004: 1.5-2x the
 * observed peak; the peak is at least the limit, since usage was capped there) and says, in the
 * same breath, that a leak makes that useless: whether it is a leak is LEAK's call, not this one's.
 */

/** {@code MEMCG-LIMIT}: a container, pod or systemd unit hit its own memory limit. */
public final class MemcgLimitAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
          "MEMCG-LIMIT",
          "A container, pod or systemd unit hit its own memory cgroup limit",
          Severity.HIGH,
          RuleInfo.Scope.WORKLOAD,
          Layer.APPLICATION,
          Layer.CONTAINER_LIMIT,
          Layer.POD_SPEC);

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    List<Finding> out = new ArrayList<>();
    for (Incident incident : evidence.incidents()) {
      List<OomReport> hits =
          Episodes.shortages(incident.reports()).stream()
              .filter(r -> r.scope().filter(s -> s == OomScope.MEMCG).isPresent())
              .filter(r -> MemcgLevel.of(r).filter(l -> !l.isNodeLevel()).isPresent())
              .filter(MemcgLimitAnalyzer::limitWasHit)
              .toList();
      if (!hits.isEmpty()) {
        out.add(finding(evidence, incident, hits));
      }
    }
    return out;
  }

  /*
   * A memory cgroup without a limit of its own (memory.max "max") can still be where the OOM
   * killer ran: a BPF OOM handler, or memory.oom_control, forced it there, or cgroup v1's
   * memory+swap was the limit hit. Only the last is a limit hit; a report whose block was not
   * printed (a paste cut short) is taken at its word.
   */
  static boolean limitWasHit(OomReport r) {
    return r.memcg()
        .map(m -> !MemcgState.isUnlimited(m.limitBytes()) || m.memswLimitHit())
        .orElse(true);
  }

  private static Finding finding(EvidenceSet evidence, Incident incident, List<OomReport> hits) {
    OomReport r =
        hits.stream().filter(x -> x.memcg().isPresent()).findFirst().orElse(hits.getFirst());
    MemcgLevel level = MemcgLevel.of(r).orElseThrow();
    String cgroup = r.oomMemcg().orElseThrow();
    String who = who(r, level, cgroup);
    Optional<MemcgState> m = r.memcg();
    boolean memsw = m.map(MemcgState::memswLimitHit).orElse(false);
    StringBuilder why = new StringBuilder();
    why.append("The kernel's OOM killer ran for the memory cgroup ")
        .append(cgroup)
        .append(" (")
        .append(r.constraint().map(Constraint::name).orElse("memcg report shape"))
        .append("): ")
        .append(who)
        .append(" reached its own ")
        .append(memsw ? "memory+swap limit" : "limit")
        .append(", not the machine's memory.");
    if (m.isPresent()) {
      why.append(' ').append(numbers(m.get()));
    }
    if (level == MemcgLevel.POD) {
      why.append(" The limit is the pod's: oom_memcg is the pod cgroup while the victim ran in ")
          .append(r.taskMemcg().orElse("a container of it"))
          .append(", so the containers together used the sum of their limits.");
      TaskGrowth.Comparison c = TaskGrowth.compare(r);
      c.largest()
          .ifPresent(
              t ->
                  why.append(" Largest task: ")
                      .append(ReportFacts.name(t))
                      .append(" with ")
                      .append(Sizes.bytes(ReportFacts.heldBytes(t)))
                      .append('.'));
    }
    r.victim()
        .ifPresent(
            v ->
                why.append(" Killed: ")
                    .append(ReportFacts.name(v))
                    .append(
                        v.rssBytes().isPresent()
                            ? ", " + Sizes.bytes(v.rssBytes().getAsLong()) + " resident"
                            : "")
                    .append('.'));
    long kills = hits.stream().filter(h -> h.victim().isPresent()).count();
    if (hits.size() > 1) {
      why.append(" The limit was hit ")
          .append(hits.size())
          .append(" times in this incident")
          .append(kills == hits.size() ? "." : ", " + kills + " of them with a kill.");
    }
    List<SourceLine> cited =
        new ArrayList<>(
            ReportFacts.cite(
                ReportFacts.triggerLine(r),
                r.memcg().map(MemcgState::source),
                r.memcg().flatMap(MemcgState::memswSource).filter(x -> memsw),
                ReportFacts.constraintLine(r),
                ReportFacts.killLine(r)));
    for (OomReport other : hits) {
      ReportFacts.killLine(other).ifPresent(cited::add);
    }
    Confidence confidence = m.isPresent() ? Confidence.HIGH : Confidence.MEDIUM;
    String limit =
        memsw
            ? " memory+swap limit of " + Sizes.bytes(m.get().memswLimitBytes().getAsLong())
            : " memory limit"
                + m.filter(x -> !MemcgState.isUnlimited(x.limitBytes()))
                    .map(x -> " of " + Sizes.bytes(x.limitBytes()))
                    .orElse("");
    String summary =
        capitalize(who) + " hit its" + limit + (kills > 1 ? " (" + kills + " kills)" : "");
    List<Fix> fixes = new ArrayList<>();
    LimitPolicy.advise(evidence, incident.reports())
        .ifPresentOrElse(
            a -> fixes.add(a.fix()),
            () ->
                fixes.add(
                    new Fix(
                        Layer.APPLICATION,
                        "Find what filled the cgroup (the largest"
                            + " tasks of the table) and bound it; the report does not print the limit, so no"
                            + " new value can be computed from it.",
                        Optional.empty())));
    return new Finding(
        INFO.code(),
        Severity.HIGH,
        confidence,
        summary,
        why.toString(),
        ReportFacts.sorted(cited),
        fixes);
  }

  private static String who(OomReport r, MemcgLevel level, String cgroup) {
    return switch (level) {
      case CONTAINER ->
          r.workload().podUid().isPresent()
              ? "the container "
                  + shortId(r.workload().containerId())
                  + " of pod "
                  + r.workload().podUid().get()
              : "the container " + shortId(r.workload().containerId());
      case POD -> "pod " + r.workload().podUid().orElse(leaf(cgroup)) + " (all its containers)";
      case UNIT -> "the systemd unit " + leaf(cgroup);
      default -> "the cgroup " + cgroup;
    };
  }

  private static String numbers(MemcgState m) {
    StringBuilder s = new StringBuilder();
    long usageKb = m.usageBytes() / 1024;
    long limitKb = m.limitBytes() / 1024;
    s.append("Usage ").append(usageKb).append(" kB of a ");
    if (MemcgState.isUnlimited(m.limitBytes())) {
      s.append("unlimited memory limit");
    } else {
      s.append(limitKb).append(" kB limit (").append(Sizes.percent(usageKb, limitKb)).append(')');
    }
    m.failcnt()
        .ifPresent(f -> s.append(", failcnt ").append(f).append(" (charges that hit the limit)"));
    s.append('.');
    if (m.memswLimitBytes().isPresent()
        && m.memswUsageBytes().isPresent()
        && !MemcgState.isUnlimited(m.memswLimitBytes().getAsLong())) {
      long mu = m.memswUsageBytes().getAsLong() / 1024;
      long ml = m.memswLimitBytes().getAsLong() / 1024;
      if (mu * 100 >= ml * 99) {
        s.append(" memory+swap was at its limit too (")
            .append(mu)
            .append(" of ")
            .append(ml)
            .append(" kB): swap could not take more.");
      }
    }
    if (m.swapLimitBytes().isPresent() && m.swapLimitBytes().getAsLong() == 0) {
      s.append(" No swap was allowed (swap limit 0).");
    }
    if (!MemcgState.isUnlimited(m.limitBytes()) && usageKb * 100 < limitKb * 95) {
      s.append(" Usage is below the limit: the failed charge was larger than the headroom, the")
          .append(" limit was lowered, or memory+swap was the limit hit.");
    }
    return s.toString();
  }

  private static String shortId(Optional<String> id) {
    return id.map(x -> x.length() > 12 ? x.substring(0, 12) : x).orElse("(unnamed)");
  }

  static String leaf(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }

  private static String capitalize(String s) {
    return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1);
  }
}
