package dev.oomlens.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The memory cgroup block of a memcg OOM report: {@code memory: usage X kB, limit Y kB, failcnt N}
 * and what follows it.
 *
 * <p>Limits are as printed: "unlimited" is printed as 9007199254740988kB (4.x+) or
 * 18014398509481983kB (3.x); see {@link #isUnlimited(long)}.
 *
 * @param swapUsageKb cgroup v2 {@code swap: usage}
 * @param memswUsageKb cgroup v1 {@code memory+swap: usage} (memory and swap together)
 * @param kmemUsageKb cgroup v1 {@code kmem: usage}
 * @param statCgroup the cgroup the first {@code Memory cgroup stats for} block is about
 * @param stat that block's counters: sizes in bytes (v1 {@code KB} values converted), counts as
 *     printed; keys exactly as the kernel printed them
 * @param statByCgroup every {@code Memory cgroup stats for} block, in report order (cgroup v1
 *     prints one per cgroup of the OOM subtree)
 */
public record MemcgState(
    long usageKb,
    long limitKb,
    OptionalLong failcnt,
    OptionalLong swapUsageKb,
    OptionalLong swapLimitKb,
    OptionalLong swapFailcnt,
    OptionalLong memswUsageKb,
    OptionalLong memswLimitKb,
    OptionalLong memswFailcnt,
    OptionalLong kmemUsageKb,
    OptionalLong kmemLimitKb,
    OptionalLong kmemFailcnt,
    Optional<String> statCgroup,
    Map<String, Long> stat,
    Map<String, Map<String, Long>> statByCgroup,
    SourceLine source) {

  /** Smallest value the kernel prints for "no limit" ({@code PAGE_COUNTER_MAX} in kB, 4.x+). */
  public static final long UNLIMITED_THRESHOLD_KB = 9007199254740988L;

  public MemcgState {
    requireNonNull(failcnt, "failcnt");
    requireNonNull(swapUsageKb, "swapUsageKb");
    requireNonNull(swapLimitKb, "swapLimitKb");
    requireNonNull(swapFailcnt, "swapFailcnt");
    requireNonNull(memswUsageKb, "memswUsageKb");
    requireNonNull(memswLimitKb, "memswLimitKb");
    requireNonNull(memswFailcnt, "memswFailcnt");
    requireNonNull(kmemUsageKb, "kmemUsageKb");
    requireNonNull(kmemLimitKb, "kmemLimitKb");
    requireNonNull(kmemFailcnt, "kmemFailcnt");
    requireNonNull(statCgroup, "statCgroup");
    requireNonNull(source, "source");
    stat = Map.copyOf(stat);
    statByCgroup = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(statByCgroup));
  }

  /**
   * What the charge was made of, whichever key vocabulary the kernel printed. Old v1 kernels print
   * one block per cgroup of the OOM subtree, each with that cgroup's own pages; those are added up.
   */
  public MemcgComposition composition() {
    MemcgComposition first = MemcgComposition.of(stat);
    if (first.vocabulary() != MemcgComposition.Vocabulary.V1_LOCAL || statByCgroup.size() < 2) {
      return first;
    }
    java.util.Map<String, Long> subtree = new java.util.HashMap<>();
    statByCgroup.values().forEach(block -> block.forEach((k, v) -> subtree.merge(k, v, Long::sum)));
    return MemcgComposition.of(subtree);
  }

  /** True for the values the kernel prints when no limit is set. */
  public static boolean isUnlimited(long limitKb) {
    return limitKb >= UNLIMITED_THRESHOLD_KB;
  }
}
