package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.model.MemcgComposition;
import dev.oomlens.core.model.MemcgState;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.SourceLine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/*
 * The memcg stat block comes in three shapes (kernel-oom-format.md section 4); the sizes are read
 * by MemcgComposition, and this class adds what the analyzers need on top: which printed line
 * each size came from, the kernel's parts, and v1's kmem counter.
 *
 * - cgroup v2 memory.stat keys (anon, file, shmem, slab, kernel_stack, pagetables, sock ...), in
 *   bytes: every v2 kernel and, from about 5.3 to 6.x, cgroup v1 too. Hierarchical: the OOM
 *   cgroup's block covers its whole subtree. "file" includes shmem (tmpfs is page cache that is
 *   swap-backed), so page cache proper is file - shmem.
 * - cgroup v1 memory.stat keys in bytes with their total_* twins (6.x on v1, memcg1_stat_format):
 *   the plain keys are the cgroup's own pages, the total_* keys its subtree. A pod-level OOM has
 *   all its pages in child cgroups, so only total_* describe it. "cache" includes shmem; "rss"
 *   is anonymous memory including transparent hugepages.
 * - the one-line v1 format of <= 4.18 (cache:..KB rss:..KB ...), which the reader already turned
 *   into bytes: one line per cgroup of the OOM subtree, each with that cgroup's own pages, so the
 *   subtree is the sum of the lines.
 *
 * Kernel memory: v2 prints "kernel" on recent kernels; older ones only its parts. v1 prints the
 * kmem counter ("kmem: usage"), which on v1 is charged to the memory counter as well.
 */

/**
 * What a memory cgroup's charge was made of at the OOM, in bytes, in the same terms whatever stat
 * format the kernel printed: anonymous memory, page cache, shmem/tmpfs and kernel memory.
 */
final class ChargeBreakdown {
  private static final String[] KERNEL_PARTS_V2 = {
    "slab", "kernel_stack", "pagetables", "sec_pagetables", "percpu", "sock", "vmalloc"
  };

  /** The share of the charge a part must reach, besides being the largest, to dominate it. */
  static final double DOMINANT_SHARE = 0.40;

  private final MemcgState memcg;
  private final MemcgComposition composition;

  /** The printed keys, "total_" stripped for v1 hierarchical stats, summed for old v1 blocks. */
  private final Map<String, Long> stat;

  private final boolean v2;

  /** "total_" when the v1 hierarchical keys are used. */
  private final String prefix;

  /** True when the stat is the sum of one-line blocks: cite those lines whole. */
  private final boolean summed;

  private ChargeBreakdown(MemcgState memcg, Map<String, Long> stat) {
    this.memcg = memcg;
    this.composition = memcg.composition();
    this.stat = stat;
    this.v2 = composition.vocabulary() == MemcgComposition.Vocabulary.V2;
    this.prefix =
        composition.vocabulary() == MemcgComposition.Vocabulary.V1_HIERARCHICAL ? "total_" : "";
    this.summed =
        composition.vocabulary() == MemcgComposition.Vocabulary.V1_LOCAL
            && memcg.statByCgroup().size() > 1;
  }

  /** The breakdown of a memcg report; empty when the report printed no usage or no stats. */
  static Optional<ChargeBreakdown> of(OomReport report) {
    if (report.memcg().isEmpty() || report.memcg().get().stat().isEmpty()) {
      return Optional.empty();
    }
    MemcgState m = report.memcg().get();
    MemcgComposition c = m.composition();
    if (c.anonBytes().isEmpty() && c.fileBytes().isEmpty()) {
      return Optional.empty();
    }
    Map<String, Long> printed = new LinkedHashMap<>();
    switch (c.vocabulary()) {
      case V2 -> printed.putAll(m.stat());
      case V1_HIERARCHICAL ->
          m.stat()
              .forEach(
                  (k, v) -> {
                    if (k.startsWith("total_")) {
                      printed.put(k.substring("total_".length()), v);
                    }
                  });
      case V1_LOCAL ->
          m.statByCgroup()
              .values()
              .forEach(block -> block.forEach((k, v) -> printed.merge(k, v, Long::sum)));
    }
    return Optional.of(new ChargeBreakdown(m, printed));
  }

  /**
   * True when {@code partBytes} is at least {@link #DOMINANT_SHARE} of the charge and no smaller
   * than any of anon, page cache, shmem and kernel memory: what the cgroup was mostly made of.
   */
  boolean dominates(long partBytes) {
    long charged = chargedBytes();
    return charged > 0
        && partBytes >= DOMINANT_SHARE * charged
        && partBytes >= anonBytes().orElse(0)
        && partBytes >= pageCacheBytes().orElse(0)
        && partBytes >= shmemBytes().orElse(0)
        && partBytes >= kernelBytes().orElse(0);
  }

  MemcgState memcg() {
    return memcg;
  }

  long usageBytes() {
    return memcg.usageBytes();
  }

  /** The limit in bytes; empty when unlimited (a v1 memory+swap limit was what fired). */
  OptionalLong limitBytes() {
    return MemcgState.isUnlimited(memcg.limitBytes())
        ? OptionalLong.empty()
        : OptionalLong.of(memcg.limitBytes());
  }

  /** What the shares are taken of: the usage, which at a memcg OOM sits at (or near) the limit. */
  long chargedBytes() {
    return usageBytes();
  }

  OptionalLong anonBytes() {
    return composition.anonBytes();
  }

  /** All page cache, tmpfs included (v2 {@code file}, v1 {@code cache}). */
  OptionalLong fileBytes() {
    return composition.fileBytes();
  }

  OptionalLong shmemBytes() {
    return composition.shmemBytes();
  }

  /** Page cache without tmpfs/shmem: file - shmem. */
  OptionalLong pageCacheBytes() {
    OptionalLong file = fileBytes();
    if (file.isEmpty()) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Math.max(0, file.getAsLong() - shmemBytes().orElse(0)));
  }

  OptionalLong dirtyBytes() {
    return composition.dirtyBytes();
  }

  OptionalLong writebackBytes() {
    return composition.writebackBytes();
  }

  OptionalLong mappedBytes() {
    return composition.mappedFileBytes();
  }

  OptionalLong get(String key) {
    Long v = stat.get(key);
    return v == null ? OptionalLong.empty() : OptionalLong.of(v);
  }

  /** Kernel memory charged to the cgroup: v2 {@code kernel} or its parts, v1 the kmem counter. */
  OptionalLong kernelBytes() {
    if (v2) {
      return composition.kernelBytes();
    }
    return memcg.kmemUsageBytes();
  }

  /**
   * The kernel-memory keys the stat printed (slab, kernel_stack, pagetables, sock ...), v2 only.
   */
  Map<String, Long> kernelParts() {
    Map<String, Long> parts = new LinkedHashMap<>();
    if (!v2) {
      return parts;
    }
    for (String k : KERNEL_PARTS_V2) {
      if (k.equals("slab") && !stat.containsKey("slab")) {
        long s =
            stat.getOrDefault("slab_reclaimable", 0L) + stat.getOrDefault("slab_unreclaimable", 0L);
        if (stat.containsKey("slab_reclaimable") || stat.containsKey("slab_unreclaimable")) {
          parts.put("slab", s);
        }
        continue;
      }
      Long v = stat.get(k);
      if (v != null) {
        parts.put(k, v);
      }
    }
    return parts;
  }

  boolean isV2Keys() {
    return v2;
  }

  /** The key as the kernel printed it ({@code total_shmem} for 6.x v1 hierarchical stats). */
  String printedKey(String canonical) {
    String k =
        switch (canonical) {
          case "anon" -> v2 ? "anon" : "rss";
          case "file" -> v2 ? "file" : "cache";
          case "dirty" -> v2 ? "file_dirty" : "dirty";
          case "writeback" -> v2 ? "file_writeback" : "writeback";
          case "mapped" -> v2 ? "file_mapped" : "mapped_file";
          default -> canonical;
        };
    return prefix + k;
  }

  /**
   * The lines that printed these stat keys (canonical names: anon, file, shmem, dirty, writeback,
   * mapped, or a v2 key), preceded by the {@code memory: usage} line.
   */
  List<SourceLine> cite(String... canonicalKeys) {
    List<SourceLine> out = new ArrayList<>();
    out.add(memcg.source());
    if (summed) {
      memcg.statBlocks().forEach(b -> out.add(b.header()));
      return SourceLines.distinct(out);
    }
    for (String key : canonicalKeys) {
      if (key.equals("kmem")) {
        memcg.kmemSource().ifPresent(out::add);
        continue;
      }
      memcg.statLine(printedKey(key)).ifPresent(out::add);
    }
    return SourceLines.distinct(out);
  }

  /** How the stat keys were printed, for the reasoning: e.g. "cgroup v1 total_* stat keys". */
  String formatName() {
    if (v2) {
      return "cgroup v2 stat keys";
    }
    return prefix.isEmpty() ? "cgroup v1 stat keys" : "cgroup v1 total_* stat keys";
  }
}
