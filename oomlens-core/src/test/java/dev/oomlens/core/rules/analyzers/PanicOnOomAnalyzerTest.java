package dev.oomlens.core.rules.analyzers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.RealInputs;
import dev.oomlens.core.rules.ReportBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PanicOnOomAnalyzerTest {
  private final PanicOnOomAnalyzer analyzer = new PanicOnOomAnalyzer();

  @Test
  void analyze_panicOnOom1_givesTheSysctl() {
    assertThat(RealInputs.run(analyzer, "corpus/008-panic-on-oom-arm64-5.4.log"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
              assertThat(f.summary())
                  .startsWith("vm.panic_on_oom=1 turned an OOM into a kernel panic");
              assertThat(f.logLines())
                  .extracting(l -> l.text())
                  .anyMatch(
                      t -> t.contains("Kernel panic - not syncing: Out of memory: system-wide"));
              assertThat(f.fixes().getFirst().snippet().orElseThrow())
                  .contains("vm.panic_on_oom = 0");
            });
  }

  @Test
  void analyze_noKillableProcesses_blamesTheProtectedTasksNotTheSysctl() {
    OomReport r =
        new ReportBuilder("hand-built")
            .trigger("app", 3, 0, -1000)
            .global(Map.of("free", 100L), 1048576, 0, 0, 1000, 20000, 25000, 30000)
            .task(3, 900000, 0, -1000, "app")
            .panic("System is deadlocked on memory")
            .build();
    assertThat(
            analyzer.analyze(
                EvidenceSet.builder().reports(List.of(r)).allocFailures(List.of()).build()))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.summary()).isEqualTo("The OOM panicked: no killable process was left");
              assertThat(f.reasoning()).contains("1 of 1 listed tasks had oom_score_adj -1000");
              assertThat(f.fixes().getFirst().snippet().orElseThrow()).contains("OOMScoreAdjust=0");
            });
  }

  @Test
  void analyze_ordinaryKill_isSilent() {
    assertThat(RealInputs.run(analyzer, "corpus/018-oomanalyser-arch-6.1-host.log")).isEmpty();
  }
}
