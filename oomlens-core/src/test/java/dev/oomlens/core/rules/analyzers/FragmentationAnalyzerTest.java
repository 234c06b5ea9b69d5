package dev.oomlens.core.rules.analyzers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.RealInputs;
import dev.oomlens.core.rules.ReportBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FragmentationAnalyzerTest {
  private final FragmentationAnalyzer analyzer = new FragmentationAnalyzer();

  private List<Finding> run(int order, long zoneFreeKb, String buddy) {
    ReportBuilder b =
        new ReportBuilder("hand-built")
            .trigger("nic", 3, order, 0)
            .global(
                Map.of("active_anon", 100000L, "free", zoneFreeKb / 4),
                1048576,
                0,
                0,
                zoneFreeKb,
                20000,
                25000,
                30000);
    if (buddy != null) {
      b.freeArea(buddy);
    }
    OomReport r = b.build();
    return analyzer.analyze(
        EvidenceSet.builder().reports(List.of(r)).allocFailures(List.of()).build());
  }

  @Test
  void analyze_order3WithOnlySmallBlocks_fires() {
    List<Finding> out =
        run(
            3,
            800000,
            "Node 0 Normal: 150000*4kB (UME) 25000*8kB (UM) 0*16kB 0*32kB 0*64kB = 800000kB");
    assertThat(out)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.confidence()).isEqualTo(Confidence.HIGH);
              assertThat(f.summary())
                  .isEqualTo(
                      "An order-3 allocation failed with 800000 kB free: memory was fragmented, not exhausted");
              assertThat(f.reasoning()).contains("32 kB contiguous", "Normal (node 0) 8 kB");
              assertThat(f.fixes().getFirst().snippet().orElseThrow())
                  .contains("vm.min_free_kbytes = 40000");
            });
  }

  @Test
  void analyze_blockOfThatOrderFree_isSilent() {
    assertThat(
            run(3, 800000, "Node 0 Normal: 150000*4kB (UME) 25000*8kB (UM) 2*32kB (M) = 800064kB"))
        .isEmpty();
  }

  @Test
  void analyze_highOrderButFreeBelowWatermarks_isSilent() {
    assertThat(run(2, 40000, null)).isEmpty();
  }

  @Test
  void analyze_orderZeroRealHostOom_isSilent() {
    assertThat(RealInputs.run(analyzer, "corpus/018-oomanalyser-arch-6.1-host.log")).isEmpty();
  }
}
