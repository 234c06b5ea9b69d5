package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.cluster.ClusterNode;
import dev.oomlens.core.cluster.ClusterState;
import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.Citation;
import dev.oomlens.core.rules.Sizes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/*
 * A node's status.capacity.memory is MemTotal when its kubelet started, so a balloon shows there
 * as it shows in MemTotal. Two ways to know what the node should have: the user says what its VM
 * was configured with (--vm-memory NODE=SIZE, the same thresholds as for a host), or the other
 * nodes of its pool (same pool label, or same instance type and role) have much more: a node
 * below 75% of the largest of its pool is suspect (seed 002: k3s-server-0 at 1.2 GB beside two
 * servers of 2 GB). The pool comparison is MEDIUM confidence: a pool may mix sizes on purpose.
 */

/** The {@code BALLOONING} findings about Kubernetes nodes. */
final class NodeBalloons {
  /** A node below this share of the largest of its pool is suspect. */
  static final double POOL_SHARE = 0.75;

  private static final List<String> POOL_LABELS =
      List.of(
          "cloud.google.com/gke-nodepool",
          "eks.amazonaws.com/nodegroup",
          "kubernetes.azure.com/agentpool",
          "agentpool",
          "node.kubernetes.io/pool",
          "pool");

  private NodeBalloons() {}

  static List<Finding> findings(List<ClusterState> clusters, String code) {
    List<Finding> out = new ArrayList<>();
    for (ClusterState cluster : clusters) {
      Map<String, List<ClusterNode>> pools = new LinkedHashMap<>();
      for (ClusterNode n : cluster.nodes()) {
        if (n.capacityBytes().isPresent()) {
          pools.computeIfAbsent(pool(n), k -> new ArrayList<>()).add(n);
        }
      }
      for (ClusterNode n : cluster.nodes()) {
        if (n.capacityBytes().isEmpty()) {
          continue;
        }
        Optional<Long> configured = cluster.vmMemory(n.name());
        if (configured.isPresent()) {
          configured(n, configured.get(), code).ifPresent(out::add);
        } else {
          pooled(n, pools.get(pool(n)), code).ifPresent(out::add);
        }
      }
    }
    return out;
  }

  private static String pool(ClusterNode n) {
    for (String l : POOL_LABELS) {
      if (n.labels().containsKey(l)) {
        return l + "=" + n.labels().get(l);
      }
    }
    boolean controlPlane =
        n.labels().containsKey("node-role.kubernetes.io/control-plane")
            || n.labels().containsKey("node-role.kubernetes.io/master");
    return n.labels().getOrDefault("node.kubernetes.io/instance-type", "")
        + (controlPlane ? " control-plane" : " worker");
  }

  private static Optional<Finding> configured(ClusterNode n, long configured, String code) {
    long capacity = n.capacityBytes().getAsLong();
    long configuredKb = configured / 1024;
    long totalKb = capacity / 1024;
    long missingKb = configuredKb - totalKb;
    long allowanceKb =
        (long) (configuredKb * BallooningAnalyzer.KERNEL_SHARE)
            + BallooningAnalyzer.KERNEL_FIXED_KB;
    if (totalKb >= configuredKb * BallooningAnalyzer.MEMTOTAL_SHARE || missingKb <= allowanceKb) {
      return Optional.empty();
    }
    String why =
        "Node "
            + n.name()
            + "'s VM was configured with "
            + Sizes.human(configured)
            + " (--vm-memory) but its capacity, MemTotal when the kubelet started, is "
            + Sizes.human(capacity)
            + " ("
            + Sizes.wholePercent(capacity, configured)
            + "): "
            + Sizes.kb(missingKb)
            + " missing, more than the kernel keeps out of MemTotal (2% + 256"
            + " MiB). A balloon took it back; the scheduler places pods on memory the node may not"
            + " have, and what the node has moves under it.";
    return Optional.of(
        new Finding(
            code,
            Severity.HIGH,
            Confidence.MEDIUM,
            "Node "
                + n.name()
                + " has "
                + Sizes.quantityMi(capacity)
                + " of the "
                + Sizes.quantityMi(configured)
                + " its VM was given: a memory balloon took the rest",
            why,
            cite(n),
            fixes(configuredKb, totalKb, missingKb)));
  }

  private static Optional<Finding> pooled(ClusterNode n, List<ClusterNode> pool, String code) {
    if (pool == null || pool.size() < 2) {
      return Optional.empty();
    }
    ClusterNode largest =
        pool.stream()
            .max(
                (a, b) ->
                    Long.compare(a.capacityBytes().getAsLong(), b.capacityBytes().getAsLong()))
            .orElseThrow();
    long max = largest.capacityBytes().getAsLong();
    long capacity = n.capacityBytes().getAsLong();
    if (capacity >= max * POOL_SHARE) {
      return Optional.empty();
    }
    List<Citation> cited = new ArrayList<>(cite(n));
    cited.add(largest.ref().field("status.capacity.memory", Sizes.quantityMi(max)));
    long missingKb = (max - capacity) / 1024;
    String why =
        "Node "
            + n.name()
            + " has a capacity of "
            + Sizes.human(capacity)
            + ", "
            + Sizes.wholePercent(capacity, max)
            + " of "
            + largest.name()
            + "'s "
            + Sizes.human(max)
            + ", the largest of the "
            + pool.size()
            + " nodes of its pool."
            + " Nodes of one pool are usually given one size: a memory balloon that took memory"
            + " back before the kubelet started shows like this. Give --vm-memory "
            + n.name()
            + "=SIZE to compare with what its VM was configured with.";
    return Optional.of(
        new Finding(
            code,
            Severity.MEDIUM,
            Confidence.LOW,
            "Node "
                + n.name()
                + " has "
                + Sizes.quantityMi(capacity)
                + ", far below the "
                + Sizes.quantityMi(max)
                + " of its pool: a memory balloon may have taken the rest",
            why,
            cited,
            fixes(max / 1024, capacity / 1024, missingKb)));
  }

  /*
   * The host's node-layer fix reserves what the balloon took, for a kubelet that read MemTotal
   * before the balloon moved; a node whose capacity is already the small number has nothing to
   * reserve, so only the hypervisor's fixes apply.
   */
  private static List<Fix> fixes(long configuredKb, long totalKb, long missingKb) {
    return BallooningAnalyzer.fixes(configuredKb, totalKb, missingKb).stream()
        .filter(f -> f.layer() != dev.oomlens.core.finding.Layer.NODE)
        .toList();
  }

  private static List<Citation> cite(ClusterNode n) {
    return List.of(
        n.ref().field("status.capacity.memory", Sizes.quantityMi(n.capacityBytes().getAsLong())));
  }
}
