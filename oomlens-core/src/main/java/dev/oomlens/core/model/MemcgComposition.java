package dev.oomlens.core.model;

import java.util.Map;
import java.util.OptionalLong;

/*
 * Why this exists: the kernel has printed a memory cgroup's breakdown in three vocabularies. Old
 * v1 kernels print `cache:`/`rss:` in one line (KB); 5.x kernels print the v2 keys (`anon`, `file`,
 * `shmem`, `slab`...) even on cgroup v1; 6.x kernels on cgroup v1 print the v1 keys again, in
 * bytes, followed by hierarchical `total_*` versions — and for a pod-level limit only the totals
 * describe the pod, its own keys being zero. Every reader of a breakdown must make the same choice,
 * so it is made once, here: v2 keys, else v1 hierarchical totals, else v1 plain keys.
 */

/**
 * What a memory cgroup's charge was made of at the OOM, read from a {@link MemcgState#stat()} block
 * whichever vocabulary the kernel used. Bytes; empty where the block does not say.
 *
 * @param anonBytes anonymous memory (heap, stacks); v1 {@code rss} (includes transparent huge
 *     pages)
 * @param fileBytes page cache including tmpfs/shmem; v1 {@code cache}
 * @param shmemBytes tmpfs, shared memory, memfd
 * @param slabBytes kernel slab (v2 only; v1 reports kernel memory in the {@code kmem:} line
 *     instead)
 * @param kernelBytes all kernel memory charged (v2 {@code kernel}, else stack + page tables + slab
 *     + sock + percpu + vmalloc where printed)
 * @param activeFileBytes cache recently used (harder to reclaim), likewise {@code
 *     inactiveFileBytes}
 */
public record MemcgComposition(
    OptionalLong anonBytes,
    OptionalLong fileBytes,
    OptionalLong shmemBytes,
    OptionalLong slabBytes,
    OptionalLong kernelBytes,
    OptionalLong swapBytes,
    OptionalLong mappedFileBytes,
    OptionalLong dirtyBytes,
    OptionalLong writebackBytes,
    OptionalLong activeFileBytes,
    OptionalLong inactiveFileBytes,
    OptionalLong unevictableBytes,
    Vocabulary vocabulary) {

  /** Which set of keys the breakdown was read from. */
  public enum Vocabulary {
    /** {@code anon file shmem slab ...} (cgroup v2, and 5.x kernels on v1). */
    V2,
    /** v1 {@code total_rss total_cache ...}: the cgroup and everything below it. */
    V1_HIERARCHICAL,
    /** v1 {@code rss cache ...} of the cgroup alone. */
    V1_LOCAL
  }

  /** Reads a stat block (sizes in bytes, keys as printed). */
  public static MemcgComposition of(Map<String, Long> stat) {
    if (stat.containsKey("anon") || stat.containsKey("file")) {
      return new MemcgComposition(
          get(stat, "anon"),
          get(stat, "file"),
          get(stat, "shmem"),
          stat.containsKey("slab")
              ? get(stat, "slab")
              : sum(stat, "slab_reclaimable", "slab_unreclaimable"),
          stat.containsKey("kernel")
              ? get(stat, "kernel")
              : sum(
                  stat,
                  "kernel_stack",
                  "pagetables",
                  "sec_pagetables",
                  "percpu",
                  "sock",
                  "vmalloc",
                  "slab_reclaimable",
                  "slab_unreclaimable"),
          OptionalLong.empty(),
          get(stat, "file_mapped"),
          get(stat, "file_dirty"),
          get(stat, "file_writeback"),
          get(stat, "active_file"),
          get(stat, "inactive_file"),
          get(stat, "unevictable"),
          Vocabulary.V2);
    }
    String p = stat.containsKey("total_rss") || stat.containsKey("total_cache") ? "total_" : "";
    return new MemcgComposition(
        get(stat, p + "rss"),
        get(stat, p + "cache"),
        get(stat, p + "shmem"),
        OptionalLong.empty(),
        OptionalLong.empty(),
        get(stat, p + "swap"),
        get(stat, p + "mapped_file"),
        get(stat, p + "dirty"),
        get(stat, p + "writeback"),
        get(stat, p + "active_file"),
        get(stat, p + "inactive_file"),
        get(stat, p + "unevictable"),
        p.isEmpty() ? Vocabulary.V1_LOCAL : Vocabulary.V1_HIERARCHICAL);
  }

  private static OptionalLong get(Map<String, Long> stat, String key) {
    Long v = stat.get(key);
    return v == null ? OptionalLong.empty() : OptionalLong.of(v);
  }

  private static OptionalLong sum(Map<String, Long> stat, String... keys) {
    long total = 0;
    boolean any = false;
    for (String key : keys) {
      Long v = stat.get(key);
      if (v != null) {
        total += v;
        any = true;
      }
    }
    return any ? OptionalLong.of(total) : OptionalLong.empty();
  }
}
