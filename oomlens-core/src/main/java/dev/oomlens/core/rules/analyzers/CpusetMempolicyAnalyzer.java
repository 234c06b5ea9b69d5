package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.Constraint;
import dev.oomlens.core.model.HostMemory.ZoneMemory;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.OomScope;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.FreeMemory;
import dev.oomlens.core.rules.Incident;
import dev.oomlens.core.rules.ReportFacts;
import dev.oomlens.core.rules.RuleInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/*
 * mm/oom_kill.c constrained_alloc(): CONSTRAINT_CPUSET when the allocation was confined to the
 * cpuset's mems_allowed, CONSTRAINT_MEMORY_POLICY when an mbind/set_mempolicy nodemask did not
 * cover every node. The nodes outside may hold plenty; the allowed ones did not (or held it only
 * in zones the allocation cannot use: ZONE_MOVABLE for a non-movable allocation, as with a
 * container pinned to a movable-only node).
 */

/** {@code CPUSET-MEMPOLICY}: the machine had memory, the nodes the task was allowed did not. */
public final class CpusetMempolicyAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
          "CPUSET-MEMPOLICY",
          "The allowed NUMA nodes (cpuset mems or memory policy) ran out, not the machine",
          Severity.HIGH,
          RuleInfo.Scope.HOST,
          Layer.APPLICATION,
          Layer.CONTAINER_LIMIT,
          Layer.NODE);

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    List<Finding> out = new ArrayList<>();
    for (Incident incident : evidence.incidents()) {
      List<OomReport> hits =
          incident.reports().stream().filter(CpusetMempolicyAnalyzer::confined).toList();
      if (!hits.isEmpty()) {
        out.add(finding(hits));
      }
    }
    return out;
  }

  private static boolean confined(OomReport r) {
    return r.constraint()
            .filter(
                c ->
                    c.equals(Constraint.CONSTRAINT_CPUSET)
                        || c.equals(Constraint.CONSTRAINT_MEMORY_POLICY))
            .isPresent()
        || r.scope().filter(s -> s == OomScope.CPUSET || s == OomScope.MEMORY_POLICY).isPresent();
  }

  private static Finding finding(List<OomReport> hits) {
    OomReport r =
        hits.stream().filter(x -> x.hostMemory().isPresent()).findFirst().orElse(hits.getFirst());
    boolean cpuset =
        r.constraint()
            .map(Constraint.CONSTRAINT_CPUSET::equals)
            .orElse(r.scope().filter(s -> s == OomScope.CPUSET).isPresent());
    String nodes = cpuset ? r.memsAllowed().orElse("?") : r.nodemask().orElse("?");
    List<SourceLine> cited = new ArrayList<>();
    ReportFacts.triggerLine(r).ifPresent(cited::add);
    ReportFacts.constraintLine(r).ifPresent(cited::add);
    ReportFacts.killLine(r).ifPresent(cited::add);
    StringBuilder why =
        new StringBuilder("The allocation of ")
            .append(r.trigger().map(t -> t.comm()).orElse("the trigger"))
            .append(" was confined to NUMA node(s) ")
            .append(nodes)
            .append(" by ")
            .append(
                cpuset
                    ? "its cpuset (cpuset.mems" + r.cpuset().map(c -> " of " + c).orElse("") + ")"
                    : "a memory policy (mbind/set_mempolicy)")
            .append(
                ", and those ran out; the kernel killed a task that uses them, whatever the rest")
            .append(" of the machine held.");
    r.hostMemory()
        .ifPresent(
            h -> {
              cited.add(h.source());
              long totalFree = 0;
              for (ZoneMemory z : h.zones()) {
                totalFree += z.freeBytes().orElse(0);
                cited.add(z.source());
              }
              why.append(" Free in the printed zones: ").append(totalFree / 1024).append(" kB.");
              Optional<FreeMemory> free = FreeMemory.of(r);
              if (free.isPresent() && !free.get().movableAllocation()) {
                long movableFree =
                    h.zones().stream()
                        .filter(z -> z.zone().equals("Movable"))
                        .mapToLong(z -> z.freeBytes().orElse(0))
                        .sum();
                if (movableFree > 0) {
                  why.append(" ")
                      .append(movableFree / 1024)
                      .append(" kB of it was in ZONE_MOVABLE, which this")
                      .append(" allocation (gfp ")
                      .append(r.trigger().flatMap(t -> t.gfpMask()).orElse("?"))
                      .append(", no __GFP_MOVABLE) cannot use: usable free was ")
                      .append(free.get().usableFreeBytes() / 1024)
                      .append(" kB.");
                }
              }
            });
    r.victim()
        .ifPresent(
            v ->
                why.append(" Killed: ")
                    .append(ReportFacts.name(v))
                    .append(r.taskMemcg().map(t -> " in " + t).orElse(""))
                    .append('.'));
    String summary =
        (cpuset ? "A cpuset" : "A memory policy")
            + " confined the allocation to node(s) "
            + nodes
            + ", which ran out";
    List<Fix> fixes = new ArrayList<>();
    if (cpuset) {
      fixes.add(
          new Fix(
              Layer.CONTAINER_LIMIT,
              "Allow the container (or cgroup) nodes that have memory it can use, or pin it to a node"
                  + " with normal (not movable-only) memory.",
              Optional.of(
                  "docker update --cpuset-mems <nodes with memory> <container>\n"
                      + "# cgroup v2: echo <nodes> > /sys/fs/cgroup/<path>/cpuset.mems\n")));
      fixes.add(
          new Fix(
              Layer.NODE,
              "On Kubernetes, the Memory Manager's Static policy pins Guaranteed pods to nodes: give"
                  + " them a memory request that fits the node they are pinned to.",
              Optional.empty()));
    } else {
      fixes.add(
          new Fix(
              Layer.APPLICATION,
              "Prefer a node instead of binding to it, so the allocation falls back to other nodes.",
              Optional.of(
                  "numactl --preferred=" + nodes + " <command>   # instead of --membind\n")));
    }
    return new Finding(
        INFO.code(),
        Severity.HIGH,
        Confidence.HIGH,
        summary,
        why.toString(),
        ReportFacts.sorted(cited),
        fixes);
  }
}
