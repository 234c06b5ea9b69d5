package dev.oomlens.core.cluster;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * A KubeVirt VirtualMachineInstance: the memory its guest was given and what its virt-launcher
 * pod's overhead depends on.
 *
 * @param guestBytes {@code spec.domain.memory.guest}, else {@code
 *     spec.domain.resources.requests.memory}
 * @param vcpus sockets x cores x threads, at least 1
 * @param graphics false only when {@code autoattachGraphicsDevice} is false
 * @param ratio the {@code additionalGuestMemoryOverheadRatio} in effect, when the input held
 *     KubeVirt's or Harvester's setting
 * @param ratioSource where {@code ratio} came from, for the finding to say
 */
public record VirtualMachine(
    ObjectRef ref,
    long guestBytes,
    int vcpus,
    boolean graphics,
    Optional<Double> ratio,
    Optional<String> ratioSource) {
  public VirtualMachine {
    requireNonNull(ref, "ref");
    requireNonNull(ratio, "ratio");
    requireNonNull(ratioSource, "ratioSource");
  }
}
