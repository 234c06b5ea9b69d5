package dev.oomlens.core.rules.analyzers;

import static dev.oomlens.core.rules.analyzers.NoSwapAnalyzerTest.snippets;
import static dev.oomlens.core.rules.analyzers.NoSwapAnalyzerTest.texts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.rules.RealInputs;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SwapExhaustedAnalyzerTest {
  /** A 512 MiB NixOS VM of the lab with 512 MiB of zram, full when nix was killed (seed 000). */
  private static final String ZRAM_FULL = "vmlab/host-oom-zram/dmesg.log";

  private static final String NO_SWAP = "vmlab/host-oom-no-swap/dmesg.log";
  private final SwapExhaustedAnalyzer analyzer = new SwapExhaustedAnalyzer();

  @Test
  void analyze_zramFullAtTheKill_givesSeed000sFallbacksNotMoreSwap() {
    assertThat(RealInputs.run(analyzer, ZRAM_FULL))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.code()).isEqualTo("SWAP-EXHAUSTED");
              assertThat(f.severity()).isEqualTo(Severity.HIGH);
              assertThat(f.confidence()).isEqualTo(Confidence.HIGH);
              assertThat(f.summary())
                  .isEqualTo(
                      "Host-wide OOM with swap full (0 kB free of 512.0 MiB):"
                          + " nix (pid 136) was killed");
              assertThat(f.reasoning())
                  .contains("100.0% used", "more swap would only postpone the kill");
              assertThat(texts(f))
                  .anyMatch(t -> t.endsWith("Total swap = 524284kB"))
                  .anyMatch(t -> t.endsWith("Free swap  = 0kB"))
                  .anyMatch(t -> t.contains("Killed process 136 (nix)"));
              assertThat(f.fixes())
                  .extracting(Fix::layer)
                  .containsExactly(
                      Layer.HYPERVISOR,
                      Layer.HYPERVISOR,
                      Layer.APPLICATION,
                      Layer.APPLICATION,
                      Layer.KERNEL_SWAP);
              // RAM + the 512 MiB of swap it filled, with a quarter more, in whole GiB
              assertThat(f.fixes().getFirst().action())
                  .startsWith("Give the machine more memory: at" + " least 2 GiB");
              assertThat(snippets(f))
                  .contains(
                      "memory = 2048",
                      "balloon = ",
                      "nix.buildMachines",
                      "nix.settings.max-jobs = 1;")
                  .doesNotContain("zram-size", "swapfile");
            });
  }

  @Test
  void analyze_withTheHostSnapshot_namesTheZramDevice() {
    var host = HostTrees.read("vmlab-host-oom-zram/before-kill");
    assertThat(
            analyzer.analyze(
                HostTrees.evidence(
                    HostTrees.reports(ZRAM_FULL), Optional.of(host), List.of(), false)))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.summary()).startsWith("Host-wide OOM with zram full");
              assertThat(f.reasoning())
                  .contains(
                      "the host's swap is zram (/dev/zram0", "a larger device leaves less RAM");
            });
  }

  /** Near miss around the 2 % line: 3.0 % free is not full, 2.0 % is. */
  @Test
  void analyze_swapNearlyFull_firesOnlyAtTheLine() {
    String text =
        HostTrees.resource(NO_SWAP)
            .replace("Total swap = 0kB", "Total swap = 1048572kB")
            .replace("Free swap  = 0kB", "Free swap  = 31457kB");
    assertThat(
            analyzer.analyze(
                HostTrees.evidence(
                    HostTrees.reports("x.log", text), Optional.empty(), List.of(), false)))
        .isEmpty();
    String full = text.replace("Free swap  = 31457kB", "Free swap  = 20971kB");
    assertThat(
            analyzer.analyze(
                HostTrees.evidence(
                    HostTrees.reports("x.log", full), Optional.empty(), List.of(), false)))
        .singleElement()
        .satisfies(f -> assertThat(f.summary()).contains("20.5 MiB free of 1024.0 MiB"));
  }

  @Test
  void analyze_noSwapSysrqOrMemcg_isSilent() {
    assertThat(RealInputs.run(analyzer, NO_SWAP)).as("no swap at all is NO-SWAP's").isEmpty();
    assertThat(RealInputs.run(analyzer, "vmlab/sysrq-oom/dmesg.log")).isEmpty();
    assertThat(RealInputs.run(analyzer, "vmlab/cgv2-container-limit/dmesg.log")).isEmpty();
  }
}
