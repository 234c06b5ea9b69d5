package dev.oomlens.core.rules.analyzers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.model.OomReport;
import java.util.List;
import org.junit.jupiter.api.Test;

class TightLimitAnalyzerTest {
  private final TightLimitAnalyzer analyzer = new TightLimitAnalyzer();

  /** Real 6.18 report: a hog in a 32 MiB Burstable container. */
  @Test
  void analyze_realContainerAtItsLimit() {
    List<Finding> findings =
        analyzer.analyze(Fixtures.evidence("kmsg/containerd-burstable-container.kmsg"));

    assertThat(findings)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.code()).isEqualTo("TIGHT-LIMIT");
              assertThat(f.confidence()).isEqualTo(Confidence.LOW);
              // anon-rss 32384 + file-rss 1632 + shmem 0 + pgtables 112 = 34128 kB = 33.3 MiB
              assertThat(f.reasoning())
                  .contains(
                      "One kill",
                      "held 33.3 MiB",
                      "Raised to 1.5 x what it held, the limit is 50Mi.");
              Fixtures.assertCitesRealLines(f);
              assertThat(f.fixes())
                  .extracting(Fix::layer)
                  .containsExactly(Layer.CONTAINER_LIMIT, Layer.POD_SPEC);
              assertThat(f.fixes().get(0).snippet())
                  .hasValue(
                      "resources:\n  requests:\n"
                          + "    memory: \"34Mi\"\n  limits:\n    memory: \"50Mi\"");
              assertThat(f.summary()).endsWith("raise it to 50Mi");
            });
  }

  @Test
  void analyze_systemdService_printsMemoryMax() {
    assertThat(analyzer.analyze(Fixtures.evidence("kmsg/systemd-service.kmsg")))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.fixes().get(0).snippet())
                  .hasValueSatisfying(
                      s ->
                          assertThat(s)
                              .startsWith("# systemctl edit oomlens-test-")
                              .contains("[Service]", "MemoryMax="));
              Fixtures.assertCitesRealLines(f);
            });
  }

  /** Real 6.18 report: the pod's limit took the idle 16 MiB container, not the grower. */
  @Test
  void analyze_podLimitWithSmallVictim_isLeftToVictimNotGrower() {
    // The idle app (21 MiB) was killed in a 48 MiB pod while the grower held 33 MiB: headroom
    // sized from the victim would be wrong, and VICTIM-NOT-GROWER explains the kill.
    assertThat(analyzer.analyze(Fixtures.evidence("kmsg/pod-limit-idle-victim.kmsg"))).isEmpty();
  }

  /** A JVM's size follows its flags: JVM gives the advice, not a bigger limit. */
  @Test
  void analyze_jvmVictim_isLeftToTheJvmRule() {
    assertThat(analyzer.analyze(Fixtures.evidence("rules/jvm-xmx-above-limit.kmsg"))).isEmpty();
  }

  /** Flat kills over hours: still a tight limit, said with more confidence. */
  @Test
  void analyze_repeatedFlatKills_medium() {
    List<OomReport> reports =
        Fixtures.text(
            "flat.log",
            LeakAnalyzerTest.kill(1000, 512, 450)
                + LeakAnalyzerTest.kill(8200, 512, 452)
                + LeakAnalyzerTest.kill(15400, 512, 449));
    assertThat(analyzer.analyze(Fixtures.evidence(reports)))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.confidence()).isEqualTo(Confidence.MEDIUM);
              // three incidents hours apart, one limit: one finding that counts all three kills
              assertThat(f.reasoning()).contains("killed 3 times");
              assertThat(f.logLines())
                  .filteredOn(l -> l.text().contains("Killed process"))
                  .hasSize(3);
            });
  }

  @Test
  void analyze_otherCauses_areSilent() {
    assertThat(
            analyzer.analyze(
                Fixtures.evidence(
                    "kmsg/guaranteed-tmpfs-shmem.kmsg",
                    "rules/harvester-cpu-kvm-5.3.log",
                    "corpus/001-oomanalyser-rhel7-3.10-host.log")))
        .isEmpty();
  }

  /** Near miss: growing kills are LEAK's; raising the limit must not be proposed. */
  @Test
  void analyze_growingKills_isSilent() {
    List<OomReport> reports =
        Fixtures.text(
            "leak.log",
            LeakAnalyzerTest.kill(1000, 512, 380)
                + LeakAnalyzerTest.kill(8200, 512, 420)
                + LeakAnalyzerTest.kill(15400, 512, 470));
    assertThat(analyzer.analyze(Fixtures.evidence(reports))).isEmpty();
  }

  /** Near miss: the limit of all pods (kubepods) is the node's allocatable, not a tight limit. */
  @Test
  void analyze_kubepodsLevel_isSilent() {
    List<OomReport> reports =
        Fixtures.text(
            "kubepods.log",
            ReportText.memcg(8000000, 8000000)
                .cgroup("/kubepods.slice")
                .stat("anon", 7500L << 20)
                .stat("file", 200L << 20)
                .stat("shmem", 0)
                .victim(4242, "app", 3000 * 1024, 1024, 0)
                .build());
    assertThat(analyzer.analyze(Fixtures.evidence(reports))).isEmpty();
  }

  /** Near miss: anon 60% of the limit, the rest cache: not the workload's own memory. */
  @Test
  void analyze_anonSixtyPercent_isSilent() {
    List<OomReport> reports = Fixtures.text("sixty.log", LeakAnalyzerTest.kill(1000, 512, 307));
    assertThat(analyzer.analyze(Fixtures.evidence(reports))).isEmpty();
  }
}
