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
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.ReportFacts;
import dev.oomlens.core.rules.RuleInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/*
 * mm/oom_kill.c check_panic_on_oom(): vm.panic_on_oom=1 panics on a global OOM ("system-wide
 * panic_on_oom is enabled"), =2 on any OOM, memcg and cpuset included ("compulsory panic_on_oom is
 * enabled"). The other OOM panic is "Out of memory and no killable processes..." followed (4.19+,
 * global only) by "System is deadlocked on memory": every candidate was unkillable
 * (oom_score_adj -1000) or already exiting.
 */

/** {@code PANIC-ON-OOM}: the OOM ended in a kernel panic instead of a kill. */
public final class PanicOnOomAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
          "PANIC-ON-OOM",
          "vm.panic_on_oom turned the OOM into a kernel panic",
          Severity.CRITICAL,
          RuleInfo.Scope.HOST,
          Layer.APPLICATION,
          Layer.KERNEL_SWAP);

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    List<Finding> out = new ArrayList<>();
    for (OomReport r : evidence.reports()) {
      // Nothing killable is NOTHING-KILLABLE's: the panic follows from the -1000s there.
      if (r.panic().isPresent() && !r.noKillableProcesses()) {
        out.add(finding(r, r.panic().get()));
      }
    }
    return out;
  }

  private static Finding finding(OomReport r, String panic) {
    List<SourceLine> cited = new ArrayList<>();
    ReportFacts.triggerLine(r).ifPresent(cited::add);
    r.factLines().panic().ifPresent(cited::add);
    boolean sysctl = panic.contains("panic_on_oom");
    boolean compulsory = panic.contains("compulsory");
    StringBuilder why =
        new StringBuilder("The kernel printed '")
            .append(panic)
            .append("': the machine went down instead of killing one task.");
    List<Fix> fixes = new ArrayList<>();
    String summary;
    if (sysctl) {
      why.append(
          compulsory
              ? " vm.panic_on_oom=2 panics on every OOM, a container's memcg limit included."
              : " vm.panic_on_oom=1 panics on a host-wide OOM.");
      summary =
          "vm.panic_on_oom="
              + (compulsory ? 2 : 1)
              + " turned an OOM into a kernel panic (the machine went down)";
      fixes.add(
          new Fix(
              Layer.KERNEL_SWAP,
              "Unless a panic-and-reboot is wanted on purpose (some clusters fail over this way),"
                  + " let the OOM killer kill one task instead; keep kernel.panic so a real panic"
                  + " still reboots.",
              Optional.of(
                  "# /etc/sysctl.d/90-oom.conf\n"
                      + "vm.panic_on_oom = 0\n"
                      + "kernel.panic = 10   # reboot 10 s after any other panic\n")));
    } else {
      long protectedTasks = r.tasks().stream().filter(t -> t.oomScoreAdj() == -1000).count();
      why.append(" No task could be killed: ")
          .append(protectedTasks)
          .append(" of ")
          .append(r.tasks().size())
          .append(" listed tasks had oom_score_adj -1000.");
      r.tasks().stream()
          .filter(t -> t.oomScoreAdj() == -1000)
          .map(TaskRow::source)
          .limit(10)
          .forEach(cited::add);
      summary = "The OOM panicked: no killable process was left";
      fixes.add(
          new Fix(
              Layer.APPLICATION,
              "Give only the truly essential daemons oom_score_adj -1000 (OOMScoreAdjust=-1000 in"
                  + " their units); the memory user must stay killable.",
              Optional.of(
                  "# systemctl edit <unit that should be killable>\n[Service]\n"
                      + "OOMScoreAdjust=0\n")));
    }
    return new Finding(
        INFO.code(),
        Severity.CRITICAL,
        Confidence.HIGH,
        summary,
        why.toString(),
        ReportFacts.sorted(cited),
        fixes);
  }
}
