package dev.oomlens.core.rules.analyzers;

import static dev.oomlens.core.rules.analyzers.NoSwapAnalyzerTest.snippets;
import static dev.oomlens.core.rules.analyzers.NoSwapAnalyzerTest.texts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.OomReport;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UserspaceKillAnalyzerTest {
  private final UserspaceKillAnalyzer analyzer = new UserspaceKillAnalyzer();

  private List<Finding> run(List<OomReport> reports, String journal) {
    return analyzer.analyze(
        HostTrees.evidence(reports, Optional.empty(), HostTrees.killers(journal), false));
  }

  @Test
  void analyze_systemdOomdPressureKill_namesTheRuleAndTheUnit() {
    String journal =
        """
        Dec 17 10:04:41 laptop systemd-oomd[588]: Killed /user.slice/user-1000.slice/user@1000.service/app.slice/vte-spawn-f6518140.scope due to memory pressure for /user.slice/user-1000.slice/user@1000.service being 57.97% > 50.00% for > 20s with reclaim activity
        Dec 17 10:04:42 laptop systemd[1565]: vte-spawn-f6518140.scope: systemd-oomd killed 3 process(es) in this unit.
        """;
    assertThat(run(List.of(), journal))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.code()).isEqualTo("USERSPACE-KILL");
              assertThat(f.severity()).isEqualTo(Severity.HIGH);
              assertThat(f.confidence()).isEqualTo(Confidence.HIGH);
              assertThat(f.summary())
                  .isEqualTo(
                      "systemd-oomd killed vte-spawn-f6518140.scope, not the"
                          + " kernel's OOM killer");
              assertThat(f.reasoning())
                  .contains("the PSI rule", "57.97% > 50.00%")
                  .doesNotContain("the swap rule");
              assertThat(f.logLines()).hasSize(2);
              assertThat(snippets(f))
                  .contains(
                      "systemctl edit vte-spawn-f6518140.scope",
                      "ManagedOOMPreference=avoid",
                      "ManagedOOMMemoryPressureLimit=80%");
            });
  }

  @Test
  void analyze_earlyoomKilledWhatTheKernelAlsoKilled_saysBoth() {
    String journal =
        """
        earlyoom[454]: low memory! at or below SIGKILL limits: mem  4.91%, swap  0.00%
        earlyoom[454]: sending SIGKILL to process 117 uid 1000 "nix": badness 900, VmRSS 270 MiB
        """;
    List<OomReport> reports = HostTrees.reports("vmlab/host-oom-no-swap/dmesg.log");
    assertThat(run(reports, journal))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.summary())
                  .isEqualTo(
                      "earlyoom killed nix (pid 117), and the kernel's OOM" + " killer acted too");
              assertThat(f.reasoning())
                  .contains(
                      "MemAvailable is at most 10%",
                      "nix (pid 117) (vmlab/host-oom-no-swap/dmesg.log:",
                      "at or below SIGKILL limits");
              assertThat(texts(f))
                  .anyMatch(t -> t.contains("Out of memory: Killed process 117 (nix)"))
                  .anyMatch(t -> t.contains("sending SIGKILL to process 117"));
              assertThat(snippets(f)).contains("--avoid '^(nix)$'", "MemoryMax=");
            });
    // Without the kernel report: the daemon alone.
    assertThat(run(List.of(), journal))
        .singleElement()
        .satisfies(f -> assertThat(f.summary()).endsWith(", not the kernel's OOM killer"));
  }

  @Test
  void analyze_kubeletMemoryEviction_firesWithPodSpecFix() {
    String journal =
        """
        Jun 17 16:18:42 node-1 kubelet[3814]: I0617 16:18:42.080925    3814 eviction_manager.go:381] "Eviction manager: attempting to reclaim" resourceName="memory"
        Jun 17 16:18:43 node-1 kubelet[3814]: I0617 16:18:43.001200    3814 eviction_manager.go:616] "Eviction manager: pod is evicted successfully" pod="default/batch-7c9f"
        """;
    assertThat(run(List.of(), journal))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.summary())
                  .isEqualTo(
                      "The kubelet evicted pod default/batch-7c9f, not the"
                          + " kernel's OOM killer");
              assertThat(f.reasoning()).contains("--eviction-hard memory.available");
              assertThat(f.fixes()).extracting(x -> x.layer()).contains(Layer.POD_SPEC, Layer.NODE);
              assertThat(snippets(f)).contains("evictionSoft:", "kubeReserved:");
            });
  }

  @Test
  void analyze_diskEvictionOrServiceManagerRecordsOnly_isSilent() {
    assertThat(
            run(
                List.of(),
                """
        I0308 00:29:47.496864   24749 eviction_manager.go:338] "Eviction manager: attempting to reclaim" resourceName="ephemeral-storage"
        I0308 00:29:48.000001   24749 eviction_manager.go:616] "Eviction manager: pod is evicted successfully" pod="default/mysql"
        """))
        .isEmpty();
    assertThat(
            run(
                List.of(),
                """
        Sep 23 14:09:18 db systemd[1]: erigon.service: A process of this unit has been killed by the OOM killer.
        Sep 23 14:09:19 db systemd[1]: erigon.service: Main process exited, code=killed, status=9/KILL
        """))
        .isEmpty();
  }

  @Test
  void analyze_nohangKill_firesWithItsConfig() {
    String journal =
        """
        nohang[612]: Memory status that requires corrective actions:
        nohang[612]:   MemAvailable [112 MiB, 1.4 %] <= hard_threshold_min_mem [163 MiB, 2.0 %]
        nohang[612]: Process with highest badness (found in 3ms):
        nohang[612]:   PID: 4242, Name: firefox, badness: 870
        nohang[612]: Implementing a corrective action:
        nohang[612]:   Sending SIGKILL to the victim
        """;
    List<Finding> found = run(List.of(), journal);
    assertThat(found)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.summary())
                  .isEqualTo("nohang killed firefox (pid 4242), not the kernel's OOM" + " killer");
              assertThat(snippets(f)).contains("@BADNESS_ADJ_RE_NAME -500 /// ^firefox$");
            });
  }
}
