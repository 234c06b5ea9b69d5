package dev.oomlens.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.model.HostMemory;
import dev.oomlens.core.model.SourceLine;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class MemInfoParserTest {

  @Test
  void parse_counters() {
    // corpus 008 (5.4)
    MemInfoParser.Counters c =
        (MemInfoParser.Counters)
            MemInfoParser.parse("active_anon:325300 inactive_anon:19129 isolated_anon:0")
                .orElseThrow();
    assertThat(c.pages()).containsEntry("active_anon", 325300L).hasSize(3);
    assertThat(MemInfoParser.parse(" free:132256 free_pcp:650 free_cma:130962")).isPresent();
  }

  @Test
  void parse_zoneLines_3xAnd6x() {
    // corpus 027 (3.13 with pages_scanned), 018 (6.1 with boost)
    MemInfoParser.Zone z =
        (MemInfoParser.Zone)
            MemInfoParser.parse(
                    "Node 0 DMA32 free:44592kB"
                        + " min:44640kB low:55800kB high:66960kB active_anon:1615456kB present:1765368kB"
                        + " managed:1722912kB mlocked:0kB pages_scanned:819 all_unreclaimable? yes")
                .orElseThrow();
    assertThat(z)
        .isEqualTo(
            new MemInfoParser.Zone(
                0,
                "DMA32",
                OptionalLong.of(44592),
                OptionalLong.of(44640),
                OptionalLong.of(55800),
                OptionalLong.of(66960),
                OptionalLong.of(1765368),
                OptionalLong.of(1722912)));
    MemInfoParser.Zone n =
        (MemInfoParser.Zone)
            MemInfoParser.parse(
                    "Node 0 Normal free:61900kB"
                        + " boost:8192kB min:61948kB low:75384kB high:88820kB reserved_highatomic:0KB"
                        + " present:13096960kB managed:12774792kB")
                .orElseThrow();
    assertThat(n.zone()).isEqualTo("Normal");
    assertThat(n.minKb()).hasValue(61948);
  }

  @Test
  void parse_zoneCut_keepsWholeFields() {
    // corpus 023: zone line cut at column 159
    MemInfoParser.Zone z =
        (MemInfoParser.Zone)
            MemInfoParser.parse(
                    "Node 0 DMA free:7896kB"
                        + " min:44kB low:56kB high:68kB reserved_highatomic:0KB active_anon:0kB"
                        + " inactive_anon:7960kB active_file:0kB inactive_file:0B")
                .orElseThrow();
    assertThat(z.freeKb()).hasValue(7896);
    assertThat(z.presentKb()).isEmpty();
    assertThat(z.managedKb()).isEmpty();
  }

  @Test
  void parse_otherLinesOfTheBlock() {
    // corpus 001, 008, 010, 027
    assertThat(
            MemInfoParser.parse(
                "Node 0 active_anon:1301200kB inactive_anon:76516kB" + " all_unreclaimable? yes"))
        .containsInstanceOf(MemInfoParser.Other.class);
    assertThat(MemInfoParser.parse("Node 0 DMA32: 4*4kB (UEC) 0*8kB 1*16kB (E) = 529024kB"))
        .hasValue(
            new MemInfoParser.Buddy(
                0,
                "DMA32",
                List.of(
                    new HostMemory.FreeBlocks(4, 4096),
                    new HostMemory.FreeBlocks(0, 8192),
                    new HostMemory.FreeBlocks(1, 16384))));
    // Cut before its total: its counts cannot be trusted.
    assertThat(MemInfoParser.parse("Node 0 DMA32: 4*4kB (UEC) 0*8kB 1*1"))
        .containsInstanceOf(MemInfoParser.Other.class);
    assertThat(MemInfoParser.parse("lowmem_reserve[]: 0 2780 15835 15835"))
        .containsInstanceOf(MemInfoParser.Other.class);
    assertThat(MemInfoParser.parse("Node 0 DMA per-cpu:"))
        .containsInstanceOf(MemInfoParser.Other.class);
    assertThat(MemInfoParser.parse("CPU    0: hi:  186, btch:  31 usd:  86"))
        .containsInstanceOf(MemInfoParser.Other.class);
    assertThat(MemInfoParser.parse("Swap cache stats: add 0, delete 0, find 0/0"))
        .containsInstanceOf(MemInfoParser.Other.class);
    assertThat(
            MemInfoParser.parse(
                "Node 1 hugepages_total=0 hugepages_free=0 hugepages_surp=0"
                    + " hugepages_size=1048576kB"))
        .hasValue(new MemInfoParser.Hugepages(1, 0, 0, 0, 1048576));
    assertThat(MemInfoParser.parse("100155 total pagecache pages"))
        .hasValue(new MemInfoParser.Pages("total pagecache pages", 100155));
    assertThat(MemInfoParser.parse("131072 pages cma reserved"))
        .hasValue(new MemInfoParser.Pages("pages cma reserved", 131072));
    assertThat(MemInfoParser.parse("Free swap  = 84kB"))
        .hasValue(new MemInfoParser.Swap(false, 84));
    assertThat(MemInfoParser.parse("Total swap = 25165820kB"))
        .hasValue(new MemInfoParser.Swap(true, 25165820));
    assertThat(MemInfoParser.parse("Call Trace:")).isEmpty();
    assertThat(MemInfoParser.parse("Node 0 something else")).isEmpty();
  }

  @Test
  void builder_wholeBlock_3xWithPagesetsAndSlab() {
    // corpus 027 (3.13 pagesets), slab rows as dump_unreclaimable_slab() prints them (4.15+)
    MemInfoBuilder b = new MemInfoBuilder();
    SourceLine src = new SourceLine("t", 1, "Mem-Info:");
    String[] lines = {
      "Mem-Info:",
      "Node 0 DMA per-cpu:",
      "CPU    0: hi:    0, btch:   1 usd:   0",
      "active_anon:405991 inactive_anon:57 isolated_anon:0",
      " free:12929 slab_reclaimable:1635 slab_unreclaimable:1919",
      "Node 0 DMA free:7124kB min:412kB low:512kB high:616kB present:15992kB managed:15908kB",
      "lowmem_reserve[]: 0 1679 1679 1679",
      "Node 0 DMA: 5*4kB (UM) 6*8kB (UEM) 1*2048kB (R) 0*4096kB = 7124kB",
      "Node 0 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=2048kB",
      "204 total pagecache pages",
      "0 pages in swap cache",
      "Free swap  = 0kB",
      "Total swap = 0kB",
      "445340 pages RAM",
      "0 pages HighMem/MovableOnly",
      "10614 pages reserved",
      "0 pages hwpoisoned",
      "Unreclaimable slab info:",
      "Name                      Used          Total",
      "kmalloc-512            12345KB      23456KB",
      "TCPv6                     30KB         60KB"
    };
    for (String l : lines) {
      assertThat(b.accept(l, src)).as(l).isTrue();
    }
    assertThat(
            b.accept(
                "[ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name", src))
        .isFalse();
    // One zone of a 1.7 GiB machine: its present memory tells nothing of the page size.
    assertThat(b.pageSizeBytes()).isEmpty();
    HostMemory h = b.build(4096).orElseThrow();
    assertThat(h.counterBytes())
        .containsEntry("free", 12929L * 4096)
        .containsEntry("active_anon", 405991L * 4096)
        .hasSize(6);
    assertThat(h.zones()).hasSize(1);
    assertThat(h.hugepages()).hasSize(1);
    assertThat(h.pagecacheBytes()).hasValue(204L * 4096);
    assertThat(h.swapCacheBytes()).hasValue(0);
    assertThat(h.freeSwapBytes()).hasValue(0);
    assertThat(h.totalSwapBytes()).hasValue(0);
    assertThat(h.ramBytes()).hasValue(445340L * 4096);
    assertThat(h.highmemBytes()).hasValue(0);
    assertThat(h.reservedBytes()).hasValue(10614L * 4096);
    assertThat(h.cmaReservedBytes()).isEmpty();
    assertThat(h.hwpoisonedBytes()).hasValue(0);
    assertThat(h.unreclaimableSlab())
        .extracting(HostMemory.SlabEntry::name)
        .containsExactly("kmalloc-512", "TCPv6");
    assertThat(h.unreclaimableSlab().getFirst().usedBytes()).isEqualTo(12345L * 1024);
    assertThat(h.unreclaimableSlab().getFirst().totalBytes()).isEqualTo(23456L * 1024);
  }

  @Test
  void builder_countersOutsideTheBlock_notTaken() {
    MemInfoBuilder b = new MemInfoBuilder();
    assertThat(b.accept("active_anon:1 inactive_anon:2", new SourceLine("t", 1, "x"))).isFalse();
    assertThat(b.build(4096)).isEmpty();
  }
}
