package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.OomScope;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.model.TaskRow;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.ReportFacts;
import dev.oomlens.core.rules.RuleInfo;
import dev.oomlens.core.rules.RuleInfo.Watch;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/*
 * mm/oom_kill.c out_of_memory(): when select_bad_process() finds no task (every candidate has
 * oom_score_adj -1000, OOM_SCORE_ADJ_MIN, which oom_badness() skips, or is already exiting), the
 * kernel prints "Out of memory and no killable processes..." and kills nothing. Up to 4.18 a
 * host-wide OOM then panics with that text; 4.19+ prints it and panics with "System is deadlocked
 * on memory"; a memory cgroup's OOM does not panic: nothing is freed, the cgroup stays at its
 * limit and its tasks' charges keep failing. The root cause is the same either way, the -1000s,
 * so this rule owns the case and PANIC-ON-OOM keeps the panics that vm.panic_on_oom asked for.
 */

/** {@code NOTHING-KILLABLE}: the OOM killer found no task it was allowed to kill. */
public final class NothingKillableAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
              "NOTHING-KILLABLE",
              "The OOM killer found nothing it may kill (oom_score_adj -1000)",
              Severity.CRITICAL,
              RuleInfo.Scope.KILL,
              Layer.APPLICATION,
              Layer.CONTAINER_LIMIT)
          .watching(
              Watch.check(
                  "Tasks that the OOM killer may never pick (keep this list short)",
                  "grep -s -l -x -- -1000 /proc/[0-9]*/oom_score_adj"));

  /** OOM_SCORE_ADJ_MIN: oom_badness() never picks a task with it. */
  static final int UNKILLABLE = -1000;

  /** Task rows cited at most: the table can be long, and a few show the pattern. */
  private static final int CITED_ROWS = 10;

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    List<Finding> out = new ArrayList<>();
    for (OomReport r : evidence.reports()) {
      if (r.noKillableProcesses()) {
        out.add(finding(r));
      }
    }
    return out;
  }

  private static Finding finding(OomReport r) {
    List<SourceLine> cited = new ArrayList<>();
    ReportFacts.triggerLine(r).ifPresent(cited::add);
    r.factLines().noKillable().ifPresent(cited::add);
    r.factLines().panic().ifPresent(cited::add);
    boolean memcg = r.scope().orElse(null) == OomScope.MEMCG;
    if (memcg) {
      r.memcg().ifPresent(m -> cited.add(m.source()));
    }
    List<TaskRow> unkillable =
        r.tasks().stream().filter(t -> t.oomScoreAdj() == UNKILLABLE).toList();
    unkillable.stream().limit(CITED_ROWS).map(TaskRow::source).forEach(cited::add);

    StringBuilder why =
        new StringBuilder(
            "The kernel printed 'Out of memory and no killable"
                + " processes...': it looked for a task to kill ");
    why.append(memcg ? "in " + r.oomMemcg().orElse("the memory cgroup") : "on the host")
        .append(" and found none it was allowed to pick. ");
    if (r.tasks().isEmpty()) {
      why.append(
          "The report's task table is not in the input, so which tasks were protected"
              + " cannot be read from it; oom_score_adj -1000 (or tasks already exiting) is what"
              + " makes the kernel skip them.");
    } else {
      why.append(unkillable.size())
          .append(" of the ")
          .append(r.tasks().size())
          .append(" tasks listed had oom_score_adj -1000, which the kernel never picks");
      why.append(
          unkillable.size() == r.tasks().size()
              ? "."
              : "; the others were exiting" + " or kernel threads.");
    }
    r.trigger()
        .flatMap(
            t ->
                t.oomScoreAdj().isPresent()
                    ? Optional.of(t.oomScoreAdj().getAsInt())
                    : Optional.empty())
        .filter(adj -> adj == UNKILLABLE)
        .ifPresent(
            adj ->
                why.append(" The task that ran out, ")
                    .append(r.trigger().get().comm())
                    .append(", was protected too."));
    String outcome;
    if (r.panic().isPresent()) {
      why.append(" The kernel then panicked ('")
          .append(r.panic().get())
          .append("'): the machine went down instead of one task.");
      outcome = "the kernel panicked";
    } else if (memcg) {
      why.append(
          " Nothing was freed: the cgroup stays at its limit and its tasks' charges keep"
              + " failing (they stall or get out-of-memory errors) until something exits.");
      outcome = "nothing was killed and the cgroup stays full";
    } else {
      outcome = "nothing was killed";
    }
    String summary =
        "No task could be killed"
            + (unkillable.isEmpty()
                ? ""
                : " (" + unkillable.size() + " of " + r.tasks().size() + " at oom_score_adj -1000)")
            + ": "
            + outcome;

    List<Fix> fixes = new ArrayList<>();
    fixes.add(
        new Fix(
            Layer.APPLICATION,
            "Keep oom_score_adj -1000 for the few daemons the host"
                + " cannot live without; the process that uses the memory must stay killable. Find the"
                + " protected tasks, then reset the unit or container that sets -1000.",
            Optional.of(
                "grep -s -l -x -- -1000 /proc/[0-9]*/oom_score_adj"
                    + " | cut -d/ -f3 | xargs -r ps -o pid,oom_score_adj,comm -p\n"
                    + "# a systemd unit: systemctl edit <unit>\n[Service]\nOOMScoreAdjust=0\n"
                    + "# a container: drop --oom-score-adj=-1000 (docker run, podman run)\n")));
    if (memcg) {
      fixes.add(
          new Fix(
              Layer.CONTAINER_LIMIT,
              "Until the tasks are killable, the limit can only"
                  + " be enforced by failing allocations: size it for the workload (see MEMCG-LIMIT) or"
                  + " let the processes in it be killed.",
              Optional.empty()));
    }
    return new Finding(
        INFO.code(),
        r.panic().isPresent() ? Severity.CRITICAL : Severity.HIGH,
        unkillable.isEmpty() ? Confidence.MEDIUM : Confidence.HIGH,
        summary,
        why.toString(),
        ReportFacts.sorted(cited),
        fixes);
  }
}
