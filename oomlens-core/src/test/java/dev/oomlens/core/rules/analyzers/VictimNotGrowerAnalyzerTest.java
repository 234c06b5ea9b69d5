package dev.oomlens.core.rules.analyzers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.RealInputs;
import dev.oomlens.core.rules.ReportBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class VictimNotGrowerAnalyzerTest {
  private final VictimNotGrowerAnalyzer analyzer = new VictimNotGrowerAnalyzer();

  @Test
  void analyze_growingTriggerKillsIdleNeighbour_fires() {
    assertThat(RealInputs.run(analyzer, "kmsg/pod-limit-idle-victim.kmsg"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.summary())
                  .isEqualTo("idle-holder was killed but grower took the memory (35.9 MiB)");
              assertThat(f.confidence()).isEqualTo(Confidence.MEDIUM);
              assertThat(f.reasoning())
                  .contains(
                      "gave the victim 17398 points (5398 + 12000)",
                      "15210 for grower (pid 722)",
                      "oom_score_adj decided it");
              assertThat(f.logLines()).extracting(l -> l.line()).containsExactly(1L, 77L, 78L, 80L);
            });
  }

  @Test
  void analyze_growthAcrossTwoKills_namesTheGrowerAndItsGrowth() {
    assertThat(RealInputs.run(analyzer, "kmsg/pod-limit-two-kills.kmsg"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.confidence()).isEqualTo(Confidence.HIGH);
              assertThat(f.reasoning()).contains("stress-hog (pid 9010) grew by 16.4 MiB");
              assertThat(f.logLines()).extracting(l -> l.line()).contains(78L, 178L, 80L);
            });
  }

  @Test
  void analyze_triggerIsNotVictimButVictimHoldsMore_isSilent() {
    assertThat(
            RealInputs.run(
                analyzer, "corpus/006-icloudnative-k3s-4.15-cgroupfs-burstable-dmesgT.log"))
        .isEmpty();
    assertThat(
            RealInputs.run(
                analyzer, "corpus/023-lstoakes-5.10-next-qemu-host-lines-cut-at-159.log"))
        .isEmpty();
  }

  @Test
  void analyze_largestTriggerHoldingLittleOfTheLimit_isSilent() {
    // the trigger is the largest task but holds 20% of the limit: no one "took the memory"
    OomReport r =
        new ReportBuilder("hand-built")
            .trigger("small", 2, 0, 0)
            .memcg("/a", "/a", 40960, 40960)
            .task(1, 1500, 0, 1000, "victim")
            .task(2, 2048, 0, 0, "small")
            .victim(1, "victim", 6000, 1000)
            .build();
    assertThat(
            analyzer.analyze(
                EvidenceSet.builder().reports(List.of(r)).allocFailures(List.of()).build()))
        .isEmpty();
  }
}
