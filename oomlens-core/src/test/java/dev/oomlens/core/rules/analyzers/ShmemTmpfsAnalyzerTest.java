package dev.oomlens.core.rules.analyzers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.model.OomReport;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShmemTmpfsAnalyzerTest {
  private final ShmemTmpfsAnalyzer analyzer = new ShmemTmpfsAnalyzer();

  /** A real 6.18 cgroup-v1 report: dd wrote 16 MiB into a tmpfs of a 24 MiB Guaranteed pod. */
  @Test
  void analyze_tmpfsFilledGuaranteedPod_v1TotalKeys() {
    List<Finding> findings =
        analyzer.analyze(Fixtures.evidence("kmsg/guaranteed-tmpfs-shmem.kmsg"));

    assertThat(findings).hasSize(1);
    Finding f = findings.get(0);
    assertThat(f.code()).isEqualTo("SHMEM-TMPFS");
    assertThat(f.confidence()).isEqualTo(Confidence.HIGH);
    assertThat(f.summary()).contains("16.0 MiB (67%)");
    assertThat(f.reasoning())
        .contains("anon 7.8 MiB (32%)", "cgroup v1 total_* stat keys", "shmem-rss was 0 KiB");
    assertThat(f.logLines())
        .extracting(l -> l.text().replaceFirst("^[^;]*;", ""))
        .contains(
            "memory: usage 24576kB, limit 24576kB, failcnt 53",
            "total_shmem 16777216",
            "total_rss 8175616",
            "total_cache 16777216");
    Fixtures.assertCitesRealLines(f);
    // limit 24 MiB - 1.25 x 8 MiB of the rest = 14 MiB for the files
    assertThat(f.fixes())
        .extracting(Fix::layer)
        .containsExactly(Layer.POD_SPEC, Layer.POD_SPEC, Layer.APPLICATION, Layer.CONTAINER_LIMIT);
    assertThat(f.fixes().get(0).snippet())
        .hasValueSatisfying(s -> assertThat(s).contains("medium: Memory", "sizeLimit: 14Mi"));
    // the one sizing policy: 1.5 x the 24 MiB it held
    assertThat(f.fixes().get(3).snippet())
        .hasValueSatisfying(s -> assertThat(s).contains("memory: \"36Mi\""));
  }

  @Test
  void analyze_anonFilledContainer_isSilent() {
    assertThat(
            analyzer.analyze(
                Fixtures.evidence(
                    "kmsg/containerd-burstable-container.kmsg",
                    "kmsg/pod-limit-idle-victim.kmsg",
                    "kmsg/systemd-service.kmsg")))
        .isEmpty();
  }

  @Test
  void analyze_corpusReports_areSilent() {
    assertThat(
            analyzer.analyze(
                Fixtures.evidence(
                    "corpus/015-jpaztech-aks-5.15-burstable-pod-cgv2.log",
                    "corpus/003-ubuntu-3.13-docker-java-memcg-v1.log",
                    "corpus/006-icloudnative-k3s-4.15-cgroupfs-burstable-dmesgT.log",
                    "corpus/001-oomanalyser-rhel7-3.10-host.log",
                    "corpus/018-oomanalyser-arch-6.1-host.log")))
        .isEmpty();
  }

  /** v2 keys: shmem is part of file, and at 60% it dominates. */
  @Test
  void analyze_v2KeysShmemDominant_fires() {
    List<OomReport> reports =
        Fixtures.text(
            "v2-shmem.log",
            ReportText.memcg(512000, 512000)
                .stat("anon", 150L << 20)
                .stat("file", 340L << 20)
                .stat("shmem", 300L << 20)
                .stat("slab", 4L << 20)
                .victim(4242, "app", 150 * 1024, 2048, 0)
                .build());
    List<Finding> findings = analyzer.analyze(Fixtures.evidence(reports));
    assertThat(findings)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.summary()).contains("300.0 MiB (60%)");
              assertThat(f.logLines())
                  .anySatisfy(l -> assertThat(l.text()).endsWith("] shmem 314572800"));
              Fixtures.assertCitesRealLines(f);
            });
  }

  /** Near miss: 30% of the cgroup in tmpfs is a contributor, not the cause. */
  @Test
  void analyze_shmemThirtyPercent_isSilent() {
    List<OomReport> reports =
        Fixtures.text(
            "v2-shmem-30.log",
            ReportText.memcg(512000, 512000)
                .stat("anon", 340L << 20)
                .stat("file", 160L << 20)
                .stat("shmem", 150L << 20)
                .victim(4242, "app", 340 * 1024, 2048, 0)
                .build());
    assertThat(analyzer.analyze(Fixtures.evidence(reports))).isEmpty();
  }
}
