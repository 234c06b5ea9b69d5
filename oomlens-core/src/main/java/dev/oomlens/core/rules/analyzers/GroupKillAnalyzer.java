package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.GroupKill;
import dev.oomlens.core.model.KilledTask;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.ReportFacts;
import dev.oomlens.core.rules.RuleInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/*
 * cgroup v2 memory.oom.group=1: after choosing a victim the kernel kills every task of the
 * victim's cgroup ("Tasks in X are going to be killed due to memory.oom.group set", then one kill
 * line per member). The kubelet sets it on every container since 1.28 on cgroup v2;
 * singleProcessOOMKill: true (kubelet config, 1.32+) turns it off so only the chosen process dies.
 * A group of one is no different from a single kill, so two or more dead are required.
 */

/** {@code GROUP-KILL}: memory.oom.group killed the whole cgroup for one allocation. */
public final class GroupKillAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
          "GROUP-KILL",
          "memory.oom.group killed every process of the container for one allocation",
          Severity.MEDIUM,
          RuleInfo.Scope.WORKLOAD,
          Layer.APPLICATION,
          Layer.NODE);

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    List<Finding> out = new ArrayList<>();
    for (OomReport r : evidence.reports()) {
      if (r.groupKill().isEmpty()) {
        continue;
      }
      Map<Long, String> dead = new LinkedHashMap<>();
      r.victim().ifPresent(v -> dead.put(v.pid(), v.comm()));
      r.groupKill().get().killed().forEach(k -> dead.putIfAbsent(k.pid(), k.comm()));
      if (dead.size() >= 2) {
        out.add(finding(r, r.groupKill().get(), dead));
      }
    }
    return out;
  }

  private static Finding finding(OomReport r, GroupKill group, Map<Long, String> dead) {
    String trigger =
        r.trigger()
            .map(
                t ->
                    t.comm()
                        + t.pid().stream().mapToObj(p -> " (pid " + p + ")").findFirst().orElse(""))
            .orElse("an allocation");
    List<String> names =
        dead.entrySet().stream().map(e -> e.getValue() + " (pid " + e.getKey() + ")").toList();
    StringBuilder why =
        new StringBuilder("The allocation of ")
            .append(trigger)
            .append(" hit the limit of ")
            .append(r.oomMemcg().orElse("its memory cgroup"))
            .append("; the victim's cgroup ")
            .append(group.cgroup())
            .append(" has memory.oom.group set, so after choosing ")
            .append(r.victim().map(ReportFacts::name).orElse("a victim"))
            .append(" the kernel killed every task of the cgroup, ")
            .append(dead.size())
            .append(" processes: ")
            .append(String.join(", ", names))
            .append('.')
            .append(" One process's allocation took down processes that may have been innocent.");
    List<SourceLine> cited = new ArrayList<>();
    ReportFacts.triggerLine(r).ifPresent(cited::add);
    cited.add(group.source());
    ReportFacts.killLine(r).ifPresent(cited::add);
    group.killed().stream().map(KilledTask::source).forEach(cited::add);
    return new Finding(
        INFO.code(),
        Severity.MEDIUM,
        Confidence.HIGH,
        "memory.oom.group killed "
            + dead.size()
            + " processes of "
            + leaf(group.cgroup())
            + " for one allocation by "
            + r.trigger().map(t -> t.comm()).orElse("?"),
        why.toString(),
        ReportFacts.sorted(cited),
        List.of(
            new Fix(
                Layer.NODE,
                "If the container runs several independent processes (a"
                    + " supervisor and workers, a shell and jobs), let the kernel kill only the one it"
                    + " chooses: kubelet 1.32+ singleProcessOOMKill (cgroup v2).",
                Optional.of(
                    "# /var/lib/kubelet/config.yaml (KubeletConfiguration)\n"
                        + "singleProcessOOMKill: true\n")),
            new Fix(
                Layer.APPLICATION,
                "Otherwise the group kill is the safe default (a"
                    + " half-dead container is worse): fix what filled the container instead.",
                Optional.empty())));
  }

  private static String leaf(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }
}
