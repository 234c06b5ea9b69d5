package dev.oomlens.core.finding;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The limit a fix sets, as data: which cgroup, which limit, from what to what. Every fix that
 * changes a limit carries one, so a reader (or a test) can see that all fixes about one cgroup
 * propose the same number.
 *
 * @param cgroup the memory cgroup whose limit it is, as the kernel names it
 * @param currentBytes the limit in force when the kernel killed, when the report printed it
 * @param newBytes the limit to set
 */
public record LimitChange(String cgroup, Knob knob, OptionalLong currentBytes, long newBytes) {
  /** Which limit of the cgroup. */
  public enum Knob {
    /** The memory limit: memory.max, memory.limit_in_bytes, a container's memory limit. */
    MEMORY,
    /** cgroup v1's memory and swap together: memory.memsw.limit_in_bytes, --memory-swap. */
    MEMORY_AND_SWAP;

    /** The name used in the JSON contract. */
    public String jsonName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '+');
    }
  }

  public LimitChange {
    requireNonNull(cgroup, "cgroup");
    requireNonNull(knob, "knob");
    requireNonNull(currentBytes, "currentBytes");
    if (newBytes <= 0) {
      throw new IllegalArgumentException("newBytes=" + newBytes);
    }
  }

  // Written out rather than generated, for the reason given in Fix: fixes are deduplicated by
  // value.
  @Override
  public boolean equals(Object o) {
    return o instanceof LimitChange c
        && cgroup.equals(c.cgroup)
        && knob == c.knob
        && currentBytes.equals(c.currentBytes)
        && newBytes == c.newBytes;
  }

  @Override
  public int hashCode() {
    return Objects.hash(cgroup, knob, currentBytes, newBytes);
  }
}
