package dev.oomlens.core.rules.analyzers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.model.GroupKill;
import dev.oomlens.core.model.KilledTask;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.RealInputs;
import dev.oomlens.core.rules.ReportBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class GroupKillAnalyzerTest {
  private static final String CG =
      "/kubepods.slice/kubepods-burstable.slice/"
          + "kubepods-burstable-pod11111111_2222_3333_4444_555555555555.slice/cri-containerd-"
          + "c".repeat(64)
          + ".scope";
  private final GroupKillAnalyzer analyzer = new GroupKillAnalyzer();

  private OomReport report(String... members) {
    ReportBuilder b =
        new ReportBuilder("hand-built")
            .trigger("worker", 122, 0, 0)
            .memcg(CG, CG, 65536, 65536)
            .victim(122, "worker", 40592, 0);
    var head = b.line("Tasks in " + CG + " are going to be killed due to memory.oom.group set");
    List<KilledTask> killed = new ArrayList<>();
    for (String comm : members) {
      long pid = comm.equals("worker") ? 122 : 116;
      killed.add(
          new KilledTask(
              pid,
              comm,
              OptionalLong.of(24488),
              b.line("Memory cgroup out of memory: Killed process " + pid + " (" + comm + ")")));
    }
    return b.groupKill(new GroupKill(CG, killed, head)).build();
  }

  @Test
  void analyze_groupOfTwo_namesTriggerAndCount() {
    OomReport r = report("supervisor", "worker");
    assertThat(
            analyzer.analyze(
                EvidenceSet.builder().reports(List.of(r)).allocFailures(List.of()).build()))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.summary())
                  .isEqualTo(
                      "memory.oom.group killed 2 processes of cri-containerd-"
                          + "c".repeat(64)
                          + ".scope for one allocation by worker");
              assertThat(f.reasoning()).contains("worker (pid 122)", "supervisor (pid 116)");
              assertThat(f.fixes().getFirst().snippet().orElseThrow())
                  .contains("singleProcessOOMKill: true");
              assertThat(f.logLines()).hasSize(5);
            });
  }

  @Test
  void analyze_realPodLevelGroupKill_namesTheTriggerAndBothDead() {
    assertThat(RealInputs.run(analyzer, "vmlab/cgv2-kube-pod-oom-group/kmsg.log"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.summary())
                  .startsWith("memory.oom.group killed 2 processes of cri-containerd-")
                  .endsWith("for one allocation by nix");
              assertThat(f.reasoning())
                  .contains(
                      "nix (pid 118), java (pid 112)",
                      "hit the limit of /kubepods.slice/kubepods-burstable.slice/"
                          + "kubepods-burstable-pod7f3c2a1e_5b9d_4c8e_9a2f_1d6e8b4c3a70.slice;");
              assertThat(f.logLines())
                  .extracting(l -> l.text())
                  .anyMatch(t -> t.contains("are going to be killed due to memory.oom.group set"));
            });
  }

  @Test
  void analyze_groupOfOne_isSilent() {
    OomReport r = report("worker");
    // the only member is the victim itself: nothing more died than in a single kill
    assertThat(r.groupKill().orElseThrow().killed()).hasSize(1);
    assertThat(
            analyzer.analyze(
                EvidenceSet.builder().reports(List.of(r)).allocFailures(List.of()).build()))
        .isEmpty();
  }

  @Test
  void analyze_noGroupKill_isSilent() {
    assertThat(RealInputs.run(analyzer, "kmsg/containerd-burstable-container.kmsg")).isEmpty();
  }
}
