package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.HostMemory.ZoneMemory;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.FreeMemory;
import dev.oomlens.core.rules.ReportFacts;
import dev.oomlens.core.rules.RuleInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/*
 * drivers/tty/sysrq.c: SysRq-f (or "echo f > /proc/sysrq-trigger") queues moom_callback, which
 * calls out_of_memory() with order = -1 and no memcg: the report looks global, but nothing ran out.
 * The kernel's own comment: "order == -1 means the oom kill is required by sysrq, otherwise only
 * for display purposes".
 */

/** {@code SYSRQ-MANUAL}: someone forced the OOM killer (SysRq-f); memory was not short. */
public final class SysrqManualAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
          "SYSRQ-MANUAL",
          "Someone forced the OOM killer with SysRq-f (order=-1): not a memory shortage",
          Severity.INFO,
          RuleInfo.Scope.KILL,
          Layer.KERNEL_SWAP);

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    List<Finding> out = new ArrayList<>();
    for (OomReport r : evidence.reports()) {
      if (ReportFacts.isManual(r)) {
        out.add(finding(r));
      }
    }
    return out;
  }

  private static Finding finding(OomReport r) {
    StringBuilder why = new StringBuilder();
    List<SourceLine> cited = new ArrayList<>();
    ReportFacts.triggerLine(r).ifPresent(cited::add);
    Optional<SourceLine> work = ReportFacts.sysrqWorkqueueLine(r);
    work.ifPresent(cited::add);
    why.append("The OOM killer was invoked with order=")
        .append(r.order().isPresent() ? r.order().getAsInt() : "?")
        .append(work.isPresent() ? " from the moom_callback work item" : "")
        .append(": that is SysRq-f (the keyboard, or 'f' written to /proc/sysrq-trigger), not an")
        .append(" allocation that failed.");
    Optional<FreeMemory> free = FreeMemory.of(r);
    String memory = "";
    if (free.isPresent()) {
      List<ZoneMemory> low = free.get().belowLow();
      r.hostMemory().ifPresent(h -> cited.add(h.source()));
      if (low.isEmpty()) {
        why.append(" Memory was not short: ")
            .append(free.get().usableFreeBytes() / 1024)
            .append(" kB free and every zone above its low watermark");
        free.get()
            .sum(ZoneMemory::highBytes)
            .ifPresent(
                h -> why.append(" (high watermarks sum to ").append(h / 1024).append(" kB)"));
        why.append('.');
        free.get().zones().forEach(z -> cited.add(z.source()));
        memory = "; memory was not short";
      } else {
        why.append(" Some zones were low as well (")
            .append(FreeMemory.describe(low.getFirst()))
            .append("): whoever forced it may have been rescuing a stuck machine.");
        low.forEach(z -> cited.add(z.source()));
      }
    }
    r.victim()
        .ifPresent(
            v -> {
              why.append(" Killed: ")
                  .append(ReportFacts.name(v))
                  .append(", the task with the highest")
                  .append(" badness at that moment.");
              cited.add(v.source());
            });
    return new Finding(
        INFO.code(),
        Severity.INFO,
        Confidence.HIGH,
        "The OOM kill was forced by hand (SysRq-f)"
            + memory
            + r.victim().map(v -> "; " + v.comm() + " was killed").orElse(""),
        why.toString(),
        ReportFacts.sorted(cited),
        List.of(
            new Fix(
                Layer.KERNEL_SWAP,
                "Find who sends SysRq-f (an operator, a watchdog or hung-task script writing to"
                    + " /proc/sysrq-trigger). To stop it, leave the 'signal processes' bit (64) out"
                    + " of kernel.sysrq; /proc/sysrq-trigger as root still works.",
                Optional.of(
                    "# /etc/sysctl.d/90-sysrq.conf\n"
                        + "kernel.sysrq = 176   # 128 reboot + 32 remount + 16 sync;"
                        + " no 64: no SysRq-f\n"))));
  }
}
