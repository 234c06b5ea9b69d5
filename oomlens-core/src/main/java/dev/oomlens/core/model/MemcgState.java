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
 * and what follows it. Sizes in bytes (the kernel prints kB).
 *
 * <p>Limits are as printed: "unlimited" is printed as 9007199254740988kB (4.x+) or
 * 18014398509481983kB (3.x, which is more bytes than a long holds: kept as {@link Long#MAX_VALUE});
 * see {@link #isUnlimited(long)}.
 *
 * @param swapUsageBytes cgroup v2 {@code swap: usage}
 * @param memswUsageBytes cgroup v1 {@code memory+swap: usage} (memory and swap together)
 * @param kmemUsageBytes cgroup v1 {@code kmem: usage}
 * @param statBlocks every {@code Memory cgroup stats for} block, in report order (cgroup v1 prints
 *     one per cgroup of the OOM subtree; the first is the OOM cgroup's)
 * @param source the {@code memory: usage} line
 * @param swapSource the {@code swap: usage} line, likewise {@code memswSource} ({@code
 *     memory+swap:}) and {@code kmemSource} ({@code kmem:})
 */
public record MemcgState(
    long usageBytes,
    long limitBytes,
    OptionalLong failcnt,
    OptionalLong swapUsageBytes,
    OptionalLong swapLimitBytes,
    OptionalLong swapFailcnt,
    OptionalLong memswUsageBytes,
    OptionalLong memswLimitBytes,
    OptionalLong memswFailcnt,
    OptionalLong kmemUsageBytes,
    OptionalLong kmemLimitBytes,
    OptionalLong kmemFailcnt,
    List<StatBlock> statBlocks,
    SourceLine source,
    Optional<SourceLine> swapSource,
    Optional<SourceLine> memswSource,
    Optional<SourceLine> kmemSource) {

  /** Smallest value the kernel prints for "no limit" ({@code PAGE_COUNTER_MAX} in kB, 4.x+). */
  public static final long UNLIMITED_THRESHOLD_KB = 9007199254740988L;

  /** {@link #UNLIMITED_THRESHOLD_KB} in bytes. */
  public static final long UNLIMITED_THRESHOLD_BYTES = UNLIMITED_THRESHOLD_KB * 1024;

  public MemcgState {
    requireNonNull(failcnt, "failcnt");
    requireNonNull(swapUsageBytes, "swapUsageBytes");
    swapLimitBytes = Names.constant(requireNonNull(swapLimitBytes, "swapLimitBytes"));
    swapFailcnt = Names.constant(requireNonNull(swapFailcnt, "swapFailcnt"));
    requireNonNull(memswUsageBytes, "memswUsageBytes");
    memswLimitBytes = Names.constant(requireNonNull(memswLimitBytes, "memswLimitBytes"));
    memswFailcnt = Names.constant(requireNonNull(memswFailcnt, "memswFailcnt"));
    requireNonNull(kmemUsageBytes, "kmemUsageBytes");
    kmemLimitBytes = Names.constant(requireNonNull(kmemLimitBytes, "kmemLimitBytes"));
    kmemFailcnt = Names.constant(requireNonNull(kmemFailcnt, "kmemFailcnt"));
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
   *     as the kernel printed them (see {@link #isCount} for which are counts)
   * @param lines the line each key was printed on
   * @param header the {@code Memory cgroup stats for} line
   */
  public record StatBlock(
      String cgroup, Map<String, Long> values, Map<String, SourceLine> lines, SourceLine header) {
    public StatBlock {
      cgroup = Names.recent(cgroup);
      values = Keyed.ofLongs(values);
      lines = Keyed.of(lines);
      requireNonNull(header, "header");
    }
  }

  /**
   * True for the stat keys that count events rather than measure memory: {@code pg*} (faults,
   * scans, steals, {@code pgpgin}), {@code workingset_*}, {@code thp_*} and {@code numa_*} events,
   * {@code zswpin}/{@code zswpout}/{@code zswpwb}, each also with v1's {@code total_} prefix. Every
   * other key (memory.stat's sizes, v1's {@code KB} values) is a size in bytes.
   */
  public static boolean isCount(String key) {
    String k = key.startsWith("total_") ? key.substring("total_".length()) : key;
    return k.startsWith("pg")
        || k.startsWith("workingset_")
        || k.startsWith("thp_")
        || k.startsWith("numa_")
        || k.equals("zswpin")
        || k.equals("zswpout")
        || k.equals("zswpwb");
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

  /**
   * True when cgroup v1's memory+swap limit was the one hit: {@code memory+swap:} usage at its
   * limit while {@code memory:} is below its own.
   */
  public boolean memswLimitHit() {
    return memswLimitBytes.isPresent()
        && memswUsageBytes.isPresent()
        && !isUnlimited(memswLimitBytes.getAsLong())
        && memswUsageBytes.getAsLong() >= memswLimitBytes.getAsLong()
        && (isUnlimited(limitBytes) || usageBytes < limitBytes);
  }

  /** True for the values the kernel prints when no limit is set (in bytes). */
  public static boolean isUnlimited(long limitBytes) {
    return limitBytes >= UNLIMITED_THRESHOLD_BYTES;
  }
}
