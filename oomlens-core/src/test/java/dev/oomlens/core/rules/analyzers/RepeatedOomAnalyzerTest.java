package dev.oomlens.core.rules.analyzers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.RealInputs;
import dev.oomlens.core.rules.ReportBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class RepeatedOomAnalyzerTest {
  private final RepeatedOomAnalyzer analyzer = new RepeatedOomAnalyzer();

  private static OomReport kill(long line, String host, String cgroup, double at, String comm) {
    ReportBuilder b =
        new ReportBuilder("hand-built", line)
            .at(at)
            .memcg(cgroup, cgroup, 1024, 1024)
            .victim(100 + line, comm, 900, 0);
    if (host != null) {
      b.host(host);
    }
    return b.build();
  }

  @Test
  void analyze_sameCgroupThreeTimes_saysHowOftenAndOverWhatTime() {
    List<OomReport> reports =
        List.of(
            kill(1, "n1", "/a", 100, "app"),
            kill(10, "n1", "/a", 700, "app"),
            kill(20, "n1", "/a", 1300, "app"));
    assertThat(
            analyzer.analyze(
                EvidenceSet.builder().reports(reports).allocFailures(List.of()).build()))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.summary()).isEqualTo("cgroup /a was OOM-killed 3 times over 20.0 min");
              assertThat(f.reasoning())
                  .contains("on n1 3 times", "Mean time between kills: 10.0 min");
              assertThat(f.logLines()).hasSize(3);
            });
  }

  @Test
  void analyze_restartedContainerNewCgroupEachTime_matchedByVictimComm() {
    List<OomReport> reports =
        List.of(
            kill(1, "n1", "/k/pod/c1", 100, "java"),
            kill(10, "n1", "/k/pod/c2", 200, "java"),
            kill(20, "n1", "/k/pod/c3", 300, "java"));
    assertThat(
            analyzer.analyze(
                EvidenceSet.builder().reports(reports).allocFailures(List.of()).build()))
        .singleElement()
        .satisfies(f -> assertThat(f.summary()).startsWith("process java was OOM-killed 3 times"));
  }

  @Test
  void analyze_twoKills_isSilent() {
    assertThat(RealInputs.run(analyzer, "kmsg/pod-limit-two-kills.kmsg")).isEmpty();
  }

  @Test
  void analyze_threeKillsOnThreeHosts_isSilent() {
    List<OomReport> reports =
        List.of(
            kill(1, "n1", "/a", 100, "app"),
            kill(10, "n2", "/a", 200, "app"),
            kill(20, "n3", "/a", 300, "app"));
    assertThat(
            analyzer.analyze(
                EvidenceSet.builder().reports(reports).allocFailures(List.of()).build()))
        .isEmpty();
  }
}
