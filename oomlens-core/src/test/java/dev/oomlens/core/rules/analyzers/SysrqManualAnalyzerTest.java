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

class SysrqManualAnalyzerTest {
  private final SysrqManualAnalyzer analyzer = new SysrqManualAnalyzer();

  @Test
  void analyze_sysrqReport_saysForcedAndMemoryNotShort() {
    assertThat(RealInputs.run(analyzer, "corpus/013-oomanalyser-ubuntu-5.13-sysrq-host.log"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.severity()).isEqualTo(Severity.INFO);
              assertThat(f.summary())
                  .isEqualTo(
                      "The OOM kill was forced by hand (SysRq-f); memory"
                          + " was not short; unattended-upgr was killed");
              assertThat(f.reasoning())
                  .contains("order=-1 from the moom_callback work item", "1711564 kB free");
              assertThat(f.logLines())
                  .extracting(l -> l.text())
                  .anyMatch(t -> t.contains("Workqueue: events moom_callback"));
              assertThat(f.fixes().getFirst().snippet().orElseThrow())
                  .contains("kernel.sysrq = 176");
            });
  }

  @Test
  void analyze_realShortage_isSilent() {
    assertThat(RealInputs.run(analyzer, "corpus/018-oomanalyser-arch-6.1-host.log")).isEmpty();
  }

  @Test
  void analyze_orderZeroWithPlentyFree_isNotManual() {
    OomReport r =
        new ReportBuilder("hand-built")
            .trigger("app", 3, 0, 0)
            .global(Map.of("free", 200000L), 1048576, 0, 0, 800000, 20000, 25000, 30000)
            .build();
    assertThat(
            analyzer.analyze(
                EvidenceSet.builder().reports(List.of(r)).allocFailures(List.of()).build()))
        .isEmpty();
  }
}
