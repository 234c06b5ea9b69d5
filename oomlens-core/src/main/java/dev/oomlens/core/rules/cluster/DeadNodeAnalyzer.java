package dev.oomlens.core.rules.cluster;

import dev.oomlens.core.cluster.ClusterNode;
import dev.oomlens.core.cluster.ClusterPod;
import dev.oomlens.core.cluster.ClusterState;
import dev.oomlens.core.cluster.Volumes;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/*
 * A node that is NotReady (or gone: deleted as a VM but named by pods and volumes) still holds
 * what was bound to it: pods stuck Terminating or Unknown, local PersistentVolumes whose node
 * affinity names it, and the claims bound to those. A pod that needs such a claim cannot start
 * anywhere else, so it stays Pending (seed 002: k3s-replica-2 deleted, the monitoring stack's
 * Prometheus and Alertmanager Pending for hours). A node counts as gone only when the node list
 * was read and does not hold it.
 */

/** {@code DEAD-NODE}: a NotReady or gone node still holding pods, volumes or claims. */
public final class DeadNodeAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
          "DEAD-NODE",
          "A dead node still holds pods, volumes or claims; pods needing them stay Pending",
          Severity.HIGH,
          RuleInfo.Scope.HOST,
          Layer.NODE);

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    List<Finding> out = new ArrayList<>();
    for (ClusterState cluster : evidence.clusters()) {
      Set<String> candidates = new LinkedHashSet<>();
      cluster.nodes().stream()
          .filter(ClusterNode::notReady)
          .map(ClusterNode::name)
          .forEach(candidates::add);
      if (!cluster.nodes().isEmpty()) {
        cluster.pods().forEach(p -> p.nodeName().ifPresent(candidates::add));
        cluster.volumes().forEach(v -> candidates.addAll(v.nodes()));
        cluster.claims().forEach(c -> c.selectedNode().ifPresent(candidates::add));
        candidates.removeIf(
            n -> cluster.node(n).map(ClusterNode::notReady).map(b -> !b).orElse(false));
      }
      for (String node : candidates) {
        finding(cluster, node).ifPresent(out::add);
      }
    }
    return out;
  }

  private static Optional<Finding> finding(ClusterState cluster, String node) {
    Optional<ClusterNode> n = cluster.node(node);
    List<Citation> cited = new ArrayList<>();
    n.ifPresent(
        nd ->
            cited.add(
                nd.ref()
                    .field(
                        "status.conditions[type=Ready].status",
                        nd.ready().map(r -> r ? "True" : "False").orElse("Unknown")
                            + nd.readyReason().map(r -> " (" + r + ")").orElse(""))));
    List<ClusterPod> pods =
        cluster.podsOn(node).stream()
            .filter(
                p ->
                    p.phase()
                        .map(ph -> !ph.equals("Succeeded") && !ph.equals("Failed"))
                        .orElse(true))
            .toList();
    pods.forEach(p -> cited.add(p.ref().field("spec.nodeName", node)));
    List<Volumes.Volume> volumes =
        cluster.volumes().stream().filter(v -> v.nodes().contains(node)).toList();
    volumes.forEach(
        v -> cited.add(v.ref().field("spec.nodeAffinity.required.nodeSelectorTerms", node)));
    Map<String, Volumes.Claim> claimsByVolume = new HashMap<>();
    cluster.claims().forEach(c -> c.volumeName().ifPresent(v -> claimsByVolume.put(v, c)));
    Set<Volumes.Claim> claims = new LinkedHashSet<>();
    for (Volumes.Volume v : volumes) {
      Volumes.Claim c =
          v.claim()
              .flatMap(
                  ref -> cluster.claims().stream().filter(cl -> cl.ref().equals(ref)).findFirst())
              .orElse(claimsByVolume.get(v.ref().name()));
      if (c != null) {
        claims.add(c);
      }
    }
    cluster.claims().stream()
        .filter(c -> c.selectedNode().filter(node::equals).isPresent())
        .forEach(claims::add);
    claims.forEach(
        c ->
            cited.add(
                c.ref()
                    .field(
                        c.selectedNode().filter(node::equals).isPresent()
                            ? "metadata.annotations[volume.kubernetes.io/selected-node]"
                            : "spec.volumeName",
                        c.selectedNode().filter(node::equals).orElse(c.volumeName().orElse("")))));
    Set<String> claimKeys = new LinkedHashSet<>();
    claims.forEach(c -> claimKeys.add(c.ref().namespace().orElse("") + "/" + c.ref().name()));
    List<ClusterPod> pending = new ArrayList<>();
    for (ClusterPod p : cluster.pods()) {
      if (!p.template()
          && p.phase().filter("Pending"::equals).isPresent()
          && p.claims().stream().anyMatch(cl -> claimKeys.contains(p.namespace() + "/" + cl))) {
        pending.add(p);
        cited.add(p.ref().field("status.phase", "Pending"));
      }
    }
    if (pods.isEmpty() && volumes.isEmpty() && claims.isEmpty()) {
      return Optional.empty();
    }
    boolean gone = n.isEmpty();
    StringBuilder why =
        new StringBuilder("Node ")
            .append(node)
            .append(
                gone
                    ? " is not in the cluster's node list (deleted, or its VM is gone) but is still named"
                        + " by what was bound to it:"
                    : " is not Ready"
                        + n.get().readyReason().map(r -> " (" + r + ")").orElse("")
                        + " but still holds:");
    List<String> held = new ArrayList<>();
    if (!pods.isEmpty()) {
      held.add(
          pods.size()
              + (pods.size() == 1 ? " pod (" : " pods (")
              + ClusterFacts.some(
                  pods.stream().map(p -> p.namespace() + "/" + p.ref().name()).toList(), 4)
              + ")");
    }
    if (!volumes.isEmpty()) {
      held.add(
          volumes.size()
              + (volumes.size() == 1 ? " PersistentVolume" : " PersistentVolumes")
              + " whose node affinity requires it ("
              + ClusterFacts.some(volumes.stream().map(v -> v.ref().name()).toList(), 4)
              + ")");
    }
    if (!claims.isEmpty()) {
      held.add(
          claims.size()
              + (claims.size() == 1 ? " claim" : " claims")
              + " bound there ("
              + ClusterFacts.some(List.copyOf(claimKeys), 4)
              + ")");
    }
    why.append(' ').append(String.join("; ", held)).append('.');
    if (!pending.isEmpty()) {
      why.append(" ")
          .append(pending.size())
          .append(pending.size() == 1 ? " pod is" : " pods are")
          .append(" Pending because the claims they need are tied to it: ")
          .append(
              ClusterFacts.some(
                  pending.stream().map(p -> p.namespace() + "/" + p.ref().name()).toList(), 6))
          .append('.');
    }
    StringBuilder commands = new StringBuilder();
    if (!gone) {
      commands.append("kubectl delete node ").append(Shell.quote(node)).append('\n');
    }
    for (Volumes.Claim c : claims) {
      commands
          .append("kubectl delete pvc ")
          .append(Shell.quote(c.ref().name()))
          .append(" -n ")
          .append(Shell.quote(c.ref().namespace().orElse("default")))
          .append('\n');
    }
    for (Volumes.Volume v : volumes) {
      commands
          .append("kubectl patch pv ")
          .append(Shell.quote(v.ref().name()))
          .append(" -p '{\"metadata\":{\"finalizers\":null}}'\n");
    }
    for (ClusterPod p : pods) {
      commands
          .append("kubectl delete pod ")
          .append(Shell.quote(p.ref().name()))
          .append(" -n ")
          .append(Shell.quote(p.namespace()))
          .append(" --force --grace-period=0\n");
    }
    List<Fix> fixes =
        List.of(
            new Fix(
                Layer.NODE,
                (gone
                        ? "The node is gone: release"
                        : "If the node is not coming back, remove it and release")
                    + " what it holds, so the"
                    + " claims are provisioned again on a live node and the Pending pods start (the data on"
                    + " its local volumes is lost with it; restore from backup if it mattered).",
                Optional.of(commands.toString())));
    return Optional.of(
        new Finding(
            INFO.code(),
            pending.isEmpty() ? Severity.MEDIUM : Severity.HIGH,
            Confidence.HIGH,
            "Node "
                + node
                + (gone ? " is gone" : " is NotReady")
                + " but holds "
                + String.join(", ", held.stream().map(h -> h.replaceAll(" \\(.*", "")).toList())
                + (pending.isEmpty() ? "" : "; " + pending.size() + " pods Pending on it"),
            why.toString(),
            cited,
            fixes));
  }
}
