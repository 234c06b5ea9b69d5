package dev.oomlens.host.it;

import static dev.oomlens.host.it.DiagnosisScenarios.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.oomlens.host.it.DiagnosisScenarios.ContainerAtItsLimit;
import dev.oomlens.host.it.DiagnosisScenarios.JvmXmxAboveLimit;
import dev.oomlens.host.it.DiagnosisScenarios.KubepodsBestEffortFirst;
import dev.oomlens.host.it.DiagnosisScenarios.PodSidecarGrows;
import dev.oomlens.host.it.DiagnosisScenarios.TmpfsFillsTheCgroup;
import dev.oomlens.host.it.DiagnosisScenarios.VirtLauncherHelperGrows;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The root-cause engine on real OOM kills of this machine's kernel: each test sets up one of {@link
 * DiagnosisScenarios} with memory cgroups and processes named by copied binaries (so their {@code
 * comm} is real), waits for the kernel to kill, cuts the report out of /dev/kmsg and diagnoses it
 * end to end (core reader, incidents, every registered analyzer), checking which codes fire and
 * which stay silent.
 *
 * <p>Skipped, with the reason printed for each scenario, where the machine cannot do it (not root,
 * no cgroup v1 memory controller, /dev/kmsg unreadable, no perl or JDK). Limits are tens of MiB
 * (128 MiB for the JVM): never a host-wide OOM. Every process joins its cgroup and sets its
 * oom_score_adj (never below 0, which needs CAP_SYS_RESOURCE) before it allocates; the lab kills
 * only the processes it started and removes every cgroup it made. With {@code
 * -Doomlens.kmsg.save=DIR} each report is also written to {@code DIR/<fixture>}, which is how the
 * files {@link RealDiagnosisFixturesTest} reads were made.
 */
@Timeout(120)
class RealKernelDiagnosisTest {
  private static final Duration KILL_WAIT = Duration.ofSeconds(30);
  private static final Path PERL = Path.of("/usr/bin/perl");

  @TempDir Path workDir;
  private KernelLab lab;
  private String scenario;
  private long startNanos;

  @BeforeEach
  void openLab(TestInfo test) {
    scenario = test.getTestMethod().orElseThrow().getName();
    Optional<String> why =
        KernelLab.whyNot()
            .or(() -> Files.isExecutable(PERL) ? Optional.empty() : Optional.of("no " + PERL));
    System.out.println(
        "RealKernelDiagnosisTest: "
            + scenario
            + ": "
            + why.map(w -> "skipped: " + w).orElse("runs on the real kernel"));
    assumeTrue(why.isEmpty(), why.orElse(""));
    lab = new KernelLab(workDir);
    startNanos = System.nanoTime();
  }

  @AfterEach
  void closeLab() throws Exception {
    if (lab != null) {
      lab.close();
      System.out.printf(
          "RealKernelDiagnosisTest: %s: ran in %d ms%n",
          scenario, Duration.ofNanos(System.nanoTime() - startNanos).toMillis());
    }
  }

  @Test
  void containerAtItsOwnLimit() throws Exception {
    String uid = KernelLab.podUid();
    String id = KernelLab.containerId();
    // The systemd cgroup driver's naming; the other scenarios use cgroupfs's.
    String pod = "kubepods-burstable-pod" + uid.replace('-', '_') + ".slice";
    Path cg =
        lab.cgroup(
            "/kubepods.slice/kubepods-burstable.slice/" + pod + "/cri-containerd-" + id + ".scope");
    KernelLab.limit(cg, ContainerAtItsLimit.LIMIT_MIB * MIB);
    Path hog = lab.binary("/usr/bin/tail", ContainerAtItsLimit.HOG);
    long before = KernelLab.lastSequence();

    Process p = lab.start(cg, ContainerAtItsLimit.ADJ, hog.toString(), "/dev/zero");
    assertThat(KernelLab.awaitExit(p, KILL_WAIT)).isEqualTo(137);

    ContainerAtItsLimit.check(diagnose(ContainerAtItsLimit.FIXTURE, before, p.pid()));
  }

  @Test
  void podLimit_growingSidecarGetsIdleAppKilled() throws Exception {
    String podPath = "/kubepods/burstable/pod" + KernelLab.podUid();
    Path podCg = lab.cgroup(podPath);
    Path appCg = lab.cgroup(podPath + "/" + KernelLab.containerId());
    Path sidecarCg = lab.cgroup(podPath + "/" + KernelLab.containerId());
    KernelLab.limit(podCg, PodSidecarGrows.LIMIT_MIB * MIB);
    long before = KernelLab.lastSequence();

    Process app =
        holder(appCg, PodSidecarGrows.APP, PodSidecarGrows.APP_ADJ, PodSidecarGrows.APP_HOLDS_MIB);
    grower(
        sidecarCg,
        PodSidecarGrows.SIDECAR,
        PodSidecarGrows.SIDECAR_ADJ,
        PodSidecarGrows.SIDECAR_GROWS_TO_MIB);
    assertThat(KernelLab.awaitKilled(app, before, KILL_WAIT)).isEqualTo(137);

    PodSidecarGrows.check(diagnose(PodSidecarGrows.FIXTURE, before, app.pid()));
  }

  @Test
  void tmpfsFillsTheCgroup() throws Exception {
    Path cg =
        lab.cgroup("/kubepods/burstable/pod" + KernelLab.podUid() + "/" + KernelLab.containerId());
    KernelLab.limit(cg, TmpfsFillsTheCgroup.LIMIT_MIB * MIB);
    Path shm = lab.tmpfs("shm", 64 * MIB);
    Path writer = lab.binary("/usr/bin/dd", TmpfsFillsTheCgroup.WRITER);
    Path hog = lab.binary("/usr/bin/tail", TmpfsFillsTheCgroup.HOG);
    long before = KernelLab.lastSequence();

    // tmpfs pages stay charged to the cgroup of the writer after it exits.
    Process fill =
        lab.start(
            cg,
            TmpfsFillsTheCgroup.ADJ,
            writer.toString(),
            "if=/dev/zero",
            "of=" + shm.resolve("spool"),
            "bs=1M",
            "count=" + TmpfsFillsTheCgroup.TMPFS_MIB,
            "status=none");
    assertThat(KernelLab.awaitExit(fill, Duration.ofSeconds(10))).isZero();
    Process p = lab.start(cg, TmpfsFillsTheCgroup.ADJ, hog.toString(), "/dev/zero");
    assertThat(KernelLab.awaitExit(p, KILL_WAIT)).isEqualTo(137);

    TmpfsFillsTheCgroup.check(diagnose(TmpfsFillsTheCgroup.FIXTURE, before, p.pid()));
  }

  @Test
  void jvmWithXmxAboveItsLimit() throws Exception {
    Optional<Path> java = KernelLab.javaLauncher();
    assumeTrue(java.isPresent(), "no JDK");
    Path classes = lab.compileJava(JvmXmxAboveLimit.CLASS, JvmXmxAboveLimit.SOURCE);
    Path cg =
        lab.cgroup("/kubepods/burstable/pod" + KernelLab.podUid() + "/" + KernelLab.containerId());
    KernelLab.limit(cg, JvmXmxAboveLimit.LIMIT_MIB * MIB);
    Path stderr = workDir.resolve("java.stderr");
    long before = KernelLab.lastSequence();

    Process p =
        lab.start(
            cg,
            JvmXmxAboveLimit.ADJ,
            ProcessBuilder.Redirect.to(stderr.toFile()),
            java.get().toString(),
            JvmXmxAboveLimit.XMX,
            "-cp",
            classes.toString(),
            JvmXmxAboveLimit.CLASS);
    assertThat(KernelLab.awaitExit(p, KILL_WAIT)).as("exit status of the JVM").isEqualTo(137);
    // Killed by the kernel: the JVM had no chance to throw or print anything.
    assertThat(Files.readString(stderr, StandardCharsets.UTF_8)).doesNotContain("OutOfMemoryError");

    JvmXmxAboveLimit.check(diagnose(JvmXmxAboveLimit.FIXTURE, before, p.pid()));
  }

  @Test
  void kubepodsLimit_bestEffortDiesBeforeTheGrower() throws Exception {
    // Under a root of the lab's own: a limit on this machine's /kubepods could kill tasks that
    // are not the test's.
    String kubepods = KernelLab.privateRoot() + "/kubepods";
    Path kubepodsCg = lab.cgroup(kubepods);
    Path bestEffortCg =
        lab.cgroup(
            kubepods + "/besteffort/pod" + KernelLab.podUid() + "/" + KernelLab.containerId());
    Path burstableCg =
        lab.cgroup(
            kubepods + "/burstable/pod" + KernelLab.podUid() + "/" + KernelLab.containerId());
    KernelLab.limit(kubepodsCg, KubepodsBestEffortFirst.LIMIT_MIB * MIB);
    long before = KernelLab.lastSequence();

    Process bestEffort =
        holder(
            bestEffortCg,
            KubepodsBestEffortFirst.BEST_EFFORT,
            KubepodsBestEffortFirst.BEST_EFFORT_ADJ,
            KubepodsBestEffortFirst.BEST_EFFORT_HOLDS_MIB);
    grower(
        burstableCg,
        KubepodsBestEffortFirst.GROWER,
        KubepodsBestEffortFirst.GROWER_ADJ,
        KubepodsBestEffortFirst.GROWER_GROWS_TO_MIB);
    assertThat(KernelLab.awaitKilled(bestEffort, before, KILL_WAIT)).isEqualTo(137);

    KubepodsBestEffortFirst.check(
        diagnose(KubepodsBestEffortFirst.FIXTURE, before, bestEffort.pid()));
  }

  @Test
  void virtLauncher_helperGrowsAndQemuIsKilled() throws Exception {
    Path cg =
        lab.cgroup("/kubepods/burstable/pod" + KernelLab.podUid() + "/" + KernelLab.containerId());
    KernelLab.limit(cg, VirtLauncherHelperGrows.LIMIT_MIB * MIB);
    int adj = VirtLauncherHelperGrows.ADJ;
    long before = KernelLab.lastSequence();

    // As in a virt-launcher compute container: the monitor, the launcher, the libvirt daemons
    // and qemu, all with the container's adj.
    for (String helper :
        new String[] {
          VirtLauncherHelperGrows.MONITOR,
          VirtLauncherHelperGrows.LAUNCHER,
          VirtLauncherHelperGrows.VIRTLOGD
        }) {
      holder(cg, helper, adj, 0);
    }
    Process qemu =
        holder(cg, VirtLauncherHelperGrows.QEMU, adj, VirtLauncherHelperGrows.QEMU_HOLDS_MIB);
    grower(cg, VirtLauncherHelperGrows.VIRTQEMUD, adj, VirtLauncherHelperGrows.HELPER_GROWS_TO_MIB);
    assertThat(KernelLab.awaitKilled(qemu, before, KILL_WAIT)).isEqualTo(137);

    VirtLauncherHelperGrows.check(diagnose(VirtLauncherHelperGrows.FIXTURE, before, qemu.pid()));
  }

  /** A perl copied as {@code name} that takes {@code mib} MiB at once, says ready and sleeps. */
  private Process holder(Path cg, String name, int adj, long mib) throws Exception {
    Path bin = lab.binary(PERL.toString(), name);
    // The size comes from the command line: a constant would be folded at compile time and
    // then copied, doubling what the process holds.
    Process p =
        lab.start(
            cg,
            adj,
            bin.toString(),
            "-e",
            "$| = 1; my $x = 'a' x ($ARGV[0] << 20); print \"ready\\n\"; sleep 600",
            Long.toString(mib));
    KernelLab.awaitOutput(p, "ready", Duration.ofSeconds(10));
    return p;
  }

  /** A perl copied as {@code name} that takes 1 MiB at a time up to {@code mib}, then sleeps. */
  private void grower(Path cg, String name, int adj, long mib) throws Exception {
    Path bin = lab.binary(PERL.toString(), name);
    lab.start(
        cg,
        adj,
        bin.toString(),
        "-e",
        "$| = 1; my @a; push @a, 'g' x ($ARGV[1] << 20) for 1 .. $ARGV[0];"
            + " print \"grown\\n\"; sleep 600",
        Long.toString(mib),
        "1");
  }

  /**
   * Waits for the kill of {@code victimPid}, checks it was the scenario's first, cuts its report
   * and diagnoses it. A process that outlived the victim may be killed after it, by a second OOM
   * while the victim's pages are still being freed (the kernel's race, seen on loaded machines):
   * that kill is the kernel's, not the report's, so it is not held against the scenario.
   */
  private static Diagnosis diagnose(String fixture, long afterSequence, long victimPid)
      throws Exception {
    String log = KernelLab.awaitKill(afterSequence, victimPid, KILL_WAIT);
    assertThat(KernelLab.killedPids(log)).as("the kernel's kills, in order").startsWith(victimPid);
    String report = KernelLab.reportOf(log, victimPid);
    KernelLab.saveReport(fixture.replace(".kmsg", ""), report);
    return Diagnosis.of(fixture, report, LocalDate.now());
  }
}
