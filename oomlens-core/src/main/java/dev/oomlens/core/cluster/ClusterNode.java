package dev.oomlens.core.cluster;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A node as the API server holds it.
 *
 * @param capacityBytes {@code status.capacity.memory}: MemTotal when the kubelet started
 * @param allocatableBytes {@code status.allocatable.memory}: what the scheduler hands out
 * @param ready the Ready condition: true, false, or empty when Unknown or absent (a node whose
 *     kubelet stopped posting status)
 * @param readyReason the Ready condition's reason ({@code NodeStatusUnknown}, {@code KubeletReady})
 * @param memoryPressure the MemoryPressure condition, when present
 * @param labels the node's labels (instance type, node pool)
 */
public record ClusterNode(
    ObjectRef ref,
    OptionalLong capacityBytes,
    OptionalLong allocatableBytes,
    Optional<Boolean> ready,
    Optional<String> readyReason,
    Optional<Boolean> memoryPressure,
    boolean unschedulable,
    Map<String, String> labels) {
  public ClusterNode {
    requireNonNull(ref, "ref");
    requireNonNull(capacityBytes, "capacityBytes");
    requireNonNull(allocatableBytes, "allocatableBytes");
    requireNonNull(ready, "ready");
    requireNonNull(readyReason, "readyReason");
    requireNonNull(memoryPressure, "memoryPressure");
    labels = Map.copyOf(labels);
  }

  public String name() {
    return ref.name();
  }

  /** True when the node is not Ready (False or Unknown). */
  public boolean notReady() {
    return !ready.orElse(false);
  }
}
