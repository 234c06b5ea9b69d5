package dev.oomlens.core.rules.analyzers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.RealInputs;
import dev.oomlens.core.rules.ReportBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HostExhaustedAnalyzerTest {
  private final HostExhaustedAnalyzer analyzer = new HostExhaustedAnalyzer();

  @Test
  void analyze_swapFullArchHost_anonDominatesAndSwapExhausted() {
    assertThat(RealInputs.run(analyzer, "corpus/018-oomanalyser-arch-6.1-host.log"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
              assertThat(f.summary())
                  .isEqualTo("The host ran out of memory: anon memory filled RAM, swap full");
              assertThat(f.reasoning())
                  .contains(
                      "Normal (node 0) free 61900 kB, min 61948 kB",
                      "Swap: 84 kB free of 25165820 kB",
                      "Largest task: doxygen (pid 473206)");
              assertThat(f.logLines())
                  .extracting(l -> l.text())
                  .anyMatch(t -> t.startsWith("Free swap  = 84kB"));
            });
  }

  @Test
  void analyze_cmaOnlyFreeMemory_saysTheFreeMemoryWasCma() {
    assertThat(RealInputs.run(analyzer, "corpus/008-panic-on-oom-arm64-5.4.log"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.reasoning()).contains("523848 kB of the free memory was CMA");
              assertThat(f.fixes()).extracting(x -> x.layer()).contains(Layer.KERNEL_SWAP);
            });
  }

  @Test
  void analyze_sysrqOom_isSilent() {
    assertThat(RealInputs.run(analyzer, "corpus/013-oomanalyser-ubuntu-5.13-sysrq-host.log"))
        .isEmpty();
  }

  @Test
  void analyze_memcgOom_isSilent() {
    assertThat(RealInputs.run(analyzer, "kmsg/containerd-burstable-container.kmsg")).isEmpty();
  }

  @Test
  void analyze_highOrderWithPlentyFree_isLeftToFragmentation() {
    OomReport r =
        new ReportBuilder("hand-built")
            .trigger("nic", 3, 3, 0)
            .global(
                Map.of("active_anon", 100000L, "free", 200000L),
                1048576,
                0,
                0,
                800000,
                20000,
                25000,
                30000)
            .build();
    assertThat(
            analyzer.analyze(
                EvidenceSet.builder().reports(List.of(r)).allocFailures(List.of()).build()))
        .isEmpty();
  }

  @Test
  void analyze_orderZeroBelowWatermarks_firesWithoutSwap() {
    OomReport r =
        new ReportBuilder("hand-built")
            .trigger("app", 3, 0, 0)
            .global(
                Map.of("active_anon", 900000L, "inactive_file", 1000L, "free", 4500L),
                1048576,
                0,
                0,
                18000,
                20000,
                25000,
                30000)
            .task(3, 880000, 0, 0, "app")
            .victim(3, "app", 3520000, 0)
            .build();
    assertThat(
            analyzer.analyze(
                EvidenceSet.builder().reports(List.of(r)).allocFailures(List.of()).build()))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.summary()).endsWith(", no swap");
              assertThat(f.reasoning()).contains("No swap was configured", "anon 3.4 GiB (85.8%)");
            });
  }
}
