package dev.oomlens.core.rules.analyzers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.FileValue;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.SeriesWindow;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.RealInputs;
import dev.oomlens.core.series.HostSeries;
import dev.oomlens.core.series.HostSeriesTest;
import dev.oomlens.core.series.Series;
import java.util.List;
import java.util.Optional;
import java.util.function.LongToDoubleFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class NoSwapAnalyzerTest {
  private static final String NO_SWAP = "vmlab/host-oom-no-swap/dmesg.log";
  private final NoSwapAnalyzer analyzer = new NoSwapAnalyzer();

  @Test
  void analyze_globalOomOnSmallHostWithoutSwap_firesWithZramFixes() {
    assertThat(RealInputs.run(analyzer, NO_SWAP))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.code()).isEqualTo("NO-SWAP");
              assertThat(f.severity()).isEqualTo(Severity.HIGH);
              assertThat(f.confidence()).isEqualTo(Confidence.HIGH);
              assertThat(f.summary())
                  .isEqualTo(
                      "Host-wide OOM on a 511.5 MiB host with no swap: nix"
                          + " (pid 117) was killed with no swap to absorb the spike");
              assertThat(f.reasoning())
                  .contains(
                      "Total swap = 0kB",
                      "CONSTRAINT_NONE, order 0",
                      "held 271.8 MiB resident (53.1% of RAM)");
              assertThat(texts(f))
                  .anyMatch(t -> t.endsWith("Total swap = 0kB"))
                  .anyMatch(t -> t.endsWith("Free swap  = 0kB"))
                  .anyMatch(t -> t.endsWith("130941 pages RAM"))
                  .anyMatch(t -> t.contains("Out of memory: Killed process 117 (nix)"));
              assertThat(snippets(f))
                  .contains("zramSwap = {\n  enable = true;")
                  .contains("[zram0]\nzram-size = min(ram / 2, 4096)\ncompression-algorithm = zstd")
                  .contains("fallocate -l 1024M /swapfile")
                  .contains("node_memory_SwapTotal_bytes > 0")
                  .contains("node_memory_MemAvailable_bytes");
              assertThat(f.fixes())
                  .extracting(Fix::layer)
                  .contains(Layer.KERNEL_SWAP, Layer.HYPERVISOR);
            });
  }

  /** Near miss: swap that was there and full is SWAP-EXHAUSTED's; more swap is not its fix. */
  @Test
  void analyze_swapUsedUp_isLeftToSwapExhausted() {
    assertThat(RealInputs.run(analyzer, "vmlab/host-oom-zram/dmesg.log")).isEmpty();
  }

  @Test
  void analyze_panicOnOom_saysThePanicNotAKill() {
    assertThat(RealInputs.run(analyzer, "corpus/008-panic-on-oom-arm64-5.4.log"))
        .singleElement()
        .satisfies(
            f ->
                assertThat(f.summary())
                    .isEqualTo(
                        "Host-wide OOM on a 1.9 GiB host with"
                            + " no swap: the kernel panicked with no swap to absorb the spike"));
  }

  @Test
  void analyze_sysrqOrMemcgOom_isSilent() {
    assertThat(RealInputs.run(analyzer, "vmlab/sysrq-oom/dmesg.log")).isEmpty();
    assertThat(RealInputs.run(analyzer, "vmlab/cgv2-container-limit/dmesg.log")).isEmpty();
  }

  @Test
  void analyze_bigHostWithoutSwap_isSilent() {
    String big = HostTrees.resource(NO_SWAP).replace("130941 pages RAM", "4194304 pages RAM");
    assertThat(
            analyzer.analyze(
                HostTrees.evidence(
                    HostTrees.reports("x.log", big), Optional.empty(), List.of(), false)))
        .isEmpty();
    String eight = HostTrees.resource(NO_SWAP).replace("130941 pages RAM", "2097152 pages RAM");
    assertThat(
            analyzer.analyze(
                HostTrees.evidence(
                    HostTrees.reports("x.log", eight), Optional.empty(), List.of(), false)))
        .hasSize(1);
  }

  @Test
  void analyze_reportWithoutSwapLines_readsTheHostSnapshot() {
    List<OomReport> reports = withoutSwapLines();
    assertThat(analyzer.analyze(HostTrees.evidence(reports, Optional.empty(), List.of(), false)))
        .as("no swap facts at all")
        .isEmpty();
    var host = HostTrees.read("vmlab-host-oom-no-swap/before-kill");
    assertThat(analyzer.analyze(HostTrees.evidence(reports, Optional.of(host), List.of(), false)))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.confidence()).isEqualTo(Confidence.MEDIUM);
              assertThat(f.reasoning()).contains("the host has no swap now");
              assertThat(values(f)).contains("SwapTotal 0 kB");
            });
    var withSwap = HostTrees.read("vmlab-host-oom-zram/before-kill");
    assertThat(
            analyzer.analyze(HostTrees.evidence(reports, Optional.of(withSwap), List.of(), false)))
        .as("swap now, state at the kill unknown")
        .isEmpty();
  }

  @Test
  void analyze_swapAddedSinceTheKill_saysSoWithLowSeverity() {
    var host = HostTrees.read("vmlab-host-oom-zram/after-kill");
    assertThat(
            analyzer.analyze(
                HostTrees.evidence(
                    HostTrees.reports(NO_SWAP), Optional.of(host), List.of(), false)))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.severity()).isEqualTo(Severity.LOW);
              assertThat(f.summary()).endsWith("(swap has been added since)");
              assertThat(values(f)).anyMatch(t -> t.startsWith("/dev/zram0 "));
            });
  }

  /** A host's series at 5-minute steps over a day: swap, RAM and available memory. */
  static HostSeries host(
      String instance, LongToDoubleFunction swapBytes, double ramBytes, double lowestAvailable) {
    HostSeries h = new HostSeries(instance);
    h.add(HostSeriesTest.series(Series.Role.HOST_SWAP_TOTAL, instance, 288, 300, swapBytes));
    h.add(HostSeriesTest.series(Series.Role.HOST_MEM_TOTAL, instance, 288, 300, i -> ramBytes));
    h.add(
        HostSeriesTest.series(
            Series.Role.HOST_MEM_AVAILABLE,
            instance,
            288,
            300,
            i -> i == 60 ? lowestAvailable : ramBytes * 0.6));
    return h;
  }

  private List<Finding> run(HostSeries... hosts) {
    EvidenceSet.Builder b = EvidenceSet.builder();
    for (HostSeries h : hosts) {
      b.hostSeries(h);
    }
    return analyzer.analyze(b.build());
  }

  @Test
  void analyze_seriesOfASmallHostThatNeverHadSwap_namesIt() {
    assertThat(
            run(
                host("testvm03:9100", i -> 0, 2048.0 * MIB, 20.0 * MIB),
                host("ns1:9100", i -> i < 100 ? 0 : 2047.0 * MIB, 2048.0 * MIB, 150.0 * MIB)))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.code()).isEqualTo("NO-SWAP");
              assertThat(f.severity()).isEqualTo(Severity.HIGH);
              assertThat(f.confidence()).isEqualTo(Confidence.HIGH);
              assertThat(f.summary())
                  .startsWith("Host testvm03 had no swap from 2026-02-10T00:00:00Z to")
                  .endsWith("(2.0 GiB RAM, MemAvailable down to 20.0 MiB)");
              assertThat(f.reasoning())
                  .contains("was 0 in all 288 samples", "(1.0% of RAM)", "ran short");
              assertThat(f.evidence())
                  .filteredOn(c -> c instanceof SeriesWindow)
                  .extracting(c -> ((SeriesWindow) c).labels().get("instance"))
                  .containsOnly("testvm03:9100");
              assertThat(snippets(f)).contains("zramSwap = {", "fallocate -l 2048M /swapfile");
            });
  }

  @Test
  void analyze_seriesWithoutSwapButMemoryToSpare_isMedium() {
    assertThat(run(host("quiet", i -> 0, 2048.0 * MIB, 900.0 * MIB)))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.severity()).isEqualTo(Severity.MEDIUM);
              assertThat(f.reasoning()).contains("did not run short");
            });
  }

  /** Near misses: swap at the window's very end, and a big host without swap. */
  @Test
  void analyze_seriesWithSwapOnceOrOnABigHost_isSilent() {
    assertThat(
            run(
                host("late", i -> i == 287 ? 1.0 * MIB : 0, 2048.0 * MIB, 20.0 * MIB),
                host("big", i -> 0, 64.0 * 1024 * MIB, 20.0 * MIB)))
        .isEmpty();
  }

  private static final double MIB = 1024.0 * 1024;

  private static List<OomReport> withoutSwapLines() {
    String text =
        HostTrees.resource(NO_SWAP)
            .lines()
            .filter(l -> !l.contains("Total swap") && !l.contains("Free swap"))
            .collect(Collectors.joining("\n", "", "\n"));
    return HostTrees.reports("cut.log", text);
  }

  static List<String> texts(Finding f) {
    return f.logLines().stream().map(SourceLine::text).toList();
  }

  /** The file values among the evidence: {@code key value}, as /proc files give them. */
  static List<String> values(Finding f) {
    return f.evidence().stream()
        .filter(c -> c instanceof FileValue)
        .map(c -> (FileValue) c)
        .map(v -> v.key() + " " + v.value())
        .toList();
  }

  static String snippets(Finding f) {
    return f.fixes().stream().map(x -> x.snippet().orElse("")).collect(Collectors.joining("\n"));
  }
}
