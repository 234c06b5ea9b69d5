package dev.oomlens.core.cluster;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * A status condition of an object that reports its reconciliation: a Flux Kustomization's or
 * HelmRelease's Ready condition.
 *
 * @param ref the object
 * @param fieldPath {@code status.conditions[i]}
 */
public record Condition(
    ObjectRef ref,
    String fieldPath,
    String type,
    String status,
    Optional<String> reason,
    Optional<String> message) {
  public Condition {
    requireNonNull(ref, "ref");
    requireNonNull(fieldPath, "fieldPath");
    requireNonNull(type, "type");
    requireNonNull(status, "status");
    requireNonNull(reason, "reason");
    requireNonNull(message, "message");
  }

  /** True for a condition that says the object is not ready. */
  public boolean failing() {
    return type.equals("Ready") && status.equals("False");
  }
}
