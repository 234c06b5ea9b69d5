package dev.oomlens.core.kernel;

import static dev.oomlens.core.kernel.ReportTestLines.assemble;
import static dev.oomlens.core.kernel.ReportTestLines.assembleAll;
import static dev.oomlens.core.kernel.ReportTestLines.bare;
import static dev.oomlens.core.kernel.ReportTestLines.onHost;
import static dev.oomlens.core.kernel.ReportTestLines.renumbered;
import static dev.oomlens.core.kernel.ReportTestLines.resource;
import static dev.oomlens.core.kernel.ReportTestLines.unframed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.model.AllocFailure;
import dev.oomlens.core.model.Framing;
import dev.oomlens.core.model.KilledTask;
import dev.oomlens.core.model.LogLine;
import dev.oomlens.core.model.LogTime;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.OomScope;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.model.Victim;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReportAssemblerTest {

  private static List<LogLine> corpus(String file) {
    return unframed(file, resource("corpus/" + file));
  }

  private static final String F026 = "026-cadvisor-fixture-3.13-memcg-v1-mem2.log";
  private static final String F003 = "003-ubuntu-3.13-docker-java-memcg-v1.log";
  private static final String F015 = "015-jpaztech-aks-5.15-burstable-pod-cgv2.log";
  private static final String F004 = "004-jasei-fedora-4.8-docker-systemd-memcg.log";
  private static final String F001 = "001-oomanalyser-rhel7-3.10-host.log";

  @Test
  void accept_twoReportsBackToBack_bothCompleteInOrder() {
    List<LogLine> lines = new ArrayList<>(corpus(F026));
    lines.addAll(corpus(F003));
    ReportTestLines.Collected out = assemble(renumbered(lines, "two.log", 1));
    assertThat(out.reports).hasSize(2);
    assertThat(out.reports).allMatch(OomReport::complete);
    assertThat(out.reports)
        .extracting(r -> r.victim().orElseThrow().pid())
        .containsExactly(13536L, 7537L);
    assertThat(out.reports.get(0).source().lastLine()).isEqualTo(31);
    assertThat(out.reports.get(1).source().firstLine()).isEqualTo(32);
    assertThat(out.problems).isEmpty();
  }

  @Test
  void accept_reportCutInTheMiddle_incompleteWithWhatItHad() {
    List<LogLine> lines = corpus(F015).subList(0, 45);
    OomReport r = assemble(lines).only();
    assertThat(r.complete()).isFalse();
    assertThat(r.trigger().orElseThrow().comm()).isEqualTo("stress-ng-vm");
    assertThat(r.trigger().orElseThrow().pid()).hasValue(716580);
    assertThat(r.kernel()).hasValue("5.15.0-1051-azure");
    assertThat(r.memcg().orElseThrow().usageBytes()).isEqualTo(512000 * 1024L);
    assertThat(r.memcg().orElseThrow().stat()).containsEntry("anon", 484630528L);
    assertThat(r.scope()).hasValue(OomScope.MEMCG);
    assertThat(r.victim()).isEmpty();
    assertThat(r.tasks()).isEmpty();
    assertThat(r.source().lastLine()).isEqualTo(45);
  }

  @Test
  void accept_interleavedHosts_oneReportPerHost() {
    List<LogLine> a = onHost(corpus(F015), "node-a");
    List<LogLine> b = onHost(corpus(F004), "node-b");
    List<LogLine> mixed = new ArrayList<>();
    for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
      if (i < a.size()) {
        mixed.add(a.get(i));
      }
      if (i < b.size()) {
        mixed.add(b.get(i));
      }
    }
    ReportTestLines.Collected out = assemble(renumbered(mixed, "fleet.log", 1));
    assertThat(out.reports).hasSize(2);
    OomReport ra =
        out.reports.stream()
            .filter(r -> r.host().equals(Optional.of("node-a")))
            .findFirst()
            .orElseThrow();
    OomReport rb =
        out.reports.stream()
            .filter(r -> r.host().equals(Optional.of("node-b")))
            .findFirst()
            .orElseThrow();
    assertThat(ra.complete()).isTrue();
    assertThat(rb.complete()).isTrue();
    assertThat(ra.victim().orElseThrow().pid()).isEqualTo(716580);
    assertThat(rb.victim().orElseThrow().pid()).isEqualTo(12906);
    assertThat(ra.tasks()).hasSize(4);
    assertThat(rb.tasks()).hasSize(2);
    assertThat(ra.memcg().orElseThrow().stat()).hasSize(28);
    assertThat(rb.memcg().orElseThrow().memswUsageBytes()).hasValue(2097080 * 1024L);
    assertThat(ra.lines()).hasSize(71);
    assertThat(rb.lines()).hasSize(31);
  }

  /**
   * A syslog host's trigger cut inside its gfp_mask, followed by an unframed line of another
   * report: that line is not the trigger's wrapped end (it does not read as one), so it stays with
   * its own report.
   */
  @Test
  void accept_cutTriggerOfAnotherHostThenAnUnframedCpuLine_cpuLineStaysWithItsReport() {
    List<LogLine> alone = corpus(F001);
    List<LogLine> mixed = new ArrayList<>(alone.subList(0, 2));
    mixed.add(
        onHost(
                List.of(
                    ReportTestLines.line(
                        new SourceLine("x", 1, "x"),
                        Optional.empty(),
                        LogTime.UNKNOWN,
                        "java invoked oom-killer: g")),
                "other")
            .getFirst());
    mixed.addAll(alone.subList(2, alone.size()));
    OomReport r =
        assemble(renumbered(mixed, "mixed.log", 1)).reports.stream()
            .filter(o -> o.host().isEmpty())
            .findFirst()
            .orElseThrow();
    assertThat(r.trigger().orElseThrow().pid()).hasValue(29481);
    assertThat(r.kernel()).hasValue("3.10.0-514.6.1.el7.x86_64");
  }

  @Test
  void accept_otherSubsystemLinesInside_skipped() {
    List<LogLine> clean = corpus(F026);
    List<LogLine> noisy = new ArrayList<>();
    for (int i = 0; i < clean.size(); i++) {
      noisy.add(clean.get(i));
      if (i % 5 == 2) {
        noisy.add(
            ReportTestLines.line(
                new SourceLine("x", 1, "usb"),
                Optional.empty(),
                LogTime.UNKNOWN,
                "usb 1-1: new high-speed USB device number 3 using xhci_hcd"));
      }
    }
    OomReport r = assemble(renumbered(noisy, "noisy.log", 1)).only();
    OomReport expected = assemble(clean).only();
    assertThat(r.complete()).isTrue();
    assertThat(r.victim().orElseThrow().anonRssBytes())
        .isEqualTo(expected.victim().orElseThrow().anonRssBytes());
    assertThat(r.tasks()).hasSize(1);
    assertThat(r.memcg().orElseThrow().stat()).isEqualTo(expected.memcg().orElseThrow().stat());
    assertThat(r.lines()).hasSize(clean.size());
    assertThat(r.lines()).noneMatch(l -> l.text().startsWith("usb"));
  }

  @Test
  void accept_groupKill_membersAndReaper() {
    String text = resource("assembler/group-kill-6.12.log");
    ReportTestLines.Collected out = assemble(bare("group.log", text));
    OomReport r = out.only();
    assertThat(out.problems).isEmpty();
    assertThat(r.complete()).isTrue();
    assertThat(r.kernel()).hasValue("6.12.9");
    assertThat(r.trigger().orElseThrow().pid()).hasValue(3804876);
    assertThat(r.scope()).hasValue(OomScope.MEMCG);
    assertThat(r.victim().orElseThrow().pid()).isEqualTo(3804875);
    assertThat(r.victim().orElseThrow().oomScoreAdj()).hasValue(-997);
    assertThat(r.groupKill().orElseThrow().cgroup())
        .isEqualTo("/kubepods.slice/kubepods-pod1.slice/cri-containerd-ab.scope");
    assertThat(r.groupKill().orElseThrow().killed())
        .extracting(KilledTask::pid)
        .containsExactly(3804876L);
    assertThat(r.groupKill().orElseThrow().killed().getFirst().anonRssBytes())
        .hasValue(992112 * 1024L);
    assertThat(r.reaped()).hasValue(true);
    assertThat(r.tasks()).hasSize(2);
    assertThat(r.tasks().getFirst().rssAnonBytes()).hasValue(372306 * 4096L);
    assertThat(r.memcg().orElseThrow().stat()).containsEntry("kernel", 4096L).hasSize(3);
    assertThat(r.memcg().orElseThrow().swapLimitBytes()).hasValue(0);
    assertThat(r.source().lastLine()).isEqualTo(27);
  }

  @Test
  void accept_panicOnOom_noVictim() {
    OomReport r = assemble(corpus("008-panic-on-oom-arm64-5.4.log")).only();
    assertThat(r.complete()).isTrue();
    assertThat(r.victim()).isEmpty();
    assertThat(r.panic()).hasValue("Out of memory: system-wide panic_on_oom is enabled");
    assertThat(r.noKillableProcesses()).isFalse();
    assertThat(r.hostMemory().orElseThrow().cmaReservedBytes()).hasValue(131072 * 4096L);
    assertThat(r.tasks()).extracting(t -> t.comm()).containsExactly("ash", "oom");
    // The second stack dump after the panic (and the kdb lines) are not the report's.
    assertThat(r.source().lastLine()).isEqualTo(49);
  }

  @Test
  void accept_sysrqOrderMinusOne() {
    OomReport r = assemble(corpus("013-oomanalyser-ubuntu-5.13-sysrq-host.log")).only();
    assertThat(r.order()).hasValue(-1);
    assertThat(r.trigger().orElseThrow().comm()).isEqualTo("kworker/0:2");
    assertThat(r.hostMemory().orElseThrow().counterBytes()).containsEntry("free", 427891L * 4096);
    assertThat(r.victim().orElseThrow().comm()).isEqualTo("unattended-upgr");
  }

  @Test
  void accept_victimAlreadyExiting_victimFromSummary() {
    String text =
        """
        java invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0
        CPU: 3 PID: 4001 Comm: java Not tainted 5.15.0-91-generic #101-Ubuntu
        memory: usage 1048576kB, limit 1048576kB, failcnt 12
        swap: usage 0kB, limit 0kB, failcnt 0
        Memory cgroup stats for /system.slice/app.service:
        anon 1067417600
        Tasks state (memory values in pages):
        [  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name
        [   4000]  1000  4000   900000   262000  2400000        0           200 java
        oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/system.slice/app.service,task_memcg=/system.slice/app.service,task=java,pid=4000,uid=1000
        Memory cgroup out of memory: OOM victim 4000 (java) is already exiting. Skip killing the task
        """;
    OomReport r = assemble(bare("exiting.log", text)).only();
    assertThat(r.complete()).isTrue();
    Victim v = r.victim().orElseThrow();
    assertThat(v.pid()).isEqualTo(4000);
    assertThat(v.comm()).isEqualTo("java");
    assertThat(v.uid()).hasValue(1000);
    assertThat(v.oomScoreAdj()).hasValue(200);
    assertThat(v.anonRssBytes()).isEmpty();
    assertThat(v.source().line()).isEqualTo(11);
    assertThat(r.oomMemcg()).hasValue("/system.slice/app.service");
  }

  @Test
  void accept_allocFailure_ownEventWithShowMem() {
    ReportTestLines.Collected out =
        assemble(corpus("011-lkml-hyperv-5.13-vmemmap-alloc-failure.log"));
    assertThat(out.reports).isEmpty();
    AllocFailure a = out.allocFailures.getFirst();
    assertThat(out.allocFailures).hasSize(1);
    assertThat(a.comm()).isEqualTo("kworker/0:1");
    assertThat(a.pid()).hasValue(18);
    assertThat(a.kind()).isEqualTo("vmemmap alloc");
    assertThat(a.order()).isEqualTo(9);
    assertThat(a.gfpMask()).hasValue("0x4cc0(GFP_KERNEL|__GFP_RETRY_MAYFAIL)");
    assertThat(a.hostMemory().orElseThrow().ramBytes()).hasValue(392939 * 4096L);
    assertThat(a.hostMemory().orElseThrow().zones()).hasSize(2);
    assertThat(a.source().lastLine()).isEqualTo(48);
    assertThat(a.time().monotonicSeconds()).hasValue(49.215291);
  }

  @Test
  void accept_allocFailureThenOomReport_bothKept() {
    List<LogLine> lines = new ArrayList<>(corpus("011-lkml-hyperv-5.13-vmemmap-alloc-failure.log"));
    lines.addAll(corpus(F015));
    ReportTestLines.Collected out = assemble(renumbered(lines, "both.log", 1));
    assertThat(out.allocFailures).hasSize(1);
    assertThat(out.allocFailures.getFirst().source().lastLine()).isEqualTo(48);
    assertThat(out.only().complete()).isTrue();
    assertThat(out.only().source().firstLine()).isEqualTo(49);
  }

  @Test
  void accept_ratelimited310BareKillPair_ownIncompleteReport() {
    List<LogLine> lines = new ArrayList<>(corpus(F001));
    lines.addAll(
        bare(
            "x",
            """
        Out of memory: Kill process 27502 (java) score 330 or sacrifice child
        Killed process 27502 (java) total-vm:16117200kB, anon-rss:10866276kB, file-rss:0kB, shmem-rss:0kB
        """));
    ReportTestLines.Collected out = assemble(renumbered(lines, "rl.log", 1));
    assertThat(out.reports).hasSize(2);
    OomReport tail = out.reports.get(1);
    assertThat(tail.complete()).isFalse();
    assertThat(tail.trigger()).isEmpty();
    assertThat(tail.scope()).hasValue(OomScope.GLOBAL);
    Victim v = tail.victim().orElseThrow();
    assertThat(v.pid()).isEqualTo(27502);
    assertThat(v.score()).hasValue(330);
    assertThat(v.anonRssBytes()).hasValue(10866276 * 1024L);
    assertThat(tail.lines()).hasSize(2);
  }

  @Test
  void accept_reaperOfAnEarlierKillInsideTheHeader_notThisReportsVictim() {
    // The reaper runs on its own kthread: its line can land inside the next report.
    String text =
        """
        stress invoked oom-killer: gfp_mask=0x14000c0(GFP_KERNEL), nodemask=(null), order=0, oom_score_adj=939
        CPU: 0 PID: 32332 Comm: stress Not tainted 4.15.0-46-generic #49-Ubuntu
        oom_reaper: reaped process 32001 (stress), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB
        Task in /kubepods/burstable/pod1/c1 killed as a result of limit of /kubepods/burstable/pod1
        memory: usage 125952kB, limit 125952kB, failcnt 3632
        """;
    OomReport r = assemble(bare("interleaved.log", text)).only();
    assertThat(r.victim()).isEmpty();
    assertThat(r.reaped()).isEmpty();
    assertThat(r.memcg()).isPresent();
  }

  @Test
  void accept_killAnnouncedButKilledLineLost_victimFromReaper() {
    String text =
        """
        stress invoked oom-killer: gfp_mask=0x14000c0(GFP_KERNEL), nodemask=(null), order=0, oom_score_adj=939
        Memory cgroup out of memory: Kill process 32308 (stress) score 1718 or sacrifice child
        oom_reaper: reaped process 32308 (stress), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB
        """;
    OomReport r = assemble(bare("announced.log", text)).only();
    Victim v = r.victim().orElseThrow();
    assertThat(v.pid()).isEqualTo(32308);
    assertThat(v.score()).hasValue(1718);
    assertThat(v.source().line()).isEqualTo(3);
    assertThat(r.reaped()).hasValue(true);
  }

  @Test
  void accept_callbacksSuppressedAfterAReport_beginsTheNext() {
    List<LogLine> lines = new ArrayList<>(corpus(F026));
    lines.addAll(bare("x", "oom_kill_process: 7 callbacks suppressed\n"));
    lines.addAll(corpus(F026));
    ReportTestLines.Collected out = assemble(renumbered(lines, "two.log", 1));
    assertThat(out.reports).hasSize(2);
    assertThat(out.reports.get(0).source().lastLine()).isEqualTo(31);
    assertThat(out.reports.get(1).source().firstLine()).isEqualTo(32);
    assertThat(out.reports.get(1).complete()).isTrue();
    assertThat(out.problems).isEmpty();
  }

  @Test
  void accept_sacrificeChild_victimIsTheChildWithoutParentsScore() {
    String text =
        """
        Out of memory: Kill process 100 (httpd) score 500 or sacrifice child
        Killed process 101 (httpd-worker) total-vm:2048kB, anon-rss:1024kB, file-rss:4kB, shmem-rss:0kB
        """;
    Victim v = assemble(bare("child.log", text)).only().victim().orElseThrow();
    assertThat(v.pid()).isEqualTo(101);
    assertThat(v.comm()).isEqualTo("httpd-worker");
    assertThat(v.score()).isEmpty();
  }

  @Test
  void accept_noKillableThenDeadlockPanic_bothKept() {
    String text =
        """
        kswapd0 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0
        CPU: 0 PID: 50 Comm: kswapd0 Not tainted 5.10.0 #1
        Mem-Info:
        active_anon:10 inactive_anon:20 isolated_anon:0
        Tasks state (memory values in pages):
        [  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name
        Out of memory and no killable processes...
        Kernel panic - not syncing: System is deadlocked on memory
        CPU: 0 PID: 50 Comm: kswapd0 Not tainted 5.10.0 #1
        """;
    OomReport r = assemble(bare("dead.log", text)).only();
    assertThat(r.complete()).isTrue();
    assertThat(r.noKillableProcesses()).isTrue();
    assertThat(r.panic()).hasValue("System is deadlocked on memory");
    assertThat(r.victim()).isEmpty();
    assertThat(r.source().lastLine()).isEqualTo(8);
  }

  @Test
  void inReport_followsTheReportsOpenPart() {
    ReportTestLines.Collected sink = new ReportTestLines.Collected();
    ReportAssembler a = new ReportAssembler(sink);
    List<LogLine> lines =
        renumbered(
            corpus("006-icloudnative-k3s-4.15-cgroupfs-burstable-dmesgT.log"), "far.log", 1000);
    a.skippedTo(1000);
    assertThat(a.inReport()).isFalse();
    a.accept(lines.get(0));
    assertThat(a.inReport()).isTrue();
    for (int i = 1; i < 41; i++) {
      a.accept(lines.get(i));
    }
    assertThat(a.inReport()).isFalse();
    assertThat(sink.reports).isEmpty();
    a.accept(lines.get(41));
    a.finish();
    assertThat(sink.only().reaped()).hasValue(true);
  }

  @Test
  void inReport_firstLinesOfAnInput_everyLineRead() {
    ReportAssembler a = new ReportAssembler(new ReportTestLines.Collected());
    assertThat(a.inReport()).isTrue();
    a.skippedTo(ReportAssembler.START_LINES);
    assertThat(a.inReport()).isTrue();
    a.skippedTo(ReportAssembler.START_LINES + 1);
    assertThat(a.inReport()).isFalse();
  }

  @Test
  void skippedTo_farPastPendingReport_handsItOver() {
    ReportTestLines.Collected sink = new ReportTestLines.Collected();
    ReportAssembler a = new ReportAssembler(sink);
    corpus(F026).forEach(a::accept);
    assertThat(sink.reports).isEmpty();
    a.skippedTo(31 + 2000);
    assertThat(sink.reports).isEmpty();
    a.skippedTo(31 + 2002);
    assertThat(sink.reports).hasSize(1);
    a.finish();
    assertThat(sink.reports).hasSize(1);
  }

  @Test
  void accept_thousandUnknownLinesInOpenReport_closesItIncomplete() {
    List<LogLine> lines = new ArrayList<>(corpus(F026).subList(0, 10));
    for (int i = 0; i < 1000; i++) {
      lines.add(
          ReportTestLines.line(
              new SourceLine("x", 1, "n"),
              Optional.empty(),
              LogTime.UNKNOWN,
              "eth0: link is not ready " + i));
    }
    List<LogLine> numbered = renumbered(lines, "idle.log", 1000);
    ReportTestLines.Collected sink = new ReportTestLines.Collected();
    ReportAssembler a = new ReportAssembler(sink);
    numbered.forEach(a::accept);
    assertThat(a.inReport()).isFalse();
    a.finish();
    OomReport r = sink.only();
    assertThat(r.complete()).isFalse();
    assertThat(r.source().lastLine()).isEqualTo(1009);
  }

  @Test
  void accept_malformedTaskRow_problemAndReportKept() {
    String text =
        resource("corpus/" + F026)
            .replace("[13536] 275858 13536  8389663", "[13536] 275858 13536  83x9663");
    ReportTestLines.Collected out = assemble(unframed("bad.log", text));
    assertThat(out.only().complete()).isTrue();
    assertThat(out.only().tasks()).isEmpty();
    assertThat(out.problems).hasSize(1);
    assertThat(out.problems.getFirst().line()).isEqualTo(29);
    assertThat(out.problems.getFirst().message()).contains("total_vm");
    // The victim's adj cannot come from the row any more.
    assertThat(out.only().victim().orElseThrow().oomScoreAdj()).isEmpty();
  }

  @Test
  void accept_killLineCutInsideTheName_nameFromSummary() {
    String text =
        """
        a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0
        oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=Isolated Web Co,pid=77,uid=1000
        Out of memory: Killed process 77 (Isolated We
        """;
    OomReport r = assemble(bare("cut.log", text)).only();
    assertThat(r.victim().orElseThrow().comm()).isEqualTo("Isolated Web Co");
    assertThat(r.victim().orElseThrow().uid()).hasValue(1000);
    assertThat(r.victim().orElseThrow().anonRssBytes()).isEmpty();
    assertThat(r.complete()).isTrue();
  }

  @Test
  void accept_nonKernelLines_ignored() {
    LogLine systemd =
        new LogLine(
            new SourceLine("s.log", 1, "x"),
            Framing.SYSLOG,
            Optional.of("h"),
            Optional.of("systemd"),
            LogTime.UNKNOWN,
            false,
            "Out of memory: Killed process 5 (x) total-vm:1kB, anon-rss:1kB, file-rss:0kB");
    ReportTestLines.Collected out = assembleAll(List.of(systemd));
    assertThat(out.reports).isEmpty();
  }

  @Test
  void accept_oldestTriggerWithoutAdj_andNoFilterNeeded() {
    // Fed without the reader's filter, the result is the same as with it.
    List<LogLine> lines = corpus("027-cadvisor-fixture-3.13-gce-host.log");
    assertThat(assembleAll(lines).reports).isEqualTo(assemble(lines).reports);
  }
}
