package dev.oomlens.core.cluster;

import java.util.ArrayList;
import java.util.List;

/**
 * What the pods on one node may use, as {@code kubectl describe node} adds it up under "Allocated
 * resources": the memory requests and limits of its running containers (init containers are done
 * before the others start, so only native sidecars among them count).
 *
 * @param unbounded the containers without a limit, as {@code namespace/pod container}
 */
public record NodeLoad(
    String node, int pods, long requestBytes, long limitBytes, List<String> unbounded) {
  public NodeLoad {
    unbounded = List.copyOf(unbounded);
  }

  /** The load of {@code node}'s pods that are not done (Succeeded or Failed). */
  public static NodeLoad of(ClusterState cluster, String node) {
    long requests = 0;
    long limits = 0;
    int pods = 0;
    List<String> unbounded = new ArrayList<>();
    for (ClusterPod p : cluster.podsOn(node)) {
      if (!active(p)) {
        continue;
      }
      pods++;
      for (ContainerSpec c : p.containers()) {
        if (!counts(c)) {
          continue;
        }
        requests += c.requestBytes().orElse(0);
        if (c.limitBytes().isPresent()) {
          limits += c.limitBytes().getAsLong();
        } else {
          unbounded.add(p.namespace() + "/" + p.ref().name() + " " + c.name());
        }
      }
    }
    return new NodeLoad(node, pods, requests, limits, unbounded);
  }

  /** True for a pod that still holds its node's memory: not Succeeded or Failed. */
  public static boolean active(ClusterPod p) {
    return p.phase().map(ph -> !ph.equals("Succeeded") && !ph.equals("Failed")).orElse(true);
  }

  /** True for a container that runs beside the others: not an init container that ends. */
  public static boolean counts(ContainerSpec c) {
    return !c.init() || c.sidecar();
  }
}
