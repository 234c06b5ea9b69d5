package dev.oomlens.core.rules.cluster;

import dev.oomlens.core.cluster.ClusterNode;
import dev.oomlens.core.cluster.ClusterPod;
import dev.oomlens.core.cluster.ClusterState;
import dev.oomlens.core.cluster.ContainerSpec;
import dev.oomlens.core.cluster.NodeLoad;
import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.Citation;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.RuleInfo;
import dev.oomlens.core.rules.RuleInfo.Watch;
import dev.oomlens.core.rules.Shell;
import dev.oomlens.core.rules.Sizes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/*
 * The scheduler places pods by their requests; the kernel enforces their limits. When the limits
 * of a node's pods add up to more than its allocatable memory (kubectl describe node, "Allocated
 * resources", limits above 100%), they can all be within their limits and still exhaust the node:
 * then the kubelet evicts, or, faster than its housekeeping, the kernel kills across the node
 * (seed 002: 121% and 148% on two k3s nodes, SystemOOM). Requests above allocatable cannot be
 * scheduled, so they mean allocatable shrank after the pods were placed (a balloon, a changed
 * reservation). Containers without a limit count as unbounded and are named: the real
 * commitment is larger than the sum shown.
 */

/** {@code NODE-OVERCOMMIT}: a node's pods' memory limits (or requests) add up past allocatable. */
public final class NodeOvercommitAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
              "NODE-OVERCOMMIT",
              "A node's pods may use more memory than it has: limits add up past allocatable",
              Severity.HIGH,
              RuleInfo.Scope.HOST,
              Layer.CONTAINER_LIMIT,
              Layer.NODE)
          .watching(
              Watch.metric(
                  "Memory limits over allocatable per node",
                  "sum by (node) (kube_pod_container_resource_limits{resource=\"memory\"})"
                      + " / sum by (node) (kube_node_status_allocatable{resource=\"memory\"})",
                  "at or below 1"));

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    List<Finding> out = new ArrayList<>();
    for (ClusterState cluster : evidence.clusters()) {
      for (ClusterNode node : cluster.nodes()) {
        finding(cluster, node).ifPresent(out::add);
      }
    }
    return out;
  }

  private static Optional<Finding> finding(ClusterState cluster, ClusterNode node) {
    if (node.allocatableBytes().isEmpty() || node.allocatableBytes().getAsLong() <= 0) {
      return Optional.empty();
    }
    long allocatable = node.allocatableBytes().getAsLong();
    NodeLoad load = NodeLoad.of(cluster, node.name());
    long limits = load.limitBytes();
    long requests = load.requestBytes();
    List<String> unbounded = load.unbounded();
    record Holder(ClusterPod pod, ContainerSpec c, long bytes) {}
    List<Holder> holders = new ArrayList<>();
    for (ClusterPod p : cluster.podsOn(node.name())) {
      if (NodeLoad.active(p)) {
        p.containers().stream()
            .filter(c -> NodeLoad.counts(c) && c.limitBytes().isPresent())
            .forEach(c -> holders.add(new Holder(p, c, c.limitBytes().getAsLong())));
      }
    }
    if (limits <= allocatable && requests <= allocatable) {
      return Optional.empty();
    }
    holders.sort(Comparator.comparingLong(Holder::bytes).reversed());
    List<Citation> cited = new ArrayList<>();
    cited.add(node.ref().field("status.allocatable.memory", Sizes.quantityMi(allocatable)));
    node.capacityBytes()
        .ifPresent(c -> cited.add(node.ref().field("status.capacity.memory", Sizes.quantityMi(c))));
    List<String> top = new ArrayList<>();
    for (Holder h : holders.subList(0, Math.min(5, holders.size()))) {
      cited.add(h.pod().ref().field(h.c().limitPath(), Sizes.quantityMi(h.bytes())));
      top.add(
          h.pod().ref().namespace().orElse("")
              + "/"
              + h.pod().ref().name()
              + " "
              + h.c().name()
              + " "
              + Sizes.quantityMi(h.bytes()));
    }
    String limitShare = Sizes.wholePercent(limits, allocatable);
    StringBuilder why =
        new StringBuilder("The memory limits of the pods on node ")
            .append(node.name())
            .append(" add up to ")
            .append(Sizes.human(limits))
            .append(", ")
            .append(limitShare)
            .append(" of its allocatable ")
            .append(Sizes.human(allocatable))
            .append("; their requests to ")
            .append(Sizes.human(requests))
            .append(" (")
            .append(Sizes.wholePercent(requests, allocatable))
            .append(").");
    if (!unbounded.isEmpty()) {
      why.append(" ")
          .append(unbounded.size())
          .append(unbounded.size() == 1 ? " container has" : " containers have")
          .append(" no limit at all (")
          .append(ClusterFacts.some(unbounded, 4))
          .append("), so the node is committed even" + " further than that.");
    }
    why.append(
        " Each pod can stay within its own limit and the node still run out: then the"
            + " kubelet evicts, or the kernel kills across the node.");
    if (requests > allocatable) {
      why.append(
          " Requests above allocatable cannot have been scheduled: the node's allocatable"
              + " memory shrank after they were placed (a balloon, a changed reservation).");
    }
    if (!top.isEmpty()) {
      why.append(" Largest limits: ").append(String.join(", ", top)).append('.');
    }
    long excess = Math.max(limits, requests) - allocatable;
    List<Fix> fixes = new ArrayList<>();
    fixes.add(
        new Fix(
            Layer.CONTAINER_LIMIT,
            "Bring the limits on "
                + node.name()
                + " down by "
                + Sizes.quantityMi(excess)
                + " (to at most its allocatable "
                + Sizes.quantityMi(allocatable)
                + "), starting with the largest limits that their use does not"
                + " need, or move pods elsewhere; see what the node holds:",
            Optional.of(
                "kubectl describe node "
                    + Shell.quote(node.name())
                    + " | grep -A12 'Allocated resources'\n"
                    + "kubectl top pod -A --containers --field-selector spec.nodeName="
                    + Shell.quote(node.name()))));
    fixes.add(
        new Fix(
            Layer.NODE,
            "Or give the node the memory its pods are allowed: "
                + Sizes.quantityMi(excess)
                + " more allocatable (a larger VM, no balloon), or cordon it"
                + " and drain what does not fit.",
            Optional.of(
                "kubectl cordon "
                    + Shell.quote(node.name())
                    + "\nkubectl drain "
                    + Shell.quote(node.name())
                    + " --ignore-daemonsets --delete-emptydir-data")));
    Severity severity =
        limits * 100 >= allocatable * 120L || requests > allocatable
            ? Severity.HIGH
            : Severity.MEDIUM;
    return Optional.of(
        new Finding(
            INFO.code(),
            severity,
            Confidence.HIGH,
            "Node "
                + node.name()
                + " is overcommitted: limits "
                + limitShare
                + " of allocatable ("
                + Sizes.quantityMi(limits)
                + " of "
                + Sizes.quantityMi(allocatable)
                + ")",
            why.toString(),
            cited,
            fixes));
  }
}
