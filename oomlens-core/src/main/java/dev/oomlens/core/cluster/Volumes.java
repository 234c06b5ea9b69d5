package dev.oomlens.core.cluster;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/** The persistent volumes and claims of a cluster. */
public final class Volumes {
  private Volumes() {}

  /**
   * A PersistentVolumeClaim.
   *
   * @param selectedNode the {@code volume.kubernetes.io/selected-node} annotation: the node a local
   *     volume was provisioned on
   */
  public record Claim(
      ObjectRef ref,
      Optional<String> phase,
      Optional<String> volumeName,
      Optional<String> selectedNode) {
    public Claim {
      requireNonNull(ref, "ref");
      requireNonNull(phase, "phase");
      requireNonNull(volumeName, "volumeName");
      requireNonNull(selectedNode, "selectedNode");
    }
  }

  /**
   * A PersistentVolume.
   *
   * @param claim the claim bound to it ({@code spec.claimRef}), when bound
   * @param nodes the hostnames its node affinity requires (a local-path or local volume)
   */
  public record Volume(
      ObjectRef ref, Optional<String> phase, Optional<ObjectRef> claim, List<String> nodes) {
    public Volume {
      requireNonNull(ref, "ref");
      requireNonNull(phase, "phase");
      requireNonNull(claim, "claim");
      nodes = List.copyOf(nodes);
    }
  }
}
