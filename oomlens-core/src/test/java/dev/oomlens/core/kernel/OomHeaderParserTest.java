package dev.oomlens.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class OomHeaderParserTest {

  @Test
  void trigger_3xBareHex() {
    // corpus 001 (3.10)
    assertThat(
            OomHeaderParser.trigger(
                "sed invoked oom-killer: gfp_mask=0x201da, order=0, oom_score_adj=0"))
        .hasValue(
            new OomHeaderParser.TriggerLine(
                "sed", Optional.of("0x201da"), OptionalInt.of(0), OptionalInt.of(0)));
  }

  @Test
  void trigger_48FlagNames() {
    // corpus 004 (4.8)
    assertThat(
            OomHeaderParser.trigger(
                "stress invoked oom-killer: gfp_mask=0x24000c0(GFP_KERNEL), order=0, oom_score_adj=0"))
        .hasValue(
            new OomHeaderParser.TriggerLine(
                "stress",
                Optional.of("0x24000c0(GFP_KERNEL)"),
                OptionalInt.of(0),
                OptionalInt.of(0)));
  }

  @Test
  void trigger_415Nodemask() {
    // corpus 006 (4.15), and a nodemask list with a comma (%*pbl)
    assertThat(
            OomHeaderParser.trigger(
                "stress invoked oom-killer: gfp_mask=0x14000c0(GFP_KERNEL),"
                    + " nodemask=(null), order=0, oom_score_adj=939"))
        .hasValue(
            new OomHeaderParser.TriggerLine(
                "stress",
                Optional.of("0x14000c0(GFP_KERNEL)"),
                OptionalInt.of(0),
                OptionalInt.of(939)));
    assertThat(
            OomHeaderParser.trigger(
                    "qemu-kvm invoked oom-killer: gfp_mask=0x6280ca"
                        + "(GFP_HIGHUSER_MOVABLE|__GFP_ZERO), nodemask=0,2-3, order=3, oom_score_adj=-500")
                .orElseThrow()
                .order())
        .hasValue(3);
  }

  @Test
  void trigger_5xSysrqAndCommWithSpaces() {
    // corpus 013 (SysRq-f: order=-1), 018 (6.1 multi-flag names)
    OomHeaderParser.TriggerLine t =
        OomHeaderParser.trigger(
                "kworker/0:2 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=-1, oom_score_adj=0")
            .orElseThrow();
    assertThat(t.comm()).isEqualTo("kworker/0:2");
    assertThat(t.order()).hasValue(-1);
    assertThat(
            OomHeaderParser.trigger(
                "Isolated Web Co invoked oom-killer: gfp_mask=0x140dca"
                    + "(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO), order=0, oom_score_adj=167"))
        .hasValue(
            new OomHeaderParser.TriggerLine(
                "Isolated Web Co",
                Optional.of("0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO)"),
                OptionalInt.of(0),
                OptionalInt.of(167)));
  }

  @Test
  void trigger_oldestWithoutScoreAdj() {
    // 2.6 kernels printed oomkilladj instead of oom_score_adj
    OomHeaderParser.TriggerLine t =
        OomHeaderParser.trigger("httpd invoked oom-killer: gfp_mask=0x201d2, order=0, oomkilladj=0")
            .orElseThrow();
    assertThat(t.gfpMask()).hasValue("0x201d2");
    assertThat(t.order()).hasValue(0);
    assertThat(t.oomScoreAdj()).isEmpty();
  }

  @Test
  void trigger_cutInsideFlagNames_keepsHex() {
    assertThat(
            OomHeaderParser.trigger("java invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MO")
                .orElseThrow()
                .gfpMask())
        .hasValue("0x100cca");
  }

  @Test
  void cpuset_leafAndNodes() {
    // corpus 003 (container id leaf), 004 (docker scope leaf), 001 ("/")
    assertThat(OomHeaderParser.cpuset("java cpuset=aa0c055d742e mems_allowed=0"))
        .hasValue(new OomHeaderParser.CpusetLine("java", "aa0c055d742e", "0"));
    assertThat(OomHeaderParser.cpuset("sed cpuset=/ mems_allowed=0-1"))
        .hasValue(new OomHeaderParser.CpusetLine("sed", "/", "0-1"));
    assertThat(OomHeaderParser.cpuset("CPU 1/KVM cpuset=emulator mems_allowed=0"))
        .hasValue(new OomHeaderParser.CpusetLine("CPU 1/KVM", "emulator", "0"));
    assertThat(
            OomHeaderParser.cpuset(
                "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),"
                    + "cpuset=/,mems_allowed=0,global_oom,task=a,pid=1,uid=0"))
        .isEmpty();
  }

  /** A comm is any 15 bytes: a line terminator or control inside it does not hide the task. */
  @Test
  void cpu_commHoldingLineTerminatorsAndControls() {
    for (String comm : new String[] {"a\u0085b", "a\u2028b", "a\u2029b", "a\rb", "a\u001b[31mb"}) {
      assertThat(OomHeaderParser.cpu("CPU: 4 PID: 29481 Comm: " + comm + " Not tainted 6.8.0 #1"))
          .as(comm)
          .hasValue(new OomHeaderParser.CpuLine(29481, comm, Optional.of("6.8.0")));
    }
  }

  @Test
  void cpu_versions() {
    // corpus 001 (3.10), 004 (4.8 tainted), 010 (Kdump: loaded), 008 (arm64), 018 (6.1 build hash)
    assertThat(
            OomHeaderParser.cpu(
                "CPU: 4 PID: 29481 Comm: sed Not tainted 3.10.0-514.6.1.el7.x86_64 #1"))
        .hasValue(
            new OomHeaderParser.CpuLine(29481, "sed", Optional.of("3.10.0-514.6.1.el7.x86_64")));
    assertThat(
            OomHeaderParser.cpu(
                "CPU: 1 PID: 12906 Comm: stress Tainted: P           OE  "
                    + " 4.8.11-200.fc24.x86_64 #1"))
        .hasValue(
            new OomHeaderParser.CpuLine(12906, "stress", Optional.of("4.8.11-200.fc24.x86_64")));
    assertThat(
            OomHeaderParser.cpu(
                "CPU: 17 PID: 5532 Comm: a.out Kdump: loaded Not tainted"
                    + " 5.10.0-60.18.0.50.oe2203.x86_64 #1"))
        .hasValue(
            new OomHeaderParser.CpuLine(
                5532, "a.out", Optional.of("5.10.0-60.18.0.50.oe2203.x86_64")));
    assertThat(
            OomHeaderParser.cpu("CPU: 2 PID: 147 Comm: oom Tainted: G S                5.4.74 #4"))
        .hasValue(new OomHeaderParser.CpuLine(147, "oom", Optional.of("5.4.74")));
    assertThat(
            OomHeaderParser.cpu(
                "CPU: 3 PID: 473206 Comm: doxygen Tainted: G           OE     "
                    + " 6.1.1-arch1-1 #1 9bd09188b430be630e611f984454e4f3c489be77"))
        .hasValue(new OomHeaderParser.CpuLine(473206, "doxygen", Optional.of("6.1.1-arch1-1")));
  }

  @Test
  void cpu_6xUidAndCommWithSpace() {
    // 6.x dump_stack header: "CPU: %d UID: %u PID: %d Comm: %.20s ..."
    assertThat(
            OomHeaderParser.cpu(
                "CPU: 1 UID: 0 PID: 116 Comm: CPU 0/KVM Not tainted 6.12.9 #1"
                    + " PREEMPT(voluntary)"))
        .hasValue(new OomHeaderParser.CpuLine(116, "CPU 0/KVM", Optional.of("6.12.9")));
  }

  @Test
  void hardwareAndWorkqueue() {
    // corpus 006 (empty vendor: two spaces), 013 (moom_callback)
    assertThat(OomHeaderParser.hardware("Hardware name:  BHYVE, BIOS 1.00 03/14/2014"))
        .hasValue("BHYVE, BIOS 1.00 03/14/2014");
    assertThat(OomHeaderParser.isWorkqueue("Workqueue: events moom_callback")).isTrue();
    assertThat(OomHeaderParser.hardware("Call Trace:")).isEmpty();
  }

  @Test
  void allocFailure_pageAndVmemmap() {
    // corpus 011 (5.13 vmemmap), warn_alloc() 4.12+ and 3.x forms
    assertThat(
            OomHeaderParser.allocFailure(
                "kworker/0:1: vmemmap alloc failure: order:9,"
                    + " mode:0x4cc0(GFP_KERNEL|__GFP_RETRY_MAYFAIL), nodemask=(null),cpuset=/,mems_allowed=0"))
        .hasValue(
            new OomHeaderParser.AllocFailureLine(
                "kworker/0:1",
                "vmemmap alloc",
                9,
                Optional.of("0x4cc0(GFP_KERNEL|__GFP_RETRY_MAYFAIL)")));
    assertThat(
            OomHeaderParser.allocFailure("swapper/0: page allocation failure: order:0, mode:0x20"))
        .hasValue(
            new OomHeaderParser.AllocFailureLine(
                "swapper/0", "page allocation", 0, Optional.of("0x20")));
    assertThat(OomHeaderParser.allocFailure("Out of memory and no killable processes..."))
        .isEmpty();
  }
}
