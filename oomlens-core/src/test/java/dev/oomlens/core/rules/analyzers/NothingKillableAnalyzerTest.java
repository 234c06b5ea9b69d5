package dev.oomlens.core.rules.analyzers;

import static dev.oomlens.core.rules.analyzers.NoSwapAnalyzerTest.texts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.rules.RealInputs;
import org.junit.jupiter.api.Test;

class NothingKillableAnalyzerTest {
  private final NothingKillableAnalyzer analyzer = new NothingKillableAnalyzer();

  @Test
  void analyze_hostWideDeadlockPanic_namesTheProtectedTasksAndThePanic() {
    assertThat(RealInputs.run(analyzer, "pasted/no-killable-deadlock-panic-6.1.log"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.code()).isEqualTo("NOTHING-KILLABLE");
              assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
              assertThat(f.confidence()).isEqualTo(Confidence.HIGH);
              assertThat(f.summary())
                  .isEqualTo(
                      "No task could be killed (5 of 5 at oom_score_adj"
                          + " -1000): the kernel panicked");
              assertThat(f.reasoning())
                  .contains(
                      "on the host",
                      "System is deadlocked on memory",
                      "The task that ran out, nix, was protected too.");
              assertThat(texts(f))
                  .anyMatch(t -> t.endsWith("Out of memory and no killable" + " processes..."))
                  .anyMatch(
                      t ->
                          t.endsWith(
                              "Kernel panic - not syncing: System is deadlocked on" + " memory"));
              assertThat(f.fixes()).extracting(Fix::layer).containsExactly(Layer.APPLICATION);
              assertThat(f.fixes().getFirst().snippet().orElseThrow())
                  .contains("oom_score_adj", "OOMScoreAdjust=0");
            });
  }

  @Test
  void analyze_memcgWithNothingKillable_saysTheCgroupStaysFull() {
    assertThat(RealInputs.run(analyzer, "pasted/no-killable-memcg-6.1.log"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.severity()).isEqualTo(Severity.HIGH);
              assertThat(f.summary()).endsWith(": nothing was killed and the cgroup stays full");
              assertThat(texts(f))
                  .anyMatch(t -> t.contains("memory: usage 65340kB, limit 65536kB"));
              assertThat(f.fixes())
                  .extracting(Fix::layer)
                  .containsExactly(Layer.APPLICATION, Layer.CONTAINER_LIMIT);
            });
  }

  /** A paste that starts inside the table: the old kernels' panic carries the message. */
  @Test
  void analyze_rhel7PanicPasteFromTheTable_fires() {
    assertThat(RealInputs.run(analyzer, "pasted/no-killable-panic-rhel7-3.10.log"))
        .singleElement()
        .satisfies(f -> assertThat(f.summary()).endsWith("the kernel panicked"));
  }

  @Test
  void analyze_reportsThatKill_areSilent() {
    assertThat(RealInputs.run(analyzer, "vmlab/host-oom-no-swap/dmesg.log")).isEmpty();
    assertThat(RealInputs.run(analyzer, "corpus/008-panic-on-oom-arm64-5.4.log")).isEmpty();
  }
}
