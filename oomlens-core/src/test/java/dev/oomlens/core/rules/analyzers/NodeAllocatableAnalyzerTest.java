package dev.oomlens.core.rules.analyzers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.RealInputs;
import dev.oomlens.core.rules.ReportBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeAllocatableAnalyzerTest {
  private static final String POD =
      "kubepods-besteffort-pod11111111_2222_3333_4444_555555555555.slice";
  private final NodeAllocatableAnalyzer analyzer = new NodeAllocatableAnalyzer();

  private List<Finding> run(String oomMemcg) {
    OomReport r =
        new ReportBuilder("hand-built")
            .trigger("grower", 7, 0, 900)
            .memcg(
                oomMemcg,
                "/kubepods.slice/kubepods-besteffort.slice/"
                    + POD
                    + "/cri-containerd-"
                    + "b".repeat(64)
                    + ".scope",
                7340032,
                7340032)
            .task(6, 1000, 0, 1000, "idle")
            .task(7, 1700000, 0, 900, "grower")
            .victim(6, "idle", 4000, 1000)
            .build();
    return analyzer.analyze(
        EvidenceSet.builder().reports(List.of(r)).allocFailures(List.of()).build());
  }

  @Test
  void analyze_kubepodsSlice_isNodeAllocatableWithKubeletSnippet() {
    assertThat(run("/kubepods.slice"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.summary())
                  .isEqualTo(
                      "The node's pods together hit the node allocatable limit of 7.0 GiB (/kubepods.slice)");
              assertThat(f.reasoning())
                  .contains(
                      "Usage 7340032 kB of a 7340032 kB limit",
                      "capacity - kubeReserved - systemReserved",
                      "Largest task: grower (pid 7)");
              assertThat(f.fixes()).extracting(x -> x.layer()).contains(Layer.NODE, Layer.POD_SPEC);
              // 7168Mi / 20 = 358 -> 400, below the 500Mi floor
              assertThat(f.fixes().get(1).snippet().orElseThrow())
                  .contains("memory.available: \"500Mi\"", "kubeReserved:", "systemReserved:");
            });
  }

  @Test
  void analyze_cgroupfsKubepodsAndQosLevels_fire() {
    assertThat(run("/kubepods")).hasSize(1);
    assertThat(run("/kubepods/besteffort"))
        .singleElement()
        .satisfies(f -> assertThat(f.summary()).contains("QoS class limit"));
    assertThat(run("/kubepods.slice/kubepods-besteffort.slice")).hasSize(1);
  }

  @Test
  void analyze_podLevel_isSilent() {
    assertThat(run("/kubepods.slice/kubepods-besteffort.slice/" + POD)).isEmpty();
    assertThat(RealInputs.run(analyzer, "kmsg/pod-limit-idle-victim.kmsg")).isEmpty();
  }

  @Test
  void analyze_nameThatOnlyContainsKubepods_isSilent() {
    assertThat(run("/mykubepods")).isEmpty();
    assertThat(run("/system.slice/kubepods-backup.service")).isEmpty();
  }
}
