package dev.oomlens.core.cluster;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * One container's status in a pod.
 *
 * @param fieldPath {@code status.containerStatuses[i]} or {@code status.initContainerStatuses[i]}
 * @param containerId the runtime's id without its scheme ({@code containerd://} taken off)
 * @param terminated {@code state.terminated}, when the container is not running now
 * @param lastTerminated {@code lastState.terminated}: how the previous run ended
 */
public record ContainerStatus(
    String name,
    String fieldPath,
    boolean init,
    int restartCount,
    Optional<String> containerId,
    Optional<Termination> terminated,
    Optional<Termination> lastTerminated) {
  public ContainerStatus {
    requireNonNull(name, "name");
    requireNonNull(fieldPath, "fieldPath");
    requireNonNull(containerId, "containerId");
    requireNonNull(terminated, "terminated");
    requireNonNull(lastTerminated, "lastTerminated");
  }
}
