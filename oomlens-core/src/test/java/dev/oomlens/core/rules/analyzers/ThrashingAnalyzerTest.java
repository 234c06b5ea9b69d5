package dev.oomlens.core.rules.analyzers;

import static dev.oomlens.core.rules.analyzers.NoSwapAnalyzerTest.snippets;
import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.core.model.FileValue;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.series.HostSeries;
import dev.oomlens.core.series.HostSeriesTest;
import dev.oomlens.core.series.Series;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ThrashingAnalyzerTest {
  private final ThrashingAnalyzer analyzer = new ThrashingAnalyzer();

  private List<Finding> run(String log, String tree) {
    return analyzer.analyze(
        HostTrees.evidence(
            HostTrees.reports(log), Optional.of(HostTrees.read(tree)), List.of(), false));
  }

  @Test
  void analyze_realThrashingBeforeHostOom_firesOnPsiAndRefaults() {
    assertThat(run("vmlab/thrashing/dmesg.log", "vmlab-thrashing/before-kill"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.code()).isEqualTo("THRASHING");
              assertThat(f.severity()).isEqualTo(Severity.HIGH);
              assertThat(f.confidence()).isEqualTo(Confidence.MEDIUM);
              assertThat(f.summary())
                  .isEqualTo(
                      "The host stalled on memory (full avg10 6.63% avg60"
                          + " 5.19%, some avg10 8.88% avg60 7.76%) before nix (pid 145) was killed");
              assertThat(f.reasoning())
                  .contains(
                      "sustained stall",
                      "MemAvailable 5.3 MiB of",
                      "workingset_refault_file 79549",
                      "48.8% of the 637.1 MiB read from disk");
              assertThat(NoSwapAnalyzerTest.values(f))
                  .contains(
                      "some avg10=8.88 avg60=7.76 avg300=6.70 total=36736696",
                      "full avg10=6.63 avg60=5.19 avg300=4.89 total=28330155",
                      "MemAvailable 5400 kB",
                      "workingset_refault_file 79549",
                      "pgpgin 652355");
              assertThat(f.evidence())
                  .filteredOn(c -> c instanceof FileValue)
                  .extracting(c -> ((FileValue) c).path())
                  .contains("vmlab-thrashing/before-kill/proc/pressure/memory");
              assertThat(snippets(f))
                  .contains(
                      "ManagedOOMMemoryPressure=kill",
                      "systemctl edit user.slice",
                      "MemoryHigh=315M");
            });
  }

  @Test
  void analyze_realThrashingJustAfterTheKill_stillFiresOnRefaults() {
    assertThat(run("vmlab/thrashing/dmesg.log", "vmlab-thrashing/after-kill"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.reasoning()).doesNotContain("MemAvailable").contains("refault");
              assertThat(f.summary()).contains("some avg10 7.40%");
            });
  }

  @Test
  void analyze_realContainerLimitKill_isSilent() {
    assertThat(run("vmlab/cgv2-container-limit/dmesg.log", "vmlab-cgv2-container-limit/after-kill"))
        .isEmpty();
  }

  @Test
  void analyze_instantKillWithMemoryShortButNoStall_isSilent() {
    // MemAvailable 1% of RAM, but PSI shows no stall: the instant kill NO-SWAP describes.
    assertThat(run("vmlab/host-oom-no-swap/dmesg.log", "vmlab-host-oom-no-swap/before-kill"))
        .isEmpty();
  }

  @Test
  void analyze_memoryHighThrottling_namesTheDeepestCgroupAndMemoryHigh() {
    List<Finding> found =
        run(
            "vmlab/cgv2-memory-high-throttle/dmesg.log",
            "vmlab-cgv2-memory-high-throttle/before-kill");
    assertThat(found).hasSize(2);
    assertThat(found.get(0).summary())
        .startsWith("The host is stalling on memory (full avg10" + " 77.67%");
    assertThat(found.get(0).confidence()).isEqualTo(Confidence.HIGH);
    Finding cg = found.get(1);
    assertThat(cg.summary())
        .startsWith("Cgroup /kubepods.slice/kubepods-burstable.slice/")
        .contains("cri-containerd-3f9a1c7e", "full avg10 95.68%")
        .endsWith("before nix (pid 121) was killed");
    assertThat(cg.severity()).isEqualTo(Severity.HIGH);
    assertThat(cg.reasoning())
        .contains("memory.events high 1175", "sits at memory.high (48.0 MiB)");
    assertThat(snippets(cg))
        .contains("echo max > /sys/fs/cgroup/kubepods.slice/")
        .contains("resources:")
        .doesNotContain("systemctl");
    assertThat(cg.fixes().getFirst().action())
        .contains("memory.high (48.0 MiB) is what holds it, 16.0 MiB under memory.max (64.0 MiB)");
  }

  @Test
  void analyze_moderateStallWithoutReclaimSign_isSilent() {
    HostSnapshot host =
        host(
            "some avg10=6.00 avg60=5.50 avg300=2.00 total=100\n"
                + "full avg10=2.00 avg60=1.00 avg300=0.50 total=50\n",
            1_600_000,
            0,
            0);
    assertThat(analyzer.analyze(HostTrees.evidence(List.of(), Optional.of(host), List.of(), false)))
        .isEmpty();
    HostSnapshot low =
        host(
            "some avg10=6.00 avg60=5.50 avg300=2.00 total=100\n"
                + "full avg10=2.00 avg60=1.00 avg300=0.50 total=50\n",
            90_000,
            0,
            0);
    assertThat(analyzer.analyze(HostTrees.evidence(List.of(), Optional.of(low), List.of(), false)))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.severity()).isEqualTo(Severity.MEDIUM);
              assertThat(f.summary()).startsWith("The host is stalling on memory");
            });
  }

  @Test
  void analyze_stallJustUnderTheLines_isSilent() {
    HostSnapshot host =
        host(
            "some avg10=4.99 avg60=4.00 avg300=2.00 total=100\n"
                + "full avg10=9.99 avg60=3.00 avg300=0.50 total=50\n",
            40_000,
            1_000_000,
            500_000);
    assertThat(analyzer.analyze(HostTrees.evidence(List.of(), Optional.of(host), List.of(), false)))
        .isEmpty();
  }

  @Test
  void analyze_withoutPsi_needsMemoryShortAndAnotherSign() {
    HostSnapshot refaulting = host(null, 40_000, 1_000_000, 500_000);
    assertThat(
            analyzer.analyze(
                HostTrees.evidence(List.of(), Optional.of(refaulting), List.of(), false)))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.confidence()).isEqualTo(Confidence.LOW);
              assertThat(f.reasoning()).contains("PSI is not available");
            });
    HostSnapshot onlyShort = host(null, 40_000, 1_000_000, 10_000);
    assertThat(
            analyzer.analyze(
                HostTrees.evidence(List.of(), Optional.of(onlyShort), List.of(), false)))
        .isEmpty();
  }

  /** A 2 GiB host: MemAvailable in kB, pgpgin in kB, file refaults in pages. */
  private static HostSnapshot host(String psi, long availableKb, long pgpginKb, long refaults) {
    String meminfo =
        "MemTotal:        2000000 kB\nMemFree:           10000 kB\n"
            + "MemAvailable:     "
            + availableKb
            + " kB\nSwapTotal:             0 kB\n"
            + "SwapFree:              0 kB\n";
    String vmstat =
        "pgpgin "
            + pgpginKb
            + "\npswpin 0\npswpout 0\nworkingset_refault_anon 0\n"
            + "workingset_refault_file "
            + refaults
            + "\noom_kill 0\n";
    return HostTrees.snapshot(
        "hand/",
        Optional.of(meminfo),
        Optional.of(vmstat),
        Optional.ofNullable(psi),
        Optional.empty(),
        List.of(),
        Optional.empty(),
        OptionalLong.empty());
  }

  /** A host's PSI full at 1-minute steps over two hours: {@code share} from minute 30 on. */
  private static HostSeries psi(String instance, int minutes, double share) {
    HostSeries h = new HostSeries(instance);
    h.add(
        HostSeriesTest.series(
            Series.Role.HOST_PSI_FULL,
            instance,
            120,
            60,
            i -> i >= 30 && i <= 30 + minutes ? share : 0.01));
    h.add(
        HostSeriesTest.series(
            Series.Role.HOST_MEM_AVAILABLE,
            instance,
            120,
            60,
            i -> i >= 30 && i <= 30 + minutes ? 30.0 * 1024 * 1024 : 900.0 * 1024 * 1024));
    h.add(
        HostSeriesTest.series(
            Series.Role.HOST_MEM_TOTAL, instance, 120, 60, i -> 2048.0 * 1024 * 1024));
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
  void analyze_seriesWithPsiFullSustained_namesTheHostAndTheStretch() {
    assertThat(run(psi("testvm03:9100", 25, 0.35), psi("ns1:9100", 0, 0.01)))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.code()).isEqualTo("THRASHING");
              assertThat(f.severity()).isEqualTo(Severity.HIGH);
              assertThat(f.summary())
                  .isEqualTo(
                      "Host testvm03 stalled on memory for 25 min (PSI full up to 35%) from"
                          + " 2026-02-10T00:30:00Z");
              assertThat(f.reasoning())
                  .contains(
                      "from 2026-02-10T00:30:00Z to 2026-02-10T00:55:00Z (25 min), up to 35%",
                      "MemAvailable meanwhile: as low as 30.0 MiB of 2.0 GiB");
              assertThat(f.evidence()).hasSize(2);
              assertThat(snippets(f)).contains("ManagedOOMMemoryPressure=kill");
            });
  }

  /** Near misses: a 4-minute stall, and a long one just under 10 %. */
  @Test
  void analyze_seriesWithAShortOrLightStall_isSilent() {
    assertThat(run(psi("blip", 4, 0.6), psi("light", 60, 0.09))).isEmpty();
  }
}
