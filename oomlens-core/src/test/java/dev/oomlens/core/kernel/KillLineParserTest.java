package dev.oomlens.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class KillLineParserTest {

  private static KillLine parse(String line) {
    return KillLineParser.parse(line).orElseThrow(() -> new AssertionError("not read: " + line));
  }

  /** A comm is any 15 bytes: line terminators and controls inside it do not hide the kill. */
  @Test
  void parse_namesHoldingLineTerminatorsAndControls() {
    for (String comm :
        new String[] {
          "a\u0085b",
          "a\u2028b",
          "a\u2029b",
          "a\rb",
          "a\u001b[31mb",
          "a\nb",
          "CPU 1/KVM",
          "runc:[2:INIT]",
          " x "
        }) {
      assertThat(
              parse(
                  "Memory cgroup out of memory: Killed process 42 ("
                      + comm
                      + ") total-vm:8kB,"
                      + " anon-rss:4kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0"))
          .as(comm)
          .isEqualTo(
              new KillLine.Killed(
                  Optional.of("Memory cgroup out of memory"),
                  42,
                  comm,
                  OptionalLong.of(8),
                  OptionalLong.of(4),
                  OptionalLong.of(0),
                  OptionalLong.of(0),
                  OptionalLong.of(0),
                  OptionalLong.of(4),
                  OptionalInt.of(0)));
      assertThat(parse("Out of memory: Kill process 42 (" + comm + ") score 9 or sacrifice child"))
          .as(comm)
          .isEqualTo(new KillLine.KillProcess(Optional.of("Out of memory"), 42, comm, 9));
      assertThat(
              parse(
                  "oom_reaper: reaped process 42 ("
                      + comm
                      + "), now anon-rss:0kB,"
                      + " file-rss:0kB, shmem-rss:0kB"))
          .as(comm)
          .isEqualTo(new KillLine.Reaped(42, comm, OptionalLong.of(0)));
      assertThat(parse("oom_reaper: unable to reap pid:42 (" + comm + ")"))
          .as(comm)
          .isEqualTo(new KillLine.UnableToReap(42, comm));
      assertThat(parse("Kill process 42 (" + comm + ") sharing same memory"))
          .as(comm)
          .isEqualTo(new KillLine.SharingMemory(42, comm));
      assertThat(parse("oom killer 42 (" + comm + ") has mm pinned by 43 (" + comm + ")"))
          .as(comm)
          .isEqualTo(new KillLine.MmPinned(42, comm, 43, comm));
      assertThat(
              parse(
                  "Memory cgroup out of memory: OOM victim 42 ("
                      + comm
                      + ") is already"
                      + " exiting. Skip killing the task"))
          .as(comm)
          .isEqualTo(
              new KillLine.AlreadyExiting(Optional.of("Memory cgroup out of memory"), 42, comm));
    }
  }

  @Test
  void parse_killProcessSacrificeChild_3x() {
    // corpus 001 (RHEL 7, 3.10)
    KillLine k = parse("Out of memory: Kill process 6576 (mysqld) score 651 or sacrifice child");
    assertThat(k)
        .isEqualTo(new KillLine.KillProcess(Optional.of("Out of memory"), 6576, "mysqld", 651));
  }

  @Test
  void parse_killProcessMemcgPrefix() {
    // corpus 004 (Fedora 4.8)
    KillLine k =
        parse(
            "Memory cgroup out of memory: Kill process 12906 (stress) score 999 or sacrifice child");
    assertThat(k)
        .isEqualTo(
            new KillLine.KillProcess(
                Optional.of("Memory cgroup out of memory"), 12906, "stress", 999));
  }

  @Test
  void parse_killedProcess_3x_noShmem() {
    // corpus 003 (Ubuntu 3.13): no shmem-rss field before 4.5
    KillLine.Killed k =
        (KillLine.Killed)
            parse(
                "Killed process 7537 (java) total-vm:3952400kB, anon-rss:129696kB, file-rss:12944kB");
    assertThat(k.message()).isEmpty();
    assertThat(k.pid()).isEqualTo(7537);
    assertThat(k.comm()).isEqualTo("java");
    assertThat(k.totalVmKb()).hasValue(3952400);
    assertThat(k.anonRssKb()).hasValue(129696);
    assertThat(k.fileRssKb()).hasValue(12944);
    assertThat(k.shmemRssKb()).isEmpty();
    assertThat(k.uid()).isEmpty();
    assertThat(k.oomScoreAdj()).isEmpty();
  }

  @Test
  void parse_killedProcess_4x_withShmem() {
    // corpus 001 (RHEL 7 backport of shmem-rss)
    KillLine.Killed k =
        (KillLine.Killed)
            parse(
                "Killed process 6576 (mysqld) total-vm:33914892kB,"
                    + " anon-rss:20629004kB, file-rss:0kB, shmem-rss:0kB");
    assertThat(k.anonRssKb()).hasValue(20629004);
    assertThat(k.shmemRssKb()).hasValue(0);
    assertThat(k.pgtablesKb()).isEmpty();
  }

  @Test
  void parse_killedProcess_5x_fullLine() {
    // corpus 015 (AKS 5.15)
    KillLine.Killed k =
        (KillLine.Killed)
            parse(
                "Memory cgroup out of memory: Killed process 716580"
                    + " (stress-ng-vm) total-vm:1104444kB, anon-rss:473048kB, file-rss:644kB, shmem-rss:64kB,"
                    + " UID:0 pgtables:992kB oom_score_adj:1000");
    assertThat(k)
        .isEqualTo(
            new KillLine.Killed(
                Optional.of("Memory cgroup out of memory"),
                716580,
                "stress-ng-vm",
                OptionalLong.of(1104444),
                OptionalLong.of(473048),
                OptionalLong.of(644),
                OptionalLong.of(64),
                OptionalLong.of(0),
                OptionalLong.of(992),
                OptionalInt.of(1000)));
  }

  @Test
  void parse_killedProcessNegativeAdj() {
    // kubelet Guaranteed pods run at -997 (reference doc, section 9)
    KillLine.Killed k =
        (KillLine.Killed)
            parse(
                "Memory cgroup out of memory: Killed process 3804875"
                    + " (stress) total-vm:13632272kB, anon-rss:1489488kB, file-rss:264kB, shmem-rss:0kB, UID:0"
                    + " pgtables:2956kB oom_score_adj:-997");
    assertThat(k.oomScoreAdj()).hasValue(-997);
  }

  @Test
  void parse_killedProcessCutAtWidth_keepsWholeFieldsOnly() {
    // corpus 023: the line was cut at column 159, "kB oom_score_adj:1000" lost
    KillLine.Killed k =
        (KillLine.Killed)
            parse(
                "Out of memory: Killed process 211 (stress-ng-stack)"
                    + " total-vm:5291948kB, anon-rss:758932kB, file-rss:0kB, shmem-rss:4kB, UID:1000"
                    + " pgtables:103480");
    assertThat(k.anonRssKb()).hasValue(758932);
    assertThat(k.shmemRssKb()).hasValue(4);
    assertThat(k.uid()).hasValue(1000);
    assertThat(k.pgtablesKb()).isEmpty();
    assertThat(k.oomScoreAdj()).isEmpty();
  }

  @Test
  void parse_killedProcessCommWithParenthesesAndSpaces() {
    // task->comm may hold spaces, '/', ':' and parentheses (reference doc, section 2)
    KillLine.Killed k =
        (KillLine.Killed)
            parse(
                "Out of memory: Killed process 4242 (CPU 1/KVM)"
                    + " total-vm:100kB, anon-rss:50kB, file-rss:1kB, shmem-rss:0kB, UID:107 pgtables:4kB"
                    + " oom_score_adj:0");
    assertThat(k.comm()).isEqualTo("CPU 1/KVM");
    KillLine.Killed odd =
        (KillLine.Killed)
            parse(
                "Out of memory: Killed process 7 (a) (b) c)"
                    + " total-vm:1kB, anon-rss:2kB, file-rss:3kB, shmem-rss:0kB");
    assertThat(odd.comm()).isEqualTo("a) (b) c");
    assertThat(odd.anonRssKb()).hasValue(2);
    KillLine.KillProcess kp =
        (KillLine.KillProcess)
            parse("Out of memory: Kill process 8291 (runc:[2:INIT]) score 12 or sacrifice child");
    assertThat(kp.comm()).isEqualTo("runc:[2:INIT]");
  }

  /** comm is the process's own choice: Java's line terminators in it must not end the match. */
  @Test
  void parse_commHoldingLineTerminators_keepsTheWholeName() {
    for (String comm : new String[] {"a\rb", "a\u0085b", "a\u2028b", "a\u2029b", "x\u2028"}) {
      KillLine.Killed k =
          (KillLine.Killed)
              parse(
                  "Out of memory: Killed process 7 ("
                      + comm
                      + ") total-vm:1kB, anon-rss:2kB, file-rss:3kB, shmem-rss:0kB");
      assertThat(k.comm()).as("comm %s", comm.codePoints().boxed().toList()).isEqualTo(comm);
      assertThat(k.anonRssKb()).hasValue(2);
    }
  }

  @Test
  void parse_oomKillAllocatingTaskPrefix() {
    // mm/oom_kill.c: oom_kill_process(oc, "Out of memory (oom_kill_allocating_task)")
    KillLine.Killed k =
        (KillLine.Killed)
            parse(
                "Out of memory (oom_kill_allocating_task): Killed"
                    + " process 99 (hog) total-vm:10kB, anon-rss:5kB, file-rss:0kB, shmem-rss:0kB");
    assertThat(k.message()).hasValue("Out of memory (oom_kill_allocating_task)");
    assertThat(k.pid()).isEqualTo(99);
  }

  @Test
  void parse_sharingSameMemory() {
    // 3.10 mm/oom_kill.c: "Kill process %d (%s) sharing same memory"
    assertThat(parse("Kill process 1235 (java worker) sharing same memory"))
        .isEqualTo(new KillLine.SharingMemory(1235, "java worker"));
  }

  @Test
  void parse_mmPinned() {
    // 4.x+ __oom_kill_process(): "oom killer %d (%s) has mm pinned by %d (%s)"
    assertThat(parse("oom killer 500 (hog) has mm pinned by 1 (systemd)"))
        .isEqualTo(new KillLine.MmPinned(500, "hog", 1, "systemd"));
  }

  @Test
  void parse_alreadyExiting() {
    // 5.x+ __oom_kill_process(), seen in group kills of a cgroup v2 pod
    assertThat(
            parse(
                "Memory cgroup out of memory: OOM victim 3804877 (stress) is already exiting."
                    + " Skip killing the task"))
        .isEqualTo(
            new KillLine.AlreadyExiting(
                Optional.of("Memory cgroup out of memory"), 3804877, "stress"));
  }

  @Test
  void parse_reaper() {
    // corpus 006 (4.15) and 009 (comm with brackets and colons)
    assertThat(
            parse(
                "oom_reaper: reaped process 32308 (stress), now anon-rss:0kB, file-rss:0kB,"
                    + " shmem-rss:0kB"))
        .isEqualTo(new KillLine.Reaped(32308, "stress", OptionalLong.of(0)));
    assertThat(
            parse(
                "oom_reaper: reaped process 8291 (runc:[2:INIT]), now anon-rss:0kB,"
                    + " file-rss:0kB, shmem-rss:0kB"))
        .isEqualTo(new KillLine.Reaped(8291, "runc:[2:INIT]", OptionalLong.of(0)));
    assertThat(parse("oom_reaper: unable to reap pid:4100 (containerd)"))
        .isEqualTo(new KillLine.UnableToReap(4100, "containerd"));
  }

  @Test
  void parse_noKillableAndPanics() {
    // mm/oom_kill.c out_of_memory(); check_panic_on_oom(); corpus 008
    assertThat(parse("Out of memory and no killable processes..."))
        .isEqualTo(new KillLine.NoKillable(false, "Out of memory and no killable processes..."));
    assertThat(parse("Kernel panic - not syncing: Out of memory and no killable processes..."))
        .isEqualTo(new KillLine.NoKillable(true, "Out of memory and no killable processes..."));
    assertThat(
            parse(
                "Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is"
                    + " enabled"))
        .isEqualTo(new KillLine.Panic("Out of memory: system-wide panic_on_oom is enabled"));
    assertThat(
            parse(
                "Kernel panic - not syncing: Out of memory: compulsory panic_on_oom is"
                    + " enabled"))
        .isEqualTo(new KillLine.Panic("Out of memory: compulsory panic_on_oom is enabled"));
    assertThat(parse("Kernel panic - not syncing: System is deadlocked on memory"))
        .isEqualTo(new KillLine.Panic("System is deadlocked on memory"));
    assertThat(KillLineParser.parse("Kernel panic - not syncing: Fatal exception")).isEmpty();
  }

  @Test
  void parse_groupKillHeader() {
    // mm/memcontrol.c mem_cgroup_print_oom_group()
    assertThat(
            parse(
                "Tasks in /kubepods.slice/kubepods-pod1.slice/cri-containerd-ab.scope are going"
                    + " to be killed due to memory.oom.group set"))
        .isEqualTo(
            new KillLine.GroupKillHeader(
                "/kubepods.slice/kubepods-pod1.slice/cri-containerd-ab.scope"));
  }

  @Test
  void parse_otherLines_empty() {
    assertThat(KillLineParser.parse("Killed process")).isEmpty();
    assertThat(KillLineParser.parse("Killed process abc (x) total-vm:1kB")).isEmpty();
    assertThat(KillLineParser.parse("docker0: port 2(veth337f9d3) entered disabled state"))
        .isEmpty();
    assertThat(
            KillLineParser.parse(
                "Kill process 99999999999999999999999 (x) score 1 or sacrifice" + " child"))
        .isEmpty();
    assertThat(KillLineParser.parse("")).isEmpty();
  }
}
