package dev.oomlens.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
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
 * @param statBlocks every {@code Memory cgroup stats for} block, in report order (cgroup v1 prints
 *     one per cgroup of the OOM subtree; the first is the OOM cgroup's)
 * @param source the {@code memory: usage} line
 * @param swapSource the {@code swap: usage} line, likewise {@code memswSource} ({@code
 *     memory+swap:}) and {@code kmemSource} ({@code kmem:})
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
    List<StatBlock> statBlocks,
    SourceLine source,
    Optional<SourceLine> swapSource,
    Optional<SourceLine> memswSource,
    Optional<SourceLine> kmemSource) {

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
    statBlocks = List.copyOf(statBlocks);
    requireNonNull(source, "source");
    requireNonNull(swapSource, "swapSource");
    requireNonNull(memswSource, "memswSource");
    requireNonNull(kmemSource, "kmemSource");
  }

  /**
   * One {@code Memory cgroup stats for <cgroup>:} block: its counters and the line each was printed
   * on (the block's own line for the one-line v1 format, a line per key for the later formats).
   *
   * @param values sizes in bytes (v1 {@code KB} values converted), counts as printed; keys exactly
   *     as the kernel printed them
   * @param lines the line each key was printed on
   * @param header the {@code Memory cgroup stats for} line
   */
  public record StatBlock(
      String cgroup, Map<String, Long> values, Map<String, SourceLine> lines, SourceLine header) {
    public StatBlock {
      requireNonNull(cgroup, "cgroup");
      values = Map.copyOf(values);
      lines = Map.copyOf(lines);
      requireNonNull(header, "header");
    }
  }

  /** The cgroup the first {@code Memory cgroup stats for} block is about. */
  public Optional<String> statCgroup() {
    return statBlocks.isEmpty() ? Optional.empty() : Optional.of(statBlocks.getFirst().cgroup());
  }

  /** The first stats block's counters (the OOM cgroup's); empty when none was printed. */
  public Map<String, Long> stat() {
    return statBlocks.isEmpty() ? Map.of() : statBlocks.getFirst().values();
  }

  /** The line the first stats block printed {@code key} on. */
  public Optional<SourceLine> statLine(String key) {
    return statBlocks.isEmpty()
        ? Optional.empty()
        : Optional.ofNullable(statBlocks.getFirst().lines().get(key));
  }

  /** Every stats block's counters by cgroup, in report order. */
  public Map<String, Map<String, Long>> statByCgroup() {
    Map<String, Map<String, Long>> out = new LinkedHashMap<>();
    statBlocks.forEach(b -> out.put(b.cgroup(), b.values()));
    return Collections.unmodifiableMap(out);
  }

  /**
   * What the charge was made of, whichever key vocabulary the kernel printed. Old v1 kernels print
   * one block per cgroup of the OOM subtree, each with that cgroup's own pages; those are added up.
   */
  public MemcgComposition composition() {
    MemcgComposition first = MemcgComposition.of(stat());
    if (first.vocabulary() != MemcgComposition.Vocabulary.V1_LOCAL || statBlocks.size() < 2) {
      return first;
    }
    Map<String, Long> subtree = new HashMap<>();
    statBlocks.forEach(b -> b.values().forEach((k, v) -> subtree.merge(k, v, Long::sum)));
    return MemcgComposition.of(subtree);
  }

  /** True for the values the kernel prints when no limit is set. */
  public static boolean isUnlimited(long limitKb) {
    return limitKb >= UNLIMITED_THRESHOLD_KB;
  }
}
