package dev.oomlens.core.model;

/**
 * Where the memory ran out, as the report shows it. Kernels since 4.19 print the constraint; for
 * older ones it is read from the report's shape ({@code Task in ... killed as a result of limit
 * of}, {@code Memory cgroup out of memory:} vs {@code Mem-Info:} and {@code Out of memory:}).
 */
public enum OomScope {
  /** A memory cgroup hit its own limit. */
  MEMCG,
  /** The whole machine (or VM) ran out. */
  GLOBAL,
  /** The allocation was confined to the nodes of a cpuset. */
  CPUSET,
  /** The allocation was confined to the nodes of an mbind/set_mempolicy policy. */
  MEMORY_POLICY
}
