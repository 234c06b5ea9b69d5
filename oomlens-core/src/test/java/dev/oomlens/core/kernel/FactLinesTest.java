package dev.oomlens.core.kernel;

import static dev.oomlens.core.kernel.ReportTestLines.assemble;
import static dev.oomlens.core.kernel.ReportTestLines.resource;
import static dev.oomlens.core.kernel.ReportTestLines.unframed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.model.FactLines;
import dev.oomlens.core.model.HostMemory;
import dev.oomlens.core.model.MemcgState;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.SourceLine;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Every fact a finding may cite keeps the line it was printed on: corpus reports read by the
 * assembler, each fact's line checked against the file.
 */
class FactLinesTest {

  private static OomReport corpus(String file) {
    return assemble(unframed(file, resource("corpus/" + file))).reports.stream()
        .filter(r -> r.trigger().isPresent())
        .findFirst()
        .orElseThrow();
  }

  private static long line(Optional<SourceLine> l) {
    return l.orElseThrow().line();
  }

  @Test
  void build_memcgV2_statLinesCountersSummaryAndCgroupLines() {
    OomReport r = corpus("015-jpaztech-aks-5.15-burstable-pod-cgv2.log");
    MemcgState m = r.memcg().orElseThrow();
    assertThat(m.source().line()).isEqualTo(33);
    assertThat(line(m.swapSource())).isEqualTo(34);
    assertThat(m.statBlocks())
        .singleElement()
        .satisfies(b -> assertThat(b.header().line()).isEqualTo(35));
    assertThat(line(m.statLine("anon"))).isEqualTo(36);
    assertThat(line(m.statLine("inactive_anon"))).isEqualTo(50);
    assertThat(m.statLine("no_such_key")).isEmpty();
    FactLines f = r.factLines();
    assertThat(line(f.stackHeader())).isEqualTo(2);
    assertThat(line(f.summary())).isEqualTo(70);
    assertThat(line(f.oomMemcg())).isEqualTo(70);
    assertThat(line(f.taskMemcg())).isEqualTo(70);
    assertThat(f.taskIn()).isEmpty();
    assertThat(r.nodemask()).hasValue("(null)");
  }

  @Test
  void build_memcgV1OneLineStats_everyKeyOnItsBlocksLine() {
    OomReport r = corpus("006-icloudnative-k3s-4.15-cgroupfs-burstable-dmesgT.log");
    MemcgState m = r.memcg().orElseThrow();
    assertThat(line(m.memswSource())).isEqualTo(28);
    assertThat(line(m.kmemSource())).isEqualTo(29);
    assertThat(m.statBlocks()).extracting(b -> b.header().line()).containsExactly(30L, 31L, 32L);
    assertThat(m.statBlocks().get(2).lines().get("rss").line()).isEqualTo(32);
    FactLines f = r.factLines();
    assertThat(line(f.taskIn())).isEqualTo(26);
    assertThat(line(f.oomMemcg())).isEqualTo(26);
    assertThat(line(f.taskMemcg())).isEqualTo(26);
    assertThat(line(f.reaper())).isEqualTo(42);
    assertThat(f.summary()).isEmpty();
  }

  @Test
  void build_sysrqHost_workqueueCountersPagesSwapAndBuddyLists() {
    OomReport r = corpus("013-oomanalyser-ubuntu-5.13-sysrq-host.log");
    assertThat(r.workFunction()).hasValue("moom_callback");
    assertThat(line(r.factLines().workqueue())).isEqualTo(4);
    HostMemory h = r.hostMemory().orElseThrow();
    assertThat(h.counterLines().get("active_anon").line()).isEqualTo(20);
    assertThat(h.counterLines().get("free").line()).isEqualTo(25);
    assertThat(line(h.freeSwapSource())).isEqualTo(37);
    assertThat(line(h.totalSwapSource())).isEqualTo(38);
    assertThat(line(h.ramLine())).isEqualTo(39);
    assertThat(h.freeAreas()).extracting(a -> a.zone()).contains("DMA32");
    HostMemory.FreeArea dma32 =
        h.freeAreas().stream().filter(a -> a.zone().equals("DMA32")).findFirst().orElseThrow();
    assertThat(dma32.source().line()).isEqualTo(32);
    assertThat(dma32.blocks().get(1)).isEqualTo(new HostMemory.FreeBlocks(4, 8 * 1024));
  }

  @Test
  void build_rsyslogJoinedMemInfo_countersOnTheOnePhysicalLine() {
    OomReport r = corpus("001-oomanalyser-rhel7-3.10-host.log");
    HostMemory h = r.hostMemory().orElseThrow();
    assertThat(h.counterLines().get("active_anon").line()).isEqualTo(32);
    assertThat(h.counterLines().get("free").line()).isEqualTo(32);
    assertThat(h.freeAreas()).extracting(a -> a.source().line()).contains(43L, 44L);
    assertThat(line(h.totalSwapSource())).isEqualTo(53);
    assertThat(line(h.ramLine())).isEqualTo(54);
  }

  @Test
  void build_panicOnOom_panicLine() {
    OomReport r = corpus("008-panic-on-oom-arm64-5.4.log");
    assertThat(line(r.factLines().panic())).isEqualTo(49);
    assertThat(r.factLines().noKillable()).isEmpty();
  }
}
