package dev.oomlens.core.rules.analyzers;

import static dev.oomlens.core.rules.analyzers.NoSwapAnalyzerTest.snippets;
import static dev.oomlens.core.rules.analyzers.NoSwapAnalyzerTest.texts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.core.host.KillerEvent;
import dev.oomlens.core.model.OomReport;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NotOomAnalyzerTest {
  private static final String SIGNAL_EXIT =
      "Sep 23 14:09:19 web systemd[1]: app.service: Main process exited, code=killed,"
          + " status=9/KILL\n";
  private final NotOomAnalyzer analyzer = new NotOomAnalyzer();

  private List<Finding> run(
      List<OomReport> reports,
      Optional<HostSnapshot> host,
      List<KillerEvent> killers,
      boolean sigkill) {
    return analyzer.analyze(HostTrees.evidence(reports, host, killers, sigkill));
  }

  @Test
  void analyze_sigkillWithNoRecordAnywhere_saysWhatToCheck() {
    HostSnapshot host = HostTrees.read("vmlab-cgv2-container-limit/before-kill");
    assertThat(run(List.of(), Optional.of(host), HostTrees.killers(SIGNAL_EXIT), true))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.code()).isEqualTo("NOT-OOM");
              assertThat(f.severity()).isEqualTo(Severity.MEDIUM);
              assertThat(f.confidence()).isEqualTo(Confidence.MEDIUM);
              assertThat(f.summary())
                  .isEqualTo(
                      "The workload was killed with SIGKILL but no OOM"
                          + " killer recorded it: a manual kill, a probe or stop timeout, or a crash");
              assertThat(f.reasoning())
                  .contains(
                      "oom_kill is 0",
                      "systemd saw the process die of a" + " signal (journal.txt:1)");
              assertThat(NoSwapAnalyzerTest.values(f)).contains("oom_kill 0");
              assertThat(texts(f)).anyMatch(t -> t.contains("status=9/KILL"));
              assertThat(snippets(f))
                  .contains(
                      "kubectl describe pod",
                      "journalctl -u kubelet",
                      "auditctl -a always,exit -F arch=b64 -S kill -S tkill -F a1=9");
            });
  }

  @Test
  void analyze_sigkillWithoutHost_isLowConfidence() {
    assertThat(run(List.of(), Optional.empty(), List.of(), true))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.confidence()).isEqualTo(Confidence.LOW);
              assertThat(f.logLines()).isEmpty();
            });
  }

  @Test
  void analyze_kernelReportExists_isSilent() {
    assertThat(
            run(
                HostTrees.reports("vmlab/cgv2-container-limit/dmesg.log"),
                Optional.empty(),
                List.of(),
                true))
        .isEmpty();
  }

  @Test
  void analyze_noSigkillClaimed_isSilent() {
    assertThat(run(List.of(), Optional.empty(), List.of(), false)).isEmpty();
  }

  @Test
  void analyze_kernelCountedAnOomKill_isSilent() {
    // The report may have left the ring buffer; vmstat oom_kill 1 says the kernel did kill.
    HostSnapshot host = HostTrees.read("vmlab-cgv2-container-limit/after-kill");
    assertThat(run(List.of(), Optional.of(host), List.of(), true)).isEmpty();
  }

  @Test
  void analyze_killerOrOomUnitRecord_isSilent() {
    assertThat(
            run(
                List.of(),
                Optional.empty(),
                HostTrees.killers(
                    "Sep 10 21:54:23 gw earlyoom[904]: sending SIGKILL to process 2114 uid 1000 \"simple\":"
                        + " badness 999, VmRSS 6318 MiB\n"),
                true))
        .isEmpty();
    assertThat(
            run(
                List.of(),
                Optional.empty(),
                HostTrees.killers(
                    SIGNAL_EXIT
                        + "Sep 23 14:09:19 web systemd[1]: app.service: Failed with result 'oom-kill'.\n"),
                true))
        .isEmpty();
  }
}
