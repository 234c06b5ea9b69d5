package dev.oomlens.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.model.Constraint;
import dev.oomlens.core.model.MemcgState;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.OomScope;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.model.Trigger;
import dev.oomlens.core.model.Victim;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/**
 * Reports as people paste them into tickets and chats (see {@code pasted/SOURCE.md}): read byte for
 * byte through {@link KernelLogReader}, the way {@code oomlens diagnose} reads a pasted file.
 */
class PastedReportsTest {

  static ReportTestLines.Collected read(String file) {
    return readBytes(file, bytes(file));
  }

  static ReportTestLines.Collected readBytes(String name, byte[] text) {
    ReportTestLines.Collected out = new ReportTestLines.Collected();
    new KernelLogReader(new ReaderOptions(LocalDate.of(2026, 11, 23)))
        .read(name, new ByteArrayInputStream(text), out);
    return out;
  }

  static byte[] bytes(String file) {
    try (InputStream in = PastedReportsTest.class.getResourceAsStream("/pasted/" + file)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource pasted/" + file);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void read_constraintOnlyAPatchedKernelPrints_keepsTheKernelsWordAndScopeFromShape() {
    ReportTestLines.Collected out = read("bpf-constraint-6.16.log");
    OomReport r = out.only();
    assertThat(out.problems).isEmpty();
    assertThat(r.constraint()).hasValue(new Constraint("CONSTRAINT_BPF_PSI_MEM"));
    assertThat(r.constraint().orElseThrow().isKnown()).isFalse();
    assertThat(r.scope()).hasValue(OomScope.MEMCG);
    assertThat(r.oomMemcg()).hasValue("/cgroup-test-work-dir673/oom_test/cg2");
    assertThat(r.victim().orElseThrow().comm()).isEqualTo("test_progs");
    assertThat(r.complete()).isTrue();
  }

  private static final String POD_V1 =
      "/kubepods/burstable/podbc001ffa-68fc-11e9-92d7-5ef9efd9374c";
  private static final String CONTAINER_V1 =
      POD_V1 + "/a2ed67c63e828da3849bf9f506ae2b36b4dac5b402a57f2981c9bdc07b23e672";
  private static final String CONTAINER_V2 =
      "/kubepods.slice/kubepods-burstable.slice/"
          + "kubepods-burstable-pod7f3c2a1e_5b9d_4c8e_9a2f_1d6e8b4c3a70.slice/cri-containerd-"
          + "3f9a1c7e5b2d4086a1e9c3b7d5f2a4e6c8b0d1f3a5c7e9b2d4f6a8c0e1b3d5f7.scope";

  // Item 1: the kill line lost, the reaper names the victim.

  @Test
  void read_killLinesLostAfterRatelimitedHeader_victimFromReaperLine() {
    ReportTestLines.Collected out = read("kill-lines-lost-4.15.log");
    assertThat(out.problems).isEmpty();
    OomReport r = out.only();
    assertThat(r.source().firstLine()).isEqualTo(1);
    assertThat(r.lines())
        .extracting(SourceLine::text)
        .anyMatch(t -> t.endsWith("oom_kill_process: 3 callbacks suppressed"));
    Victim v = r.victim().orElseThrow();
    assertThat(v.pid()).isEqualTo(32308);
    assertThat(v.comm()).isEqualTo("stress");
    assertThat(v.source().line()).isEqualTo(41);
    assertThat(v.source().text()).contains("oom_reaper: reaped process 32308 (stress)");
    // The reaper prints what was left after reaping, not the RSS at the kill.
    assertThat(v.anonRssBytes()).isEmpty();
    assertThat(v.oomScoreAdj()).hasValue(939);
    assertThat(r.reaped()).hasValue(true);
    assertThat(r.trigger().orElseThrow().pid()).hasValue(32332);
    assertThat(r.scope()).hasValue(OomScope.MEMCG);
    assertThat(r.oomMemcg()).hasValue(POD_V1);
    assertThat(r.source().lastLine()).isEqualTo(41);
  }

  @Test
  void read_killedLineLostAfterSummary_victimFromSummaryAndReaped() {
    ReportTestLines.Collected out = read("killed-line-lost-6.1.log");
    assertThat(out.problems).isEmpty();
    OomReport r = out.only();
    Victim v = r.victim().orElseThrow();
    assertThat(v.pid()).isEqualTo(473206);
    assertThat(v.comm()).isEqualTo("doxygen");
    assertThat(v.source().text()).startsWith("oom-kill:constraint=CONSTRAINT_NONE");
    assertThat(r.reaped()).hasValue(true);
    assertThat(r.source().lastLine()).isEqualTo(173);
    assertThat(r.scope()).hasValue(OomScope.GLOBAL);
  }

  // Item 3: a paste that starts inside a report.

  @Test
  void read_pasteStartsAtCpuLine_triggerIsTheCpuLinesTask() {
    ReportTestLines.Collected out = read("starts-at-cpu-6.1.log");
    assertThat(out.problems).isEmpty();
    OomReport r = out.only();
    Trigger t = r.trigger().orElseThrow();
    assertThat(t.comm()).isEqualTo("nix");
    assertThat(t.pid()).hasValue(122);
    assertThat(t.gfpMask()).isEmpty();
    assertThat(t.order()).isEmpty();
    assertThat(t.oomScoreAdj()).isEmpty();
    assertThat(t.source().line()).isEqualTo(1);
    assertThat(r.kernel()).hasValue("6.1.0-56-cloud-amd64");
    assertThat(r.complete()).isFalse();
    MemcgState m = r.memcg().orElseThrow();
    assertThat(m.usageBytes()).isEqualTo(65340 * 1024L);
    assertThat(m.limitBytes()).isEqualTo(65536 * 1024L);
    assertThat(r.oomMemcg()).hasValue(CONTAINER_V2);
    assertThat(r.victim().orElseThrow().pid()).isEqualTo(122);
  }

  @Test
  void read_pasteStartsAtStack_reportAssembled() {
    ReportTestLines.Collected out = read("starts-at-stack-4.15.log");
    assertThat(out.problems).isEmpty();
    OomReport r = out.only();
    assertThat(r.source().firstLine()).isEqualTo(1);
    assertThat(r.trigger()).isEmpty();
    assertThat(r.oomMemcg()).hasValue(POD_V1);
    assertThat(r.taskMemcg()).hasValue(CONTAINER_V1);
    assertThat(r.memcg().orElseThrow().usageBytes()).isEqualTo(125952 * 1024L);
    assertThat(r.memcg().orElseThrow().limitBytes()).isEqualTo(125952 * 1024L);
    assertThat(r.victim().orElseThrow().pid()).isEqualTo(32308);
    assertThat(r.reaped()).hasValue(true);
  }

  @Test
  void read_pasteStartsAtMemcgBlock_usageLimitAndCgroup() {
    ReportTestLines.Collected out = read("starts-at-memcg-6.1.log");
    assertThat(out.problems).isEmpty();
    OomReport r = out.only();
    assertThat(r.source().firstLine()).isEqualTo(1);
    MemcgState m = r.memcg().orElseThrow();
    assertThat(m.usageBytes()).isEqualTo(65340 * 1024L);
    assertThat(m.limitBytes()).isEqualTo(65536 * 1024L);
    assertThat(m.statCgroup()).hasValue(CONTAINER_V2);
    assertThat(m.stat()).containsEntry("anon", 66654208L);
    assertThat(r.oomMemcg()).hasValue(CONTAINER_V2);
    assertThat(r.scope()).hasValue(OomScope.MEMCG);
    assertThat(r.victim().orElseThrow().comm()).isEqualTo("nix");
  }

  @Test
  void read_otherStackDumpsAtTheStart_noReport() {
    // A WARN splat's CPU line and stack, not followed by an OOM report's memory sections.
    String text =
        """
        [  100.000001] CPU: 1 PID: 122 Comm: nix Not tainted 6.1.0-56-cloud-amd64 #1
        [  100.000002] Hardware name: QEMU Standard PC (Q35 + ICH9, 2009)
        [  100.000003] Call Trace:
        [  100.000004]  <TASK>
        [  100.000005]  dump_stack_lvl+0x44/0x5c
        [  100.000006]  __warn+0x7d/0xc0
        [  100.000007]  </TASK>
        [  100.000008] ---[ end trace 0000000000000000 ]---
        [  100.000009] eth0: link up
        """;
    ReportTestLines.Collected out = readBytes("warn.log", text.getBytes(StandardCharsets.UTF_8));
    assertThat(out.reports).isEmpty();
    assertThat(out.problems).isEmpty();
  }

  // Item 4: oom_memcg from the stats header.

  @Test
  void read_pasteCutBeforeSummary_oomMemcgFromStatsHeader() {
    ReportTestLines.Collected out = read("cut-before-summary-6.1.log");
    assertThat(out.problems).isEmpty();
    OomReport r = out.only();
    assertThat(r.oomMemcg()).hasValue(CONTAINER_V2);
    assertThat(r.taskMemcg()).isEmpty();
    assertThat(r.scope()).hasValue(OomScope.MEMCG);
    assertThat(r.victim()).isEmpty();
    assertThat(r.workload().containerId())
        .hasValue("3f9a1c7e5b2d4086a1e9c3b7d5f2a4e6c8b0d1f3a5c7e9b2d4f6a8c0e1b3d5f7");
  }

  // Item 5: a trigger line whose tail wrapped onto the next line.

  @Test
  void read_triggerWrappedAfterAComma_tailFramedNowhere() {
    OomReport r = wrapped("trigger-wrapped-dmesgT-4.15.log");
    assertThat(r.trigger().orElseThrow().oomScoreAdj()).hasValue(939);
    assertThat(r.trigger().orElseThrow().gfpMask()).hasValue("0x14000c0(GFP_KERNEL)");
    assertThat(r.trigger().orElseThrow().order()).hasValue(0);
    assertThat(r.victim().orElseThrow().pid()).isEqualTo(32308);
  }

  @Test
  void read_triggerWrappedAfterAComma_tailFramedToo() {
    OomReport r = wrapped("trigger-wrapped-syslog-5.15.log");
    assertThat(r.trigger().orElseThrow().oomScoreAdj()).hasValue(1000);
    assertThat(r.trigger().orElseThrow().order()).hasValue(0);
    assertThat(r.host()).hasValue("aks-ubuntu-26835060-vmss000000");
  }

  @Test
  void read_triggerHardWrappedInsideAWord_tailAtColumnZero() {
    OomReport r = wrapped("trigger-wrapped-at-column-5.15.log");
    assertThat(r.trigger().orElseThrow().oomScoreAdj()).hasValue(1000);
    assertThat(r.trigger().orElseThrow().gfpMask()).hasValue("0xcc0(GFP_KERNEL)");
    assertThat(r.host()).hasValue("aks-ubuntu-26835060-vmss000000");
  }

  private static OomReport wrapped(String file) {
    ReportTestLines.Collected out = read(file);
    assertThat(out.problems).isEmpty();
    OomReport r = out.only();
    assertThat(r.complete()).isTrue();
    assertThat(r.source().firstLine()).isEqualTo(1);
    assertThat(r.lines()).extracting(SourceLine::line).startsWith(1L, 2L);
    assertThat(r.trigger().orElseThrow().source().line()).isEqualTo(1);
    return r;
  }

  // Item 6: no killable processes, across the kernels' wordings.

  @Test
  void read_noKillablePanicOfOldKernels_pasteFromTheTaskTable() {
    ReportTestLines.Collected out = read("no-killable-panic-rhel7-3.10.log");
    assertThat(out.problems).isEmpty();
    OomReport r = out.only();
    assertThat(r.noKillableProcesses()).isTrue();
    assertThat(r.panic()).hasValue("Out of memory and no killable processes...");
    assertThat(r.victim()).isEmpty();
    assertThat(r.tasks()).extracting(t -> t.comm()).containsExactly("sshd", "systemd-udevd");
    // The panic's own stack dump that follows is not a report.
    assertThat(r.source().lastLine()).isEqualTo(4);
  }

  @Test
  void read_noKillableThenDeadlockPanic_globalOom() {
    ReportTestLines.Collected out = read("no-killable-deadlock-panic-6.1.log");
    assertThat(out.problems).isEmpty();
    OomReport r = out.only();
    assertThat(r.noKillableProcesses()).isTrue();
    assertThat(r.panic()).hasValue("System is deadlocked on memory");
    assertThat(r.scope()).hasValue(OomScope.GLOBAL);
    assertThat(r.victim()).isEmpty();
    assertThat(r.complete()).isTrue();
  }

  @Test
  void read_noKillableGlobalPasteCutBeforeThePanic_stillMarked() {
    String text = new String(bytes("no-killable-deadlock-panic-6.1.log"), StandardCharsets.UTF_8);
    String cut = text.substring(0, text.indexOf("[   25.499520] Kernel panic"));
    ReportTestLines.Collected out = readBytes("cut.log", cut.getBytes(StandardCharsets.UTF_8));
    OomReport r = out.only();
    assertThat(r.noKillableProcesses()).isTrue();
    assertThat(r.panic()).isEmpty();
    assertThat(r.scope()).hasValue(OomScope.GLOBAL);
  }

  @Test
  void read_noKillableInAMemoryCgroup_noPanic() {
    ReportTestLines.Collected out = read("no-killable-memcg-6.1.log");
    assertThat(out.problems).isEmpty();
    OomReport r = out.only();
    assertThat(r.noKillableProcesses()).isTrue();
    assertThat(r.panic()).isEmpty();
    assertThat(r.scope()).hasValue(OomScope.MEMCG);
    assertThat(r.oomMemcg()).hasValue(CONTAINER_V2);
    assertThat(r.complete()).isTrue();
  }
}
