package dev.oomlens.core.rules.analyzers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.RealInputs;
import dev.oomlens.core.rules.ReportBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemcgLimitAnalyzerTest {
  private final MemcgLimitAnalyzer analyzer = new MemcgLimitAnalyzer();

  @Test
  void analyze_containerAtItsLimit_namesContainerNumbersAndYaml() {
    List<Finding> out = RealInputs.run(analyzer, "kmsg/containerd-burstable-container.kmsg");
    assertThat(out)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.summary())
                  .startsWith("The container a6c2818ac0cc of pod f0b98980")
                  .contains("32.0 MiB");
              assertThat(f.reasoning())
                  .contains("Usage 32768 kB of a 32768 kB limit (100.0%)", "failcnt 20");
              assertThat(f.logLines())
                  .extracting(l -> l.line())
                  .containsExactly(1L, 69L, 118L, 119L);
              assertThat(f.fixes().getFirst().layer()).isEqualTo(Layer.CONTAINER_LIMIT);
              assertThat(f.fixes().getFirst().action())
                  .contains("from 32Mi to 50Mi", "1.5 x the 33.3 MiB it held");
              assertThat(f.fixes().getFirst().snippet().orElseThrow()).contains("memory: \"50Mi\"");
            });
  }

  @Test
  void analyze_killLinesLostReaperNamesTheVictim_firesAndCitesTheReaperLine() {
    List<Finding> out = RealInputs.run(analyzer, "pasted/kill-lines-lost-4.15.log");
    assertThat(out)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.summary()).contains("bc001ffa-68fc-11e9-92d7-5ef9efd9374c");
              assertThat(f.logLines())
                  .extracting(l -> l.text())
                  .anyMatch(t -> t.contains("oom_reaper: reaped process 32308 (stress)"));
            });
  }

  @Test
  void analyze_podLevelLimit_saysPodAndNamesTheContainerOfTheVictim() {
    List<Finding> out = RealInputs.run(analyzer, "kmsg/pod-limit-idle-victim.kmsg");
    assertThat(out)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.summary()).startsWith("Pod 54a9226b-38bc-4c56-8ee2-fd0163edb05a");
              assertThat(f.reasoning())
                  .contains(
                      "The limit is the pod's",
                      "/6291c1385030529af2fbc78c4067e3df6cecd059d3c10c5a87b643f223f0ac53");
              assertThat(f.fixes().getFirst().layer()).isEqualTo(Layer.POD_SPEC);
              assertThat(f.fixes().getFirst().snippet().orElseThrow()).contains("running grower");
            });
  }

  @Test
  void analyze_systemdService_givesADropIn() {
    List<Finding> out = RealInputs.run(analyzer, "kmsg/systemd-service.kmsg");
    assertThat(out)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.summary()).startsWith("The systemd unit oomlens-test-21299.service");
              assertThat(f.fixes().getFirst().snippet().orElseThrow())
                  .contains("[Service]", "MemoryMax=27M", "MemoryHigh=24M");
            });
  }

  @Test
  void analyze_memswAtItsLimit_saysSwapCouldNotTakeMore() {
    List<Finding> out =
        RealInputs.run(analyzer, "corpus/004-jasei-fedora-4.8-docker-systemd-memcg.log");
    assertThat(out)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.reasoning())
                  .contains("memory+swap was at its limit too (2097080 of 2097152");
              assertThat(f.fixes().getFirst().snippet().orElseThrow()).startsWith("docker update");
            });
  }

  @Test
  void analyze_globalOom_isSilent() {
    assertThat(RealInputs.run(analyzer, "corpus/018-oomanalyser-arch-6.1-host.log")).isEmpty();
  }

  @Test
  void analyze_kubepodsLevelMemcgOom_isLeftToNodeAllocatable() {
    var r =
        new ReportBuilder("hand-built")
            .trigger("app", 5, 0, 1000)
            .memcg(
                "/kubepods.slice",
                "/kubepods.slice/kubepods-besteffort.slice/"
                    + "kubepods-besteffort-pod11111111_2222_3333_4444_555555555555.slice/"
                    + "cri-containerd-"
                    + "a".repeat(64)
                    + ".scope",
                1024000,
                1024000)
            .build();
    assertThat(
            analyzer.analyze(
                EvidenceSet.builder().reports(List.of(r)).allocFailures(List.of()).build()))
        .isEmpty();
  }
}
