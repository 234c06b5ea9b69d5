package dev.oomlens.core.cluster;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * A pod's memory use now, from {@code metrics.k8s.io} PodMetrics: each container's working set.
 *
 * @param ref the PodMetrics object (same namespace and name as its pod)
 * @param workingSetBytes per container name
 */
public record PodUsage(ObjectRef ref, Map<String, Long> workingSetBytes) {
  public PodUsage {
    requireNonNull(ref, "ref");
    workingSetBytes = Map.copyOf(workingSetBytes);
  }
}
