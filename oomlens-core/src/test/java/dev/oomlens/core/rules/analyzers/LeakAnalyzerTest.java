package dev.oomlens.core.rules.analyzers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.SeriesWindow;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.series.MemoryProfile;
import dev.oomlens.core.series.Series;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

  private static final String POD = "/kubepods/burstable/pod5b3e7f62-0a4c-4d7e-9a51-2f1c9e8d7b6a/";
  private static final String CONTAINER =
      "679f9845995b4ae4812789eb3c3d1df88040a1bc3f0c046a05c9aa9b5b5f93be";

  /**
   * A week of a container leaking 128 MiB per hour, restarted every 4 h (a new cgroup each life);
   * its last life is {@code lastId}'s cgroup.
   */
  private static MemoryProfile leakingSeries(String lastId) {
    long start = 1_767_225_600_000L;
    long step = 30_000;
    int n = (int) (7 * 24 * 3600_000L / step);
    int per = (int) (4 * 3600_000L / step);
    MemoryProfile p = new MemoryProfile(new MemoryProfile.Id("shop", "leaky-0", "leaky"));
    int lives = (n + per - 1) / per;
    for (int life = 0; life < lives; life++) {
      int len = Math.min(per, n - life * per);
      long[] t = new long[len];
      double[] v = new double[len];
      for (int i = 0; i < len; i++) {
        long sec = (long) i * step / 1000;
        t[i] = start + (long) (life * per + i) * step;
        v[i] = (8 + 128.0 * sec / 3600 + (sec % 300) * 40.0 / 300) * (1 << 20);
      }
      String id = life == lives - 1 ? lastId : String.format(Locale.ROOT, "%064x", life + 1);
      p.add(
          new Series(
              Series.Role.WORKING_SET,
              "container_memory_working_set_bytes",
              Map.of("namespace", "shop", "pod", "leaky-0", "container", "leaky", "id", POD + id),
              t,
              v));
    }
    long[] t = {start, start + n * step};
    p.add(
        new Series(
            Series.Role.LIMIT,
            "container_spec_memory_limit_bytes",
            Map.of("namespace", "shop", "pod", "leaky-0", "container", "leaky"),
            t,
            new double[] {512 << 20, 512 << 20}));
    return p;
  }

  private static List<OomReport> growingKills() {
    StringBuilder log = new StringBuilder();
    double at = 1000;
    for (long anon : new long[] {380, 420, 470}) {
      log.append(
          ReportText.memcg(512 * 1024, 512 * 1024)
              .cgroup(POD + CONTAINER)
              .at(at)
              .stat("anon", anon << 20)
              .stat("file", (512 - anon) << 20)
              .stat("shmem", 0)
              .victim(4242, "python3", anon * 1024, 4096, 0)
              .build());
      at += 7200;
    }
    return Fixtures.text("leak-and-series.log", log.toString());
  }

  /** One leak seen twice, in the container's series and in its kills: one finding, citing both. */
  @Test
  void analyze_seriesAndKillsOfOneContainer_oneFindingCitingBoth() {
    EvidenceSet evidence =
        EvidenceSet.builder().reports(growingKills()).memory(leakingSeries(CONTAINER)).build();

    assertThat(analyzer.analyze(evidence))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.summary())
                  .isEqualTo("shop/leaky-0/leaky grows 128.0 MiB per hour: a leak");
              assertThat(f.reasoning())
                  .contains(
                      "The kernel's kills agree: killed 3 times, holding 380.0 MiB at the first"
                          + " and 470.0 MiB at the last.");
              assertThat(f.evidence()).hasAtLeastOneElementOfType(SeriesWindow.class);
              assertThat(f.logLines()).filteredOn(l -> l.text().contains("anon ")).hasSize(3);
              Fixtures.assertCitesRealLines(f);
            });
  }

  /** Near miss: the kills are another container's, so they are a leak of their own. */
  @Test
  void analyze_seriesAndKillsOfDifferentContainers_twoFindings() {
    EvidenceSet evidence =
        EvidenceSet.builder()
            .reports(growingKills())
            .memory(leakingSeries(String.format(Locale.ROOT, "%064x", 999)))
            .build();

    assertThat(analyzer.analyze(evidence))
        .extracting(Finding::summary)
        .satisfiesExactlyInAnyOrder(
            s ->
                assertThat(s)
                    .endsWith("grew at every kill (380.0 MiB to 470.0 MiB over 3 kills): a leak"),
            s -> assertThat(s).isEqualTo("shop/leaky-0/leaky grows 128.0 MiB per hour: a leak"));
  }
}
