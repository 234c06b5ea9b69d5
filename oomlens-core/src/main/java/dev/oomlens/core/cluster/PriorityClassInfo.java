package dev.oomlens.core.cluster;

import static java.util.Objects.requireNonNull;

/** A PriorityClass: its name and value. */
public record PriorityClassInfo(ObjectRef ref, int value) {
  public PriorityClassInfo {
    requireNonNull(ref, "ref");
  }

  public String name() {
    return ref.name();
  }
}
