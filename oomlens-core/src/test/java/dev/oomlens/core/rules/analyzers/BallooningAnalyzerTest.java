package dev.oomlens.core.rules.analyzers;

import static dev.oomlens.core.rules.analyzers.NoSwapAnalyzerTest.snippets;
import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.host.HostSnapshot;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class BallooningAnalyzerTest {
  private static final long GIB = 1024L * 1024 * 1024;
  private final BallooningAnalyzer analyzer = new BallooningAnalyzer();

  private List<Finding> run(HostSnapshot host) {
    return analyzer.analyze(HostTrees.evidence(List.of(), Optional.of(host), List.of(), false));
  }

  @Test
  void analyze_balloonedGuest_firesWithHypervisorAndNodeFixes() {
    HostSnapshot host = HostTrees.read("ballooned", Optional.of(true), OptionalLong.of(4 * GIB));
    assertThat(run(host))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.code()).isEqualTo("BALLOONING");
              assertThat(f.severity()).isEqualTo(Severity.MEDIUM);
              assertThat(f.confidence()).isEqualTo(Confidence.MEDIUM);
              assertThat(f.summary())
                  .isEqualTo(
                      "A memory balloon took 2.4 GiB from this VM: MemTotal"
                          + " 1.6 GiB of 4.0 GiB configured");
              assertThat(f.reasoning())
                  .contains(
                      "(39.4%)", "virtio_balloon driver is bound", "Kubernetes node's capacity");
              assertThat(NoSwapAnalyzerTest.values(f)).contains("MemTotal 1652112 kB");
              assertThat(snippets(f))
                  .contains(
                      "balloon: 0",
                      "memory: 4096",
                      "--balloon 4096",
                      "kubeReserved:\n  memory: \"2483Mi\"");
            });
  }

  @Test
  void analyze_withHostOomInTheInput_isHigh() {
    HostSnapshot host = HostTrees.read("ballooned", Optional.of(true), OptionalLong.of(4 * GIB));
    assertThat(
            analyzer.analyze(
                HostTrees.evidence(
                    HostTrees.reports("vmlab/host-oom-no-swap/dmesg.log"),
                    Optional.of(host),
                    List.of(),
                    false)))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.severity()).isEqualTo(Severity.HIGH);
              assertThat(f.reasoning()).contains("A host-wide OOM followed");
            });
  }

  @Test
  void analyze_withoutBalloonSignOrConfiguredSize_isSilent() {
    assertThat(run(HostTrees.read("ballooned", Optional.of(false), OptionalLong.of(4 * GIB))))
        .isEmpty();
    assertThat(run(HostTrees.read("ballooned", Optional.empty(), OptionalLong.of(4 * GIB))))
        .isEmpty();
    assertThat(run(HostTrees.read("ballooned", Optional.of(true), OptionalLong.empty()))).isEmpty();
  }

  @Test
  void analyze_smallVmWithoutBalloonInflated_isSilent() {
    // A real 512 MiB guest: MemTotal is 88% of it with no balloon at all (kernel, struct pages).
    assertThat(
            run(
                HostTrees.read(
                    "vmlab-host-oom-no-swap/before-kill",
                    Optional.of(true),
                    OptionalLong.of(512L * 1024 * 1024))))
        .isEmpty();
  }

  @Test
  void analyze_crashkernelSizedGapOrUnderNinetyPercent_decidesOnBothLines() {
    // 2 GiB with a 192 MiB crashkernel: 88% and 248 MiB missing, under 2% + 256 MiB.
    assertThat(run(host(1_843_000, 2 * GIB))).isEmpty();
    // 16 GiB with 1.5 GiB missing: over the allowance, but MemTotal is still 90.6%.
    assertThat(run(host(15_200_000, 16 * GIB))).isEmpty();
    // 2 GiB given 1.2 GiB (seed 002's k3s server): both lines crossed.
    assertThat(run(host(1_258_291, 2 * GIB))).hasSize(1);
  }

  private static HostSnapshot host(long memTotalKb, long configuredBytes) {
    return HostTrees.snapshot(
        "hand/",
        Optional.of("MemTotal:       " + memTotalKb + " kB\n"),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        List.of(),
        Optional.of(true),
        OptionalLong.of(configuredBytes));
  }
}
