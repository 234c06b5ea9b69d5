package dev.oomlens.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.diagnosis.Diagnosis;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.rules.EvidenceSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KUBEVIRT-OVERHEAD from a cluster's objects: a VMI of seed 001's matrix (8Gi, 4 vCPUs) whose
 * launcher got KubeVirt's overhead at ratio 1 while Harvester's setting asks for 1.5.
 */
class KubevirtDumpTest {
  @TempDir Path dir;

  private static final String VMI =
      """
      apiVersion: kubevirt.io/v1
      kind: VirtualMachineInstance
      metadata: {name: win-01, namespace: vms}
      spec:
        domain:
          cpu: {sockets: 1, cores: 4, threads: 1}
          memory: {guest: 8Gi}
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: virt-launcher-win-01-abcde, namespace: vms}
      spec:
        nodeName: harvester-1
        containers:
        - name: compute
          image: registry.suse.com/suse/sles/15.6/virt-launcher:1.3.1
          resources: {limits: {memory: %s}}
      """;

  private List<Finding> findings(String limit, String ratio) throws IOException {
    Path f = dir.resolve("vm.yaml");
    Files.writeString(
        f,
        VMI.formatted(limit)
            + (ratio == null
                ? ""
                : """
        ---
        apiVersion: harvesterhci.io/v1beta1
        kind: Setting
        metadata: {name: additional-guest-memory-overhead-ratio}
        value: "%s"
        """
                    .formatted(ratio)));
    EvidenceSet.Builder b = EvidenceSet.builder();
    new ClusterDumps(List.of(f), Map.of()).readInto(b);
    return Diagnosis.of(b.build()).findings().stream()
        .filter(x -> x.code().equals("KUBEVIRT-OVERHEAD"))
        .toList();
  }

  @Test
  void launcherSizedAtRatioOne_underHarvesters15_isShort() throws IOException {
    // KubeVirt 1.3 (the image tag): 8Gi/512 + 210Mi + 8Mi x 4 + 8Mi + 32Mi graphics = 298Mi,
    // x 1.5 = 447Mi: the launcher needs 8639Mi.
    assertThat(findings("8490Mi", "1.5"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.summary())
                  .isEqualTo(
                      "VMI win-01: its launcher's 8490Mi limit is 149Mi short"
                          + " of guest plus KubeVirt's overhead (8639Mi)");
              assertThat(f.reasoning())
                  .contains(
                      "KubeVirt v0.59-v1.4 (from the launcher's image tag)",
                      "Harvester setting additional-guest-memory-overhead-ratio");
            });
  }

  @Test
  void nearMiss_sameLimitAtKubevirtsDefaultRatio_isEnough() throws IOException {
    assertThat(findings("8490Mi", null)).isEmpty();
  }
}
