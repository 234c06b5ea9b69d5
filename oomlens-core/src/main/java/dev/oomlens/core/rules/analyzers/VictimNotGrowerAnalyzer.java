package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.model.TaskRow;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.Badness;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.Incident;
import dev.oomlens.core.rules.ReportFacts;
import dev.oomlens.core.rules.RuleInfo;
import dev.oomlens.core.rules.Sizes;
import dev.oomlens.core.rules.TaskGrowth;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/*
 * Two ways to see that the task that died is not the one that took the memory:
 *
 * 1. Across the task tables of one incident, a task grew (TaskGrowth) and a kill took somebody
 *    else: the grower lives on (at least until a later kill) while an idle neighbour died.
 * 2. Within one table, the trigger (whose allocation failed) is not the victim AND holds the
 *    memory: it is the largest task, holds more than the victim and at least a quarter of the
 *    memory the kernel ranks against (limit, or RAM + swap). Trigger != victim alone is common and
 *    harmless (any task can be the one whose allocation tips the limit), so it is not enough.
 */

/** {@code VICTIM-NOT-GROWER}: the task that was killed is not the one that took the memory. */
public final class VictimNotGrowerAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
          "VICTIM-NOT-GROWER",
          "The task killed is not the task that grew and holds the memory",
          Severity.MEDIUM,
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
      finding(incident).ifPresent(out::add);
    }
    return out;
  }

  private static Optional<Finding> finding(Incident incident) {
    TaskGrowth growth = TaskGrowth.of(incident);
    List<OomReport> reports = incident.reports();
    for (int i = 0; i < reports.size(); i++) {
      OomReport r = reports.get(i);
      TaskGrowth.Comparison c = TaskGrowth.compare(r);
      if (c.victim().isEmpty()) {
        continue;
      }
      TaskRow victim = c.victim().get();
      Optional<TaskRow> grower = growerBesides(growth, i, r, victim);
      if (grower.isPresent()) {
        TaskGrowth.Track track = growth.trackOf(i, grower.get()).orElseThrow();
        StringBuilder why =
            new StringBuilder("Across the ")
                .append(reports.size())
                .append(" task tables of this incident, ")
                .append(ReportFacts.name(grower.get()))
                .append(" grew by ")
                .append(Sizes.bytes(track.growthBytes()))
                .append(" (rss + swap, from ")
                .append(Sizes.bytes(ReportFacts.heldBytes(track.first().row())))
                .append(" to ")
                .append(Sizes.bytes(ReportFacts.heldBytes(track.last().row())))
                .append("), but the kill took ")
                .append(ReportFacts.name(victim))
                .append(", holding ")
                .append(Sizes.bytes(ReportFacts.heldBytes(victim)))
                .append('.');
        badness(r).ifPresent(why::append);
        List<SourceLine> cited = new ArrayList<>();
        track.samples().forEach(s -> cited.add(s.row().source()));
        cited.add(victim.source());
        ReportFacts.triggerLine(r).ifPresent(cited::add);
        ReportFacts.killLine(r).ifPresent(cited::add);
        return Optional.of(make(grower.get(), victim, why.toString(), cited, Confidence.HIGH));
      }
      if (triggerHoldsTheMemory(r, c)) {
        TaskRow trigger = c.trigger().get();
        StringBuilder why =
            new StringBuilder("The allocation that failed was ")
                .append(ReportFacts.name(trigger))
                .append("'s, the largest task of the table with ")
                .append(Sizes.bytes(ReportFacts.heldBytes(trigger)))
                .append(" (rss + swap), but the kill took ")
                .append(ReportFacts.name(victim))
                .append(" with ")
                .append(Sizes.bytes(ReportFacts.heldBytes(victim)))
                .append('.');
        badness(r).ifPresent(why::append);
        List<SourceLine> cited =
            new ArrayList<>(
                ReportFacts.cite(
                    ReportFacts.triggerLine(r),
                    Optional.of(trigger.source()),
                    Optional.of(victim.source()),
                    ReportFacts.killLine(r)));
        return Optional.of(make(trigger, victim, why.toString(), cited, Confidence.MEDIUM));
      }
    }
    return Optional.empty();
  }

  /** A grower of the incident that is in this table and is not the victim's track. */
  private static Optional<TaskRow> growerBesides(
      TaskGrowth growth, int reportIndex, OomReport r, TaskRow victim) {
    if (growth.isGrower(reportIndex, victim)) {
      return Optional.empty();
    }
    for (TaskGrowth.Track t : growth.growers()) {
      for (TaskGrowth.Sample s : t.samples()) {
        if (s.reportIndex() == reportIndex && !s.row().equals(victim)) {
          return Optional.of(s.row());
        }
      }
    }
    return Optional.empty();
  }

  private static boolean triggerHoldsTheMemory(OomReport r, TaskGrowth.Comparison c) {
    if (!c.triggerIsNotVictim() || c.largest().isEmpty()) {
      return false;
    }
    TaskRow trigger = c.trigger().get();
    TaskRow victim = c.victim().get();
    long held = ReportFacts.heldBytes(trigger);
    if (!c.largest().get().equals(trigger) || held <= ReportFacts.heldBytes(victim)) {
      return false;
    }
    Optional<Badness> b = Badness.of(r);
    return b.isPresent() && held / r.pageSizeBytes() * 4 >= b.get().totalPages();
  }

  private static Optional<String> badness(OomReport r) {
    Optional<Badness> b = Badness.of(r);
    if (b.isEmpty()) {
      return Optional.empty();
    }
    Optional<Badness.Score> v = b.get().victim(r);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    StringBuilder s =
        new StringBuilder(" The kernel's badness (rss + swap + page tables + ")
            .append("oom_score_adj x ")
            .append(b.get().totalPages() / 1000)
            .append(" pages) gave the victim ")
            .append(v.get().points())
            .append(" points (")
            .append(v.get().basePages())
            .append(" + ")
            .append(v.get().adjPages())
            .append(")");
    b.get()
        .next(r)
        .ifPresent(
            n ->
                s.append(" against ")
                    .append(n.points())
                    .append(" for ")
                    .append(ReportFacts.name(n.row()))
                    .append(" (")
                    .append(n.basePages())
                    .append(" + ")
                    .append(n.adjPages())
                    .append(")"));
    s.append(
        b.get().victimRank().isPresent() && b.get().victimRank().getAsInt() == 1
            ? ": oom_score_adj decided it."
            : ".");
    return Optional.of(s.toString());
  }

  private static Finding make(
      TaskRow grower, TaskRow victim, String why, List<SourceLine> cited, Confidence confidence) {
    long held = ReportFacts.heldBytes(grower);
    long budget = LimitPolicy.forTask(held);
    List<Fix> fixes =
        List.of(
            new Fix(
                Layer.APPLICATION,
                "Look at "
                    + grower.comm()
                    + " first: it took the memory;"
                    + " restarting "
                    + victim.comm()
                    + " fixes nothing.",
                Optional.empty()),
            new Fix(
                Layer.CONTAINER_LIMIT,
                "Give the process that grows a limit of its own (its own"
                    + " container or unit), so it is stopped at its limit instead of a neighbour: "
                    + Sizes.quantityMi(budget)
                    + ", 1.5 x the "
                    + Sizes.bytes(held)
                    + " it held at the"
                    + " kill.",
                Optional.of(
                    "containers:\n"
                        + "- name: <container running "
                        + grower.comm()
                        + ">\n"
                        + "  resources:\n"
                        + "    limits:\n"
                        + "      memory: \""
                        + Sizes.quantityMi(budget)
                        + "\"   # 1.5 x the "
                        + Sizes.bytes(held)
                        + " it held\n")));
    // Protecting the victim with a lower oom_score_adj is QOS-ORDER's fix, when the adj decided.
    String summary =
        victim.comm()
            + " was killed but "
            + grower.comm()
            + " took the memory ("
            + Sizes.bytes(held)
            + ")";
    return new Finding(
        INFO.code(), Severity.MEDIUM, confidence, summary, why, ReportFacts.sorted(cited), fixes);
  }
}
