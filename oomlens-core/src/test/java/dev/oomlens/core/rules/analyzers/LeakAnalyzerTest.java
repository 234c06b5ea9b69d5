package dev.oomlens.core.rules.analyzers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.model.OomReport;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeakAnalyzerTest {
  private final LeakAnalyzer analyzer = new LeakAnalyzer();

  /** One kill of a 512 MiB container: anon as given, the rest page cache. */
  static String kill(double at, long limitMib, long anonMib) {
    return ReportText.memcg(limitMib * 1024, limitMib * 1024)
        .at(at)
        .stat("anon", anonMib << 20)
        .stat("file", (limitMib - anonMib) << 20)
        .stat("shmem", 0)
        .victim(4242, "python3", anonMib * 1024, 4096, 0)
        .build();
  }

  @Test
  void analyze_anonRisingAtEveryKill_sameLimit() {
    List<OomReport> reports =
        Fixtures.text(
            "leak.log", kill(1000, 512, 380) + kill(8200, 512, 420) + kill(15400, 512, 470));
    List<Finding> findings = analyzer.analyze(Fixtures.evidence(reports));

    assertThat(findings)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.code()).isEqualTo("LEAK");
              assertThat(f.confidence()).isEqualTo(Confidence.MEDIUM);
              assertThat(f.summary())
                  .endsWith(
                      "grew at every kill (380.0 MiB to 470.0 MiB over 3 kills): " + "a leak");
              // 2 h between kills: 512 MiB / 2 h = 256 MiB per hour at most
              assertThat(f.reasoning())
                  .contains(
                      "380.0 MiB of 512.0 MiB at +0 s",
                      "470.0 MiB of 512.0 MiB at +4.0 h",
                      "died every 2.0 h on average",
                      "at most 256.0 MiB per hour",
                      "a 1.0 GiB limit would die about every 4.0 h",
                      "Raising the limit is not the fix");
              assertThat(f.logLines()).filteredOn(l -> l.text().contains("anon ")).hasSize(3);
              Fixtures.assertCitesRealLines(f);
              assertThat(f.fixes()).extracting(Fix::layer).containsOnly(Layer.APPLICATION);
              assertThat(f.fixes().get(0).snippet())
                  .hasValueSatisfying(s -> assertThat(s).contains("tracemalloc"));
              assertThat(f.fixes()).noneMatch(x -> x.layer() == Layer.CONTAINER_LIMIT);
            });
  }

  @Test
  void analyze_grewIntoARaisedLimit() {
    List<OomReport> reports =
        Fixtures.text("raised.log", kill(1000, 256, 240) + kill(15400, 512, 480));
    assertThat(analyzer.analyze(Fixtures.evidence(reports)))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.confidence()).isEqualTo(Confidence.HIGH);
              assertThat(f.reasoning())
                  .contains("The limit was raised from 256.0 MiB to 512.0 MiB");
              Fixtures.assertCitesRealLines(f);
            });
  }

  /** Near miss: flat sizes at the same limit are a tight limit, not a leak. */
  @Test
  void analyze_flatSizes_isSilent() {
    List<OomReport> reports =
        Fixtures.text(
            "flat.log", kill(1000, 512, 450) + kill(8200, 512, 452) + kill(15400, 512, 449));
    assertThat(analyzer.analyze(Fixtures.evidence(reports))).isEmpty();
  }

  /** Near miss: kills seconds apart are one burst of the same shortage, not growth over time. */
  @Test
  void analyze_burstOfKills_isSilent() {
    List<OomReport> reports =
        Fixtures.text(
            "burst.log", kill(1000, 512, 380) + kill(1000.5, 512, 420) + kill(1001, 512, 470));
    assertThat(analyzer.analyze(Fixtures.evidence(reports))).isEmpty();
    assertThat(
            analyzer.analyze(
                Fixtures.evidence(
                    "kmsg/pod-limit-two-kills.kmsg",
                    "corpus/010-martins3-openeuler-5.10-host.log")))
        .isEmpty();
  }

  @Test
  void analyze_singleKills_areSilent() {
    assertThat(
            analyzer.analyze(
                Fixtures.evidence(
                    "kmsg/containerd-burstable-container.kmsg",
                    "rules/jvm-xmx-above-limit.kmsg",
                    "corpus/015-jpaztech-aks-5.15-burstable-pod-cgv2.log",
                    "corpus/018-oomanalyser-arch-6.1-host.log")))
        .isEmpty();
  }
}
