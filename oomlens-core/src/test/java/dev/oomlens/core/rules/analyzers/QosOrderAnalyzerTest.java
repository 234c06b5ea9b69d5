package dev.oomlens.core.rules.analyzers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.RealInputs;
import dev.oomlens.core.rules.ReportBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class QosOrderAnalyzerTest {
  private final QosOrderAnalyzer analyzer = new QosOrderAnalyzer();

  @Test
  void analyze_bestEffortAdjPicksSmallerTask_fires() {
    assertThat(RealInputs.run(analyzer, "kmsg/pod-limit-idle-victim.kmsg"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.summary())
                  .isEqualTo(
                      "idle-holder (oom_score_adj 1000) was killed before"
                          + " grower (oom_score_adj 500), which held more");
              assertThat(f.reasoning())
                  .contains(
                      "each adj point weighs 12 pages",
                      "the victim scored 17398 (5398 + 12000)",
                      "grower 15210 (9210 + 6000)");
              assertThat(f.fixes().getFirst().snippet().orElseThrow()).contains("memory: \"22Mi\"");
            });
  }

  @Test
  void analyze_victimWithHighAdjIsAlsoTheLargest_isSilent() {
    assertThat(RealInputs.run(analyzer, "corpus/015-jpaztech-aks-5.15-burstable-pod-cgv2.log"))
        .isEmpty();
  }

  @Test
  void analyze_biggerTaskWithTheSameAdj_isSilent() {
    OomReport r =
        new ReportBuilder("hand-built")
            .trigger("b", 2, 0, 1000)
            .memcg("/a", "/a", 40960, 40960)
            .task(1, 3000, 0, 1000, "a")
            .task(2, 6000, 0, 1000, "b")
            .victim(1, "a", 12000, 1000)
            .build();
    assertThat(
            analyzer.analyze(
                EvidenceSet.builder().reports(List.of(r)).allocFailures(List.of()).build()))
        .isEmpty();
  }

  @Test
  void analyze_victimAdjZero_isSilent() {
    OomReport r =
        new ReportBuilder("hand-built")
            .trigger("b", 2, 0, 0)
            .memcg("/a", "/a", 40960, 40960)
            .task(1, 3000, 0, 0, "a")
            .task(2, 6000, 0, -500, "b")
            .victim(1, "a", 12000, 0)
            .build();
    assertThat(
            analyzer.analyze(
                EvidenceSet.builder().reports(List.of(r)).allocFailures(List.of()).build()))
        .isEmpty();
  }
}
