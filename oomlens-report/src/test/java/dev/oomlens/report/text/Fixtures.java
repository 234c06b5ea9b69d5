package dev.oomlens.report.text;

import dev.oomlens.core.model.AllocFailure;
import dev.oomlens.core.model.Constraint;
import dev.oomlens.core.model.FactLines;
import dev.oomlens.core.model.GroupKill;
import dev.oomlens.core.model.HostMemory;
import dev.oomlens.core.model.KiB;
import dev.oomlens.core.model.KilledTask;
import dev.oomlens.core.model.LogTime;
import dev.oomlens.core.model.MemcgState;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.OomScope;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.model.SourceRange;
import dev.oomlens.core.model.TaskRow;
import dev.oomlens.core.model.Trigger;
import dev.oomlens.core.model.Victim;
import dev.oomlens.core.model.Workload;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Hand-made evidence records for the text renderer's tests, shaped after real reports (a cgroup v2
 * Kubernetes pod, a RHEL 7 host OOM, a SysRq-f, a panic_on_oom, a Docker cgroup v1 container).
 */
final class Fixtures {
  private Fixtures() {}

  /** The page size of every fixture: x86-64's. */
  static final long PAGE = 4096;

  /** {@code kb} kB in bytes, as the readers hold sizes. */
  static long kb(long kb) {
    return KiB.toBytes(kb);
  }

  static OptionalLong kbOf(long kb) {
    return OptionalLong.of(kb(kb));
  }

  static SourceLine line(String file, long n, String text) {
    return new SourceLine(file, n, text);
  }

  static TaskRow row(String file, long n, long pid, long rssPages, int adj, String comm) {
    return new TaskRow(
        pid,
        OptionalLong.of(0),
        OptionalLong.of(pid),
        rssPages * 2 * PAGE,
        rssPages * PAGE,
        OptionalLong.empty(),
        OptionalLong.empty(),
        OptionalLong.empty(),
        OptionalLong.of(rssPages * 8),
        OptionalLong.empty(),
        OptionalLong.empty(),
        OptionalLong.of(0),
        adj,
        comm,
        line(file, n, "[" + pid + "] ... " + comm));
  }

  static LogTime mono(double seconds) {
    return new LogTime(OptionalDouble.of(seconds), Optional.empty(), false);
  }

  /** A cgroup v2 Burstable pod whose container hit the pod's 500 MiB limit (after corpus #015). */
  static OomReport kubernetesPod() {
    String f = "/var/log/kern.log";
    String pod =
        "/kubepods.slice/kubepods-burstable.slice/"
            + "kubepods-burstable-pod479f327f_a27b_4eda_8523_90bdabcf0a27.slice";
    String ctr =
        pod
            + "/cri-containerd-"
            + "679f9845995b4ae4812789eb3c3d1df88040a1bc3f0c046a05c9aa9b5b5f93be.scope";
    Trigger trigger =
        new Trigger(
            "stress-ng-vm",
            OptionalLong.of(716580),
            Optional.of("0xcc0(GFP_KERNEL)"),
            OptionalInt.of(0),
            OptionalInt.of(1000),
            line(f, 1, "stress-ng-vm invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0"));
    Map<String, Long> stat = new LinkedHashMap<>();
    stat.put("anon", 484630528L);
    stat.put("file", 37752832L);
    stat.put("shmem", 37720064L);
    stat.put("slab", 513016L);
    MemcgState memcg =
        new MemcgState(
            kb(512000),
            kb(512000),
            OptionalLong.of(37),
            OptionalLong.of(0),
            OptionalLong.of(MemcgState.UNLIMITED_THRESHOLD_BYTES),
            OptionalLong.of(0),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            List.of(
                new MemcgState.StatBlock(
                    pod, stat, Map.of(), line(f, 33, "Memory cgroup stats for " + pod + ":"))),
            line(f, 31, "memory: usage 512000kB, limit 512000kB, failcnt 37"),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    List<TaskRow> tasks =
        List.of(
            row(f, 76, 716518, 1, -998, "pause"),
            row(f, 77, 716566, 10178, 975, "stress-ng"),
            row(f, 78, 716579, 424, 1000, "stress-ng-vm"),
            row(f, 79, 716580, 118439, 1000, "stress-ng-vm"));
    Victim victim =
        new Victim(
            716580,
            "stress-ng-vm",
            kbOf(1104444),
            kbOf(473048),
            kbOf(644),
            kbOf(64),
            OptionalLong.of(0),
            kbOf(992),
            OptionalInt.of(1000),
            OptionalLong.empty(),
            line(f, 81, "Memory cgroup out of memory: Killed process 716580 (stress-ng-vm)"));
    Workload workload =
        new Workload(
            Workload.Kind.CONTAINER,
            Optional.of(ctr),
            Optional.of("479f327f-a27b-4eda-8523-90bdabcf0a27"),
            Optional.of("679f9845995b4ae4812789eb3c3d1df88040a1bc3f0c046a05c9aa9b5b5f93be"),
            Optional.of("containerd"),
            Optional.of(Workload.QosClass.Burstable),
            Optional.empty(),
            false);
    SourceLine cpu =
        line(f, 2, "CPU: 1 PID: 716580 Comm: stress-ng-vm Not tainted 5.15.0-1051-azure #59");
    SourceLine summary = line(f, 80, "oom-kill:constraint=CONSTRAINT_MEMCG,task_memcg=" + ctr);
    SourceLine reaper = line(f, 82, "oom_reaper: reaped process 716580 (stress-ng-vm)");
    List<SourceLine> lines =
        List.of(trigger.source(), cpu, memcg.source(), summary, victim.source(), reaper);
    return new OomReport(
        new SourceRange(f, 1, 82),
        Optional.of("aks-nodepool1-vmss000000"),
        new LogTime(OptionalDouble.of(36370.036951), Optional.of("2023-12-13T07:23:21"), true),
        Optional.of("5.15.0-1051-azure"),
        true,
        Optional.of(trigger),
        Optional.of(Constraint.CONSTRAINT_MEMCG),
        Optional.of(OomScope.MEMCG),
        Optional.empty(),
        Optional.of("0"),
        Optional.of(pod),
        Optional.of(ctr),
        Optional.of(memcg),
        Optional.empty(),
        tasks,
        Optional.of(victim),
        Optional.empty(),
        Optional.of(true),
        Optional.empty(),
        false,
        Optional.of("Microsoft Corporation Virtual Machine/Virtual Machine"),
        workload,
        lines,
        Optional.of("(null)"),
        Optional.empty(),
        new FactLines(
            Optional.of(cpu),
            Optional.empty(),
            Optional.empty(),
            Optional.of(summary),
            Optional.of(summary),
            Optional.of(summary),
            Optional.empty(),
            Optional.empty(),
            Optional.of(reaper),
            Optional.empty()),
        PAGE);
  }

  static HostMemory hostMemory(
      String file, long n, long freePages, long ramPages, long freeSwapKb, long totalSwapKb) {
    Map<String, Long> c = new LinkedHashMap<>();
    c.put("active_anon", 4_000_000L);
    c.put("inactive_anon", 1_200_000L);
    c.put("active_file", 300L);
    c.put("inactive_file", 500L);
    c.put("shmem", 2_500L);
    c.put("slab_reclaimable", 20_000L);
    c.put("slab_unreclaimable", 12_000L);
    c.put("pagetables", 15_000L);
    c.put("free", freePages);
    c.replaceAll((k, pages) -> pages * PAGE);
    return new HostMemory(
        c,
        List.of(),
        List.of(),
        OptionalLong.of(9000 * PAGE),
        OptionalLong.of(0),
        kbOf(freeSwapKb),
        kbOf(totalSwapKb),
        OptionalLong.of(ramPages * PAGE),
        OptionalLong.of(150_000 * PAGE),
        OptionalLong.empty(),
        OptionalLong.empty(),
        OptionalLong.empty(),
        List.of(),
        line(file, n, "Mem-Info:"),
        Map.of(),
        Map.of(),
        Optional.empty(),
        Optional.empty(),
        List.of());
  }

  /** A RHEL 7 host out of RAM, no constraint printed, sed triggered, mysqld killed (after #001). */
  static OomReport hostWide() {
    String f = "messages";
    Trigger trigger =
        new Trigger(
            "sed",
            OptionalLong.of(29481),
            Optional.of("0x201da"),
            OptionalInt.of(0),
            OptionalInt.of(0),
            line(f, 10, "sed invoked oom-killer: ..."));
    List<TaskRow> tasks = new ArrayList<>();
    String[] names = {"systemd", "sshd", "mysqld", "java", "httpd", "rsyslogd", "crond"};
    long[] rss = {1500, 900, 5_157_063, 310_000, 42_000, 3_000, 400};
    for (int i = 0; i < names.length; i++) {
      tasks.add(row(f, 60 + i, 100 + i * 1000L, rss[i], i == 1 ? -1000 : 0, names[i]));
    }
    Victim victim =
        new Victim(
            6576,
            "mysqld",
            kbOf(33914184),
            kbOf(20629004),
            OptionalLong.of(0),
            OptionalLong.of(0),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalInt.empty(),
            OptionalLong.of(651),
            line(f, 70, "Killed process 6576 (mysqld) total-vm:33914184kB, anon-rss:20629004kB"));
    tasks.set(2, row(f, 62, 6576, 5_157_063, 0, "mysqld"));
    HostMemory mem = hostMemory(f, 20, 33_000, 8_388_094, 0, 0);
    SourceLine cpu =
        line(f, 11, "CPU: 3 PID: 29481 Comm: sed Not tainted 3.10.0-514.6.1.el7.x86_64 #1");
    return new OomReport(
        new SourceRange(f, 10, 70),
        Optional.empty(),
        LogTime.UNKNOWN,
        Optional.of("3.10.0-514.6.1.el7.x86_64"),
        true,
        Optional.of(trigger),
        Optional.empty(),
        Optional.of(OomScope.GLOBAL),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.of(mem),
        tasks,
        Optional.of(victim),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        false,
        Optional.empty(),
        Workload.UNKNOWN,
        List.of(trigger.source(), cpu, mem.source(), victim.source()),
        Optional.empty(),
        Optional.empty(),
        new FactLines(
            Optional.of(cpu),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty()),
        PAGE);
  }

  /** A manual OOM from SysRq-f on an Ubuntu host: order=-1, a kworker triggers (after #013). */
  static OomReport sysrq() {
    String f = "dmesg.txt";
    Trigger trigger =
        new Trigger(
            "kworker/0:2",
            OptionalLong.of(1143),
            Optional.of("0xcc0(GFP_KERNEL)"),
            OptionalInt.of(-1),
            OptionalInt.of(0),
            line(f, 3, "kworker/0:2 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=-1"));
    Victim victim =
        new Victim(
            2114,
            "gnome-shell",
            kbOf(4305000),
            kbOf(210044),
            kbOf(98120),
            kbOf(1032),
            OptionalLong.of(1000),
            kbOf(2100),
            OptionalInt.of(0),
            OptionalLong.empty(),
            line(f, 90, "Out of memory: Killed process 2114 (gnome-shell)"));
    HostMemory mem = hostMemory(f, 20, 1_500_000, 4_194_176, 2_097_148, 2_097_148);
    SourceLine reaper = line(f, 91, "oom_reaper: reaped process 2114 (gnome-shell)");
    return new OomReport(
        new SourceRange(f, 3, 91),
        Optional.empty(),
        mono(8758.722811),
        Optional.of("5.13.0-40-generic"),
        true,
        Optional.of(trigger),
        Optional.of(Constraint.CONSTRAINT_NONE),
        Optional.of(OomScope.GLOBAL),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.of(mem),
        List.of(),
        Optional.of(victim),
        Optional.empty(),
        Optional.of(true),
        Optional.empty(),
        false,
        Optional.empty(),
        Workload.UNKNOWN,
        List.of(trigger.source(), mem.source(), victim.source(), reaper),
        Optional.of("(null)"),
        Optional.empty(),
        new FactLines(
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.of(reaper),
            Optional.empty()),
        PAGE);
  }

  /** panic_on_oom on arm64, and the log ends before the panic's aftermath (after #008). */
  static OomReport panicCutShort() {
    String f = "console.log";
    HostMemory mem = hostMemory(f, 14, 2_800, 1_015_808, 0, 0);
    SourceLine cpu = line(f, 5, "CPU: 0 PID: 77 Comm: app Not tainted 5.4.0-1045-raspi #49");
    SourceLine panic =
        line(
            f,
            40,
            "Kernel panic - not syncing: Out of memory: system-wide" + " panic_on_oom is enabled");
    return new OomReport(
        new SourceRange(f, 5, 40),
        Optional.empty(),
        mono(312.5),
        Optional.of("5.4.0-1045-raspi"),
        false,
        Optional.empty(),
        Optional.empty(),
        Optional.of(OomScope.GLOBAL),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.of(mem),
        List.of(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.of(
            "Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is" + " enabled"),
        false,
        Optional.empty(),
        Workload.UNKNOWN,
        List.of(cpu, mem.source(), panic),
        Optional.empty(),
        Optional.empty(),
        new FactLines(
            Optional.of(cpu),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.of(panic),
            Optional.empty(),
            Optional.empty()),
        PAGE);
  }

  /**
   * A Docker container on cgroup v1 that hit its memory+swap limit: two stat blocks (per-cgroup,
   * not hierarchical), and the victim is a thread missing from the table (after #003).
   */
  static OomReport dockerMemsw() {
    String f = "syslog";
    String cg = "/docker/aa0c055d742e69a7c5056de02bcbefd3e914016a120a0858290cf41acc88507a";
    Trigger trigger =
        new Trigger(
            "java",
            OptionalLong.of(7537),
            Optional.of("0xd0"),
            OptionalInt.of(0),
            OptionalInt.of(0),
            line(f, 1, "java invoked oom-killer: ..."));
    Map<String, Long> own =
        Map.of("cache", 8L << 20, "rss", 100L << 20, "shmem", 1L << 20, "swap", 120L << 20);
    Map<String, Long> child =
        Map.of("cache", 4L << 20, "rss", 12L << 20, "shmem", 0L, "swap", 8L << 20);
    List<MemcgState.StatBlock> blocks =
        List.of(
            new MemcgState.StatBlock(
                cg, own, Map.of(), line(f, 21, "Memory cgroup stats for " + cg)),
            new MemcgState.StatBlock(
                cg + "/child",
                child,
                Map.of(),
                line(f, 22, "Memory cgroup stats for " + cg + "/child")));
    SourceLine taskIn = line(f, 19, "Task in " + cg + " killed as a result of limit of " + cg);
    MemcgState memcg =
        new MemcgState(
            kb(126_000),
            kb(131072),
            OptionalLong.of(0),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            kbOf(262144),
            kbOf(262144),
            OptionalLong.of(1234),
            OptionalLong.of(0),
            kbOf(KiB.UNLIMITED_3X_KB),
            OptionalLong.of(0),
            blocks,
            line(f, 20, "memory: usage 126000kB, limit 131072kB, failcnt 0"),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    Victim victim =
        new Victim(
            7537,
            "java",
            kbOf(3952400),
            kbOf(129696),
            kbOf(12944),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalInt.empty(),
            OptionalLong.of(1001),
            line(f, 30, "Killed process 7537 (java) total-vm:3952400kB, anon-rss:129696kB"));
    Workload workload =
        new Workload(
            Workload.Kind.DOCKER,
            Optional.of(cg),
            Optional.empty(),
            Optional.of("aa0c055d742e69a7c5056de02bcbefd3e914016a120a0858290cf41acc88507a"),
            Optional.of("docker"),
            Optional.empty(),
            Optional.empty(),
            false);
    return new OomReport(
        new SourceRange(f, 1, 30),
        Optional.of("web-01"),
        new LogTime(OptionalDouble.empty(), Optional.of("2015-01-22T10:01:02"), true),
        Optional.of("3.13.0-44-generic"),
        true,
        Optional.of(trigger),
        Optional.empty(),
        Optional.of(OomScope.MEMCG),
        Optional.empty(),
        Optional.empty(),
        Optional.of(cg),
        Optional.of(cg),
        Optional.of(memcg),
        Optional.empty(),
        List.of(row(f, 25, 7493, 32000, 0, "java")),
        Optional.of(victim),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        false,
        Optional.empty(),
        workload,
        List.of(trigger.source(), taskIn, memcg.source(), victim.source()),
        Optional.empty(),
        Optional.empty(),
        new FactLines(
            Optional.empty(),
            Optional.empty(),
            Optional.of(taskIn),
            Optional.empty(),
            Optional.of(taskIn),
            Optional.of(taskIn),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty()),
        PAGE);
  }

  /** A KubeVirt virt-launcher pod on cgroup v2 with memory.oom.group: three tasks die together. */
  static OomReport kubevirtGroupKill() {
    String f = "node.log";
    String pod =
        "/kubepods.slice/kubepods-burstable.slice/"
            + "kubepods-burstable-pod0b2e0a52_1f2d_4c7e_9a3b_5d6e7f809102.slice";
    String ctr =
        pod + "/crio-3f0c9d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e.scope";
    Trigger trigger =
        new Trigger(
            "CPU 1/KVM",
            OptionalLong.of(50210),
            Optional.of("0xcc0(GFP_KERNEL)"),
            OptionalInt.of(0),
            OptionalInt.of(986),
            line(f, 1, "CPU 1/KVM invoked oom-killer: ..."));
    Map<String, Long> stat = new LinkedHashMap<>();
    stat.put("anon", 2_100_000_000L);
    stat.put("file", 40_000_000L);
    stat.put("shmem", 0L);
    stat.put("slab", 9_000_000L);
    stat.put("kernel", 31_000_000L);
    MemcgState memcg =
        new MemcgState(
            kb(2_150_000),
            kb(2_150_000),
            OptionalLong.of(3),
            OptionalLong.of(0),
            OptionalLong.of(0),
            OptionalLong.of(0),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            List.of(
                new MemcgState.StatBlock(
                    ctr, stat, Map.of(), line(f, 13, "Memory cgroup stats for " + ctr + ":"))),
            line(f, 12, "memory: usage 2150000kB, limit 2150000kB, failcnt 3"),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    List<TaskRow> tasks =
        List.of(
            row(f, 40, 50100, 9000, 986, "virt-launcher"),
            row(f, 41, 50150, 7000, 986, "virtqemud"),
            row(f, 42, 50200, 520000, 986, "qemu-kvm"));
    Victim victim =
        new Victim(
            50200,
            "qemu-kvm",
            kbOf(4_000_000),
            kbOf(2_070_000),
            kbOf(10_000),
            OptionalLong.of(0),
            OptionalLong.of(107),
            kbOf(4100),
            OptionalInt.of(986),
            OptionalLong.empty(),
            line(f, 45, "Memory cgroup out of memory: Killed process 50200 (qemu-kvm)"));
    GroupKill group =
        new GroupKill(
            ctr,
            List.of(
                new KilledTask(50100, "virt-launcher", kbOf(30_000), line(f, 46, "Killed ...")),
                new KilledTask(50150, "virtqemud", kbOf(20_000), line(f, 47, "Killed ..."))),
            line(f, 44, "Tasks in " + ctr + " are going to be killed due to memory.oom.group set"));
    SourceLine summary = line(f, 43, "oom-kill:...task_memcg=" + ctr);
    SourceLine reaper = line(f, 48, "oom_reaper: unable to reap pid:50200 (qemu-kvm)");
    Workload workload =
        new Workload(
            Workload.Kind.CONTAINER,
            Optional.of(ctr),
            Optional.of("0b2e0a52-1f2d-4c7e-9a3b-5d6e7f809102"),
            Optional.of("3f0c9d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e"),
            Optional.of("cri-o"),
            Optional.of(Workload.QosClass.Burstable),
            Optional.empty(),
            true);
    return new OomReport(
        new SourceRange(f, 1, 48),
        Optional.of("worker-3"),
        new LogTime(OptionalDouble.of(90061.5), Optional.of("2025-03-02T04:05:06+00:00"), false),
        Optional.of("6.8.0-45-generic"),
        true,
        Optional.of(trigger),
        Optional.of(Constraint.CONSTRAINT_MEMCG),
        Optional.of(OomScope.MEMCG),
        Optional.empty(),
        Optional.empty(),
        Optional.of(ctr),
        Optional.of(ctr),
        Optional.of(memcg),
        Optional.empty(),
        tasks,
        Optional.of(victim),
        Optional.of(group),
        Optional.of(false),
        Optional.empty(),
        false,
        Optional.empty(),
        workload,
        List.of(trigger.source(), memcg.source(), summary, victim.source(), reaper),
        Optional.of("(null)"),
        Optional.empty(),
        new FactLines(
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.of(summary),
            Optional.of(summary),
            Optional.of(summary),
            Optional.empty(),
            Optional.empty(),
            Optional.of(reaper),
            Optional.empty()),
        PAGE);
  }

  /** A vmemmap allocation failure on a Hyper-V guest: not an OOM kill (after #011). */
  static AllocFailure allocFailure() {
    String f = "hyperv.log";
    return new AllocFailure(
        new SourceRange(f, 7, 60),
        Optional.empty(),
        mono(1020.25),
        "kworker/0:3",
        OptionalLong.of(4221),
        9,
        Optional.of("0xcc0(GFP_KERNEL)"),
        "vmemmap alloc",
        Optional.empty(),
        line(f, 7, "kworker/0:3: vmemmap alloc failure: order:9, mode:0xcc0(GFP_KERNEL)"),
        PAGE);
  }
}
