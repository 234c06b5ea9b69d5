package dev.oomlens.core.rules.cluster;

import dev.oomlens.core.cluster.ClusterPod;
import dev.oomlens.core.cluster.ClusterState;
import dev.oomlens.core.cluster.ObjectRef;
import dev.oomlens.core.cluster.WorkloadContainer;
import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.Citation;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.RuleInfo;
import dev.oomlens.core.rules.Shell;
import dev.oomlens.core.rules.Sizes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/*
 * A container without a memory limit is bounded only by the node: when it grows, the node runs
 * out and the kernel (or the kubelet's eviction) picks among everything there, often the routing
 * or storage daemons the node needs (seed 002: MetalLB's FRR without limits, SystemOOM kills of
 * zebra and bgpd). DaemonSets run on every node and system namespaces hold what the cluster needs
 * to work, so those come first. A sidecar beside a limited application container is told by
 * SIDECAR-NO-LIMIT instead, so that no container is told twice.
 *
 * A template's container in a namespace whose LimitRange sets a default limit is not told:
 * admission gives its pods that limit. Pods read from the API already carry it.
 *
 * The number offered comes from use where metrics hold any (1.5 times the largest working set);
 * else from the request (twice it, said to be a starting point); else there is no number and the
 * fix says how to measure.
 */

/** {@code NO-LIMIT}: containers without a memory limit, DaemonSets and system namespaces first. */
public final class NoLimitAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
          "NO-LIMIT",
          "Containers without a memory limit: bounded only by the node",
          Severity.MEDIUM,
          RuleInfo.Scope.WORKLOAD,
          Layer.CONTAINER_LIMIT);

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    List<Finding> out = new ArrayList<>();
    for (ClusterState cluster : evidence.clusters()) {
      Map<ObjectRef, List<WorkloadContainer>> unbounded = new LinkedHashMap<>();
      for (WorkloadContainer wc : ClusterFacts.byWorkload(cluster)) {
        if (wc.spec().limitBytes().isEmpty()
            && !SidecarNoLimitAnalyzer.isUncountedSidecar(wc, cluster)
            && !defaulted(cluster, wc)) {
          unbounded.computeIfAbsent(wc.workload(), k -> new ArrayList<>()).add(wc);
        }
      }
      unbounded.forEach((w, list) -> out.add(finding(cluster, w, list)));
    }
    return out;
  }

  private static Finding finding(
      ClusterState cluster, ObjectRef w, List<WorkloadContainer> containers) {
    WorkloadContainer first = containers.getFirst();
    boolean daemonSet = first.daemonSet();
    boolean system = first.system();
    List<Citation> cited = new ArrayList<>();
    List<Fix> fixes = new ArrayList<>();
    List<String> names = new ArrayList<>();
    StringBuilder numbers = new StringBuilder();
    boolean bestEffort = false;
    for (WorkloadContainer wc : containers) {
      names.add(wc.spec().name());
      cited.add(
          wc.specObject().field(wc.specPath() + ".resources.limits.memory", Optional.empty()));
      OptionalLong use = ClusterFacts.peakUse(cluster, wc);
      use.ifPresent(
          u ->
              numbers
                  .append(" ")
                  .append(wc.spec().name())
                  .append(" uses ")
                  .append(Sizes.human(u))
                  .append(" now."));
      Optional<ClusterFacts.Proposal> p = ClusterFacts.proposal(cluster, wc);
      if (p.isPresent()) {
        fixes.add(
            ClusterFacts.limitFix(
                wc,
                p.get().bytes(),
                "Limit "
                    + wc.spec().name()
                    + " to "
                    + Sizes.quantityMi(p.get().bytes())
                    + " ("
                    + p.get().basis()
                    + ")."));
      } else {
        bestEffort = true;
      }
    }
    if (bestEffort) {
      fixes.add(
          new Fix(
              Layer.CONTAINER_LIMIT,
              "Measure the containers that have neither a"
                  + " request nor a limit over a busy day and set both (limit: half again the largest"
                  + " working set); no use was observed to size them from.",
              Optional.of(
                  "kubectl top pod --containers -n "
                      + Shell.quote(w.namespace().orElse("default")))));
    }
    boolean podBestEffort =
        first.pods().stream().anyMatch(p -> p.qosClass().filter("BestEffort"::equals).isPresent());
    StringBuilder why =
        new StringBuilder(w.describe())
            .append(
                containers.size() == 1
                    ? " has a container without a memory limit ("
                    : " has " + containers.size() + " containers without a memory limit (")
            .append(String.join(", ", names))
            .append("): nothing but the node bounds them.");
    if (daemonSet) {
      why.append(
          " It is a DaemonSet, so it runs on every node: one that grows can exhaust any"
              + " of them.");
    }
    if (system) {
      why.append(" It is in a system namespace (")
          .append(w.namespace().orElse(""))
          .append(
              "): when the node runs out, what the cluster needs to work is among what the"
                  + " kernel may kill.");
    }
    if (podBestEffort) {
      why.append(
          " Its pods are BestEffort (no requests either): the kubelet evicts them first"
              + " and the kernel's oom_score_adj of 1000 makes them its first victims.");
    }
    why.append(numbers);
    Severity severity =
        daemonSet && system ? Severity.HIGH : daemonSet || system ? Severity.MEDIUM : Severity.LOW;
    return new Finding(
        INFO.code(),
        severity,
        Confidence.HIGH,
        w.describe()
            + ": "
            + String.join(", ", names)
            + " without a memory limit"
            + (daemonSet ? " (DaemonSet, on every node)" : ""),
        why.toString(),
        cited,
        fixes);
  }

  /**
   * True for a template's container in a namespace whose LimitRange gives a default limit:
   * admission will write it into the pods, so the manifest's silence is not the pods'.
   */
  static boolean defaulted(ClusterState cluster, WorkloadContainer wc) {
    return wc.pods().stream().allMatch(ClusterPod::template)
        && cluster.defaultLimitBytes().containsKey(wc.workload().namespace().orElse(""));
  }
}
