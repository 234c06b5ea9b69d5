package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.KiB;
import dev.oomlens.core.model.MemcgState;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.model.TaskRow;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.Incident;
import dev.oomlens.core.rules.MemcgLevel;
import dev.oomlens.core.rules.ReportFacts;
import dev.oomlens.core.rules.RuleInfo;
import dev.oomlens.core.rules.RuleInfo.Watch;
import dev.oomlens.core.rules.Sizes;
import dev.oomlens.core.rules.TaskGrowth;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/*
 * The kubelet limits the kubepods cgroup to node allocatable without the eviction threshold:
 * capacity - kubeReserved - systemReserved (pkg/kubelet/cm/node_container_manager_linux.go,
 * with enforceNodeAllocatable: [pods], the default). Eviction works on memory.available of the
 * whole node, measured every 10 s: when system daemons use less than their reserve, the node
 * still looks fine while the pods together reach the kubepods limit, and the kernel kills before
 * the kubelet evicts. QoS cgroups carry a limit only with the QOSReserved feature.
 */

/** {@code NODE-ALLOCATABLE}: the node's pods as a whole ran out (kubepods or a QoS cgroup). */
public final class NodeAllocatableAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
              "NODE-ALLOCATABLE",
              "The node's pods together hit the kubepods (node allocatable) or a QoS-class limit",
              Severity.HIGH,
              RuleInfo.Scope.HOST,
              Layer.NODE,
              Layer.POD_SPEC)
          .watching(
              Watch.metric(
                  "Memory limits of the node's pods against its allocatable memory",
                  "sum(kube_pod_container_resource_limits{resource=\"memory\", {node}})\n  / sum(kube_node_status_allocatable{resource=\"memory\", {node}})",
                  "at most 1: above it the node is overcommitted"));

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    List<Finding> out = new ArrayList<>();
    for (Incident incident : evidence.incidents()) {
      List<OomReport> hits =
          incident.reports().stream()
              .filter(r -> MemcgLevel.of(r).filter(MemcgLevel::isNodeLevel).isPresent())
              .toList();
      if (!hits.isEmpty()) {
        out.add(finding(hits));
      }
    }
    return out;
  }

  private static Finding finding(List<OomReport> hits) {
    OomReport r =
        hits.stream().filter(x -> x.memcg().isPresent()).findFirst().orElse(hits.getFirst());
    MemcgLevel level = MemcgLevel.of(r).orElseThrow();
    String cgroup = r.oomMemcg().orElseThrow();
    StringBuilder why = new StringBuilder();
    why.append("oom_memcg is ")
        .append(cgroup)
        .append(", the ")
        .append(level.words())
        .append(" level above every pod: no single pod or container hit its own limit, the")
        .append(" pods of the node together used all the memory the kubelet gives pods.");
    Optional<MemcgState> m = r.memcg();
    m.ifPresent(
        x ->
            why.append(" Usage ")
                .append(KiB.fromBytes(x.usageBytes()))
                .append(" kB of a ")
                .append(KiB.fromBytes(x.limitBytes()))
                .append(" kB limit (")
                .append(Sizes.kb(KiB.fromBytes(x.limitBytes())))
                .append(")")
                .append(x.failcnt().isPresent() ? ", failcnt " + x.failcnt().getAsLong() : "")
                .append('.'));
    if (level == MemcgLevel.NODE_ALLOCATABLE) {
      why.append(" That limit is capacity - kubeReserved - systemReserved; the kubelet's")
          .append(" eviction (memory.available on the whole node, checked every 10 s) did not")
          .append(" act first.");
    } else {
      why.append(" A QoS-class cgroup has a limit only when the kubelet reserves memory for")
          .append(" higher classes (QOSReserved).");
    }
    TaskGrowth.Comparison c = TaskGrowth.compare(r);
    c.largest()
        .ifPresent(
            t ->
                why.append(" Largest task: ")
                    .append(ReportFacts.name(t))
                    .append(", ")
                    .append(Sizes.bytes(ReportFacts.heldBytes(t)))
                    .append(", oom_score_adj ")
                    .append(t.oomScoreAdj())
                    .append('.'));
    r.victim()
        .ifPresent(
            v ->
                why.append(" Killed: ")
                    .append(ReportFacts.name(v))
                    .append(" in ")
                    .append(r.taskMemcg().orElse("(cgroup not printed)"))
                    .append('.'));
    List<SourceLine> cited =
        new ArrayList<>(
            ReportFacts.cite(
                ReportFacts.triggerLine(r),
                m.map(MemcgState::source),
                ReportFacts.constraintLine(r),
                ReportFacts.killLine(r),
                c.largest().map(TaskRow::source)));
    hits.forEach(h -> ReportFacts.killLine(h).ifPresent(cited::add));
    String summary =
        "The node's pods together hit the "
            + level.words()
            + " limit"
            + m.map(x -> " of " + Sizes.kb(KiB.fromBytes(x.limitBytes()))).orElse("")
            + " ("
            + cgroup
            + ")";
    return new Finding(
        INFO.code(),
        Severity.HIGH,
        Confidence.HIGH,
        summary,
        why.toString(),
        ReportFacts.sorted(cited),
        fixes(m));
  }

  private static List<Fix> fixes(Optional<MemcgState> m) {
    long limitMi = m.map(x -> Sizes.ceilMi(KiB.fromBytes(x.limitBytes()))).orElse(0L);
    long evictMi = Math.max(500, roundUp(limitMi / 20, 100));
    List<Fix> fixes = new ArrayList<>();
    fixes.add(
        new Fix(
            Layer.POD_SPEC,
            "Give every pod a memory request equal to its real use and a limit, so the scheduler"
                + " stops placing more than the node holds; BestEffort pods (no requests) are the"
                + " usual overcommit.",
            Optional.of(
                "resources:\n"
                    + "  requests:\n"
                    + "    memory: \"<observed steady use>\"\n"
                    + "  limits:\n"
                    + "    memory: \"<1.5-2x observed peak>\"\n")));
    fixes.add(
        new Fix(
            Layer.NODE,
            "Let the kubelet evict before the kernel kills: a hard eviction threshold of about 5%"
                + (limitMi > 0
                    ? " of the pods' "
                        + limitMi
                        + "Mi ("
                        + limitMi
                        + " / 20, at least"
                        + " 500Mi) = "
                        + evictMi
                        + "Mi"
                    : "")
                + ", and a soft one with a grace period; keep kubeReserved/systemReserved at what"
                + " the system really uses, so the kubepods limit (capacity - reserved) is honest.",
            Optional.of(
                "# /var/lib/kubelet/config.yaml (KubeletConfiguration)\n"
                    + "evictionHard:\n"
                    + "  memory.available: \""
                    + evictMi
                    + "Mi\"\n"
                    + "evictionSoft:\n"
                    + "  memory.available: \""
                    + evictMi * 2
                    + "Mi\"\n"
                    + "evictionSoftGracePeriod:\n"
                    + "  memory.available: \"1m\"\n"
                    + "kubeReserved:\n"
                    + "  memory: \"<kubelet + runtime use>\"\n"
                    + "systemReserved:\n"
                    + "  memory: \"<system daemons' use>\"\n")));
    return fixes;
  }

  private static long roundUp(long value, long step) {
    return (value + step - 1) / step * step;
  }
}
