package dev.oomlens.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MemcgCompositionTest {

  @Test
  void of_v2Keys_readsAnonFileShmemAndSumsKernelParts() {
    // Key names and values from corpus 015 (5.15, cgroup v2 pod slice).
    MemcgComposition c =
        MemcgComposition.of(
            Map.of(
                "anon",
                484655104L,
                "file",
                37748736L,
                "shmem",
                37748736L,
                "kernel_stack",
                98304L,
                "pagetables",
                1138688L,
                "slab_reclaimable",
                237848L,
                "slab_unreclaimable",
                323248L));

    assertThat(c.vocabulary()).isEqualTo(MemcgComposition.Vocabulary.V2);
    assertThat(c.anonBytes()).hasValue(484655104L);
    assertThat(c.shmemBytes()).hasValue(37748736L);
    assertThat(c.slabBytes()).hasValue(237848L + 323248L);
    assertThat(c.kernelBytes()).hasValue(98304L + 1138688L + 237848L + 323248L);
  }

  @Test
  void of_v1WithTotals_prefersTheHierarchicalTotals() {
    // 6.18 on cgroup v1, pod-level limit: the pod's own keys are zero, its totals are not.
    MemcgComposition c =
        MemcgComposition.of(
            Map.of(
                "rss",
                0L,
                "cache",
                0L,
                "shmem",
                0L,
                "total_rss",
                34340864L,
                "total_cache",
                4956160L,
                "total_shmem",
                0L));

    assertThat(c.vocabulary()).isEqualTo(MemcgComposition.Vocabulary.V1_HIERARCHICAL);
    assertThat(c.anonBytes()).hasValue(34340864L);
    assertThat(c.fileBytes()).hasValue(4956160L);
  }

  @Test
  void of_v1WithoutTotals_readsTheCgroupsOwnKeys() {
    // Corpus 026: one-line 3.13 stats, KB already converted to bytes by the reader.
    MemcgComposition c = MemcgComposition.of(Map.of("cache", 0L, "rss", 1003520L, "swap", 0L));

    assertThat(c.vocabulary()).isEqualTo(MemcgComposition.Vocabulary.V1_LOCAL);
    assertThat(c.anonBytes()).hasValue(1003520L);
    assertThat(c.shmemBytes()).isEmpty();
    assertThat(c.swapBytes()).hasValue(0L);
  }
}
