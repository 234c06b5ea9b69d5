package dev.oomlens.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.TaskRow;
import dev.oomlens.core.model.Workload;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The six real-kernel scenarios of the root-cause engine: how each is set up (names, sizes,
 * oom_score_adj) and what its diagnosis must show. {@link RealKernelDiagnosisTest} makes them
 * happen on the running kernel; {@link RealDiagnosisFixturesTest} checks the same expectations on
 * the reports saved from such runs, so both hold the engine to one standard.
 *
 * <p>Every expectation follows from the setup and the kernel's rules, not from the engine's output:
 * the limit that was set, who held what, whose adj was higher.
 */
final class DiagnosisScenarios {
  static final long MIB = 1024 * 1024;

  private DiagnosisScenarios() {}

  /** A container (systemd cgroup driver) whose one process fills its own limit with anon. */
  static final class ContainerAtItsLimit {
    static final String NAME = "container at its own limit";
    static final String FIXTURE = "diagnosis-container-limit.kmsg";
    static final long LIMIT_MIB = 40;
    static final String HOG = "orders-api";
    static final int ADJ = 872;

    static void check(Diagnosis d) {
      OomReport r = d.report();
      assertThat(r.victim().orElseThrow().comm()).isEqualTo(HOG);
      assertThat(r.workload().kind()).isEqualTo(Workload.Kind.CONTAINER);
      assertThat(r.workload().qosClass()).contains(Workload.QosClass.Burstable);
      d.expect(NAME)
          .fires(
              "MEMCG-LIMIT",
              f -> {
                assertThat(f.summary())
                    .as("level")
                    .startsWith(
                        "The container "
                            + r.workload().containerId().orElseThrow().substring(0, 12)
                            + " of pod ");
                assertThat(f.summary()).contains("hit its memory limit of " + LIMIT_MIB + ".0 MiB");
                assertThat(f.reasoning()).contains("of a " + LIMIT_MIB * 1024 + " kB limit");
                // the one sizing policy: 1.5x what the cgroup held at the kill, which is at least
                // its limit
                assertThat(f.fixes())
                    .flatExtracting(x -> x.limit().stream().toList())
                    .singleElement()
                    .satisfies(
                        c ->
                            assertThat(c.newBytes())
                                .isBetween(LIMIT_MIB * MIB * 3 / 2, LIMIT_MIB * MIB * 2));
              })
          // One report cannot tell a spike from growth: a tight limit may be named, growth not.
          .mayFire(
              "TIGHT-LIMIT",
              f -> assertThat(f.summary() + f.reasoning()).containsPattern(sizePattern(LIMIT_MIB)))
          .silent(
              "NODE-ALLOCATABLE",
              "SHMEM-TMPFS",
              "PAGE-CACHE",
              "KERNEL-MEMORY",
              "LEAK",
              "VICTIM-NOT-GROWER",
              "QOS-ORDER",
              "HOST-EXHAUSTED",
              "JVM",
              "KUBEVIRT-OVERHEAD")
          .verify();
    }
  }

  /** A pod limit: a growing sidecar gets an idle app, with a higher adj, killed first. */
  static final class PodSidecarGrows {
    static final String NAME = "pod limit, growing sidecar, idle app killed";
    static final String FIXTURE = "diagnosis-pod-sidecar.kmsg";
    static final long LIMIT_MIB = 48;
    static final String APP = "checkout-app";
    static final int APP_ADJ = 999;
    static final long APP_HOLDS_MIB = 16;
    static final String SIDECAR = "log-shipper";
    static final int SIDECAR_ADJ = 500;
    // Room beside the sidecar once the app is gone. It may still die second, by an OOM a few ms
    // after the first while the app's pages are being freed; the test does not count on it living.
    static final long SIDECAR_GROWS_TO_MIB = 36;

    static void check(Diagnosis d) {
      OomReport r = d.report();
      assertThat(r.victim().orElseThrow().comm()).isEqualTo(APP);
      assertThat(r.trigger().orElseThrow().comm()).isEqualTo(SIDECAR);
      assertThat(r.workload().podUid()).isPresent();
      d.expect(NAME)
          .fires(
              "MEMCG-LIMIT",
              f -> {
                assertThat(f.summary())
                    .as("level")
                    .isEqualTo(
                        "Pod "
                            + r.workload().podUid().get()
                            + " (all its containers) hit its memory limit of "
                            + LIMIT_MIB
                            + ".0 MiB");
                assertThat(f.reasoning()).contains("oom_memcg is the pod cgroup");
              })
          .fires(
              "VICTIM-NOT-GROWER",
              f -> {
                assertThat(f.summary())
                    .startsWith(APP + " was killed but " + SIDECAR + " took the memory (");
                // The sidecar held what the app left of the limit, give or take the interpreter:
                // rss counts perl's mapped files (some 5 MiB) in each process, charged only once.
                assertThat(mib(f.summary(), "took the memory \\((\\d+)(?:\\.\\d)? MiB\\)"))
                    .isBetween(LIMIT_MIB - APP_HOLDS_MIB - 8, LIMIT_MIB - APP_HOLDS_MIB + 8);
              })
          .fires(
              "QOS-ORDER",
              f ->
                  assertThat(f.summary())
                      .isEqualTo(
                          APP
                              + " (oom_score_adj "
                              + APP_ADJ
                              + ") was killed before "
                              + SIDECAR
                              + " (oom_score_adj "
                              + SIDECAR_ADJ
                              + "), which held more"))
          .silent(
              "NODE-ALLOCATABLE",
              "SHMEM-TMPFS",
              "PAGE-CACHE",
              "KERNEL-MEMORY",
              "LEAK",
              "HOST-EXHAUSTED",
              "JVM",
              "KUBEVIRT-OVERHEAD")
          .verify();
    }
  }

  /** A container whose limit is mostly taken by a tmpfs file written earlier. */
  static final class TmpfsFillsTheCgroup {
    static final String NAME = "cgroup filled by tmpfs";
    static final String FIXTURE = "diagnosis-tmpfs.kmsg";
    static final long LIMIT_MIB = 32;
    static final long TMPFS_MIB = 20;
    static final String WRITER = "cache-writer";
    static final String HOG = "report-gen";
    static final int ADJ = 900;

    static void check(Diagnosis d) {
      OomReport r = d.report();
      assertThat(r.victim().orElseThrow().comm()).isEqualTo(HOG);
      assertThat(r.memcg().orElseThrow().stat().get("shmem")).isEqualTo(TMPFS_MIB * MIB);
      d.expect(NAME)
          .fires(
              "SHMEM-TMPFS",
              f ->
                  assertThat(f.summary() + " " + f.reasoning())
                      .containsPattern(sizePattern(TMPFS_MIB)))
          .fires(
              "MEMCG-LIMIT",
              f ->
                  assertThat(f.summary())
                      .startsWith("The container ")
                      .contains("of " + LIMIT_MIB + ".0 MiB"))
          // The cache is all tmpfs: page cache proper is nil, and the anon is a third of the
          // limit, so neither a cache problem nor a tight limit.
          .silent(
              "PAGE-CACHE",
              "TIGHT-LIMIT",
              "LEAK",
              "NODE-ALLOCATABLE",
              "KERNEL-MEMORY",
              "VICTIM-NOT-GROWER",
              "QOS-ORDER",
              "HOST-EXHAUSTED",
              "JVM",
              "KUBEVIRT-OVERHEAD")
          .verify();
    }
  }

  /** A JVM with -Xmx above its cgroup limit, keeping byte arrays until the kernel kills it. */
  static final class JvmXmxAboveLimit {
    static final String NAME = "JVM with -Xmx above its limit";
    static final String FIXTURE = "diagnosis-jvm-xmx.kmsg";
    static final long LIMIT_MIB = 128;
    static final String XMX = "-Xmx512m";
    static final int ADJ = 968;
    static final String CLASS = "Hoard";
    static final String SOURCE =
        """
        import java.util.ArrayList;
        import java.util.List;

        /** Keeps 1 MiB arrays, touched page by page, until the heap's 512 MiB would be full. */
        public class Hoard {
          public static void main(String[] args) throws Exception {
            List<byte[]> kept = new ArrayList<>();
            for (int i = 0; i < 480; i++) {
              byte[] b = new byte[1 << 20];
              for (int j = 0; j < b.length; j += 4096) {
                b[j] = 1;
              }
              kept.add(b);
            }
            System.out.println("survived " + kept.size() + " MiB");
            Thread.sleep(600_000);
          }
        }
        """;

    static void check(Diagnosis d) {
      OomReport r = d.report();
      assertThat(r.victim().orElseThrow().comm()).isEqualTo("java");
      assertThat(r.victim().orElseThrow().anonRssBytes().orElseThrow())
          .isGreaterThan(LIMIT_MIB * 1024 * 1024 / 2);
      d.expect(NAME)
          .fires(
              "JVM",
              f -> {
                assertThat(f.summary() + " " + f.reasoning())
                    .contains("java")
                    .contains("OutOfMemoryError");
                assertThat(f.fixes())
                    .as("a fix at the JVM layer with flags")
                    .anySatisfy(
                        x -> {
                          assertThat(x.layer()).isEqualTo(Layer.JVM);
                          assertThat(x.snippet())
                              .hasValueSatisfying(s -> assertThat(s).contains("-X"));
                        });
              })
          .fires(
              "MEMCG-LIMIT",
              f ->
                  assertThat(f.summary())
                      .startsWith("The container ")
                      .contains("of " + LIMIT_MIB + ".0 MiB"))
          // The trigger is often a JVM thread (a GC or compiler thread of the same process):
          // that is no sign of another task holding the memory.
          .silent(
              "VICTIM-NOT-GROWER",
              "QOS-ORDER",
              "SHMEM-TMPFS",
              "PAGE-CACHE",
              "LEAK",
              "NODE-ALLOCATABLE",
              "HOST-EXHAUSTED",
              "KUBEVIRT-OVERHEAD")
          .verify();
    }
  }

  /** The kubepods level limited: a BestEffort pod dies before the Burstable pod that grew. */
  static final class KubepodsBestEffortFirst {
    static final String NAME = "kubepods limit, BestEffort killed before the grower";
    static final String FIXTURE = "diagnosis-kubepods-besteffort.kmsg";
    static final long LIMIT_MIB = 64;
    static final String BEST_EFFORT = "batch-worker";
    static final int BEST_EFFORT_ADJ = 1000;
    static final long BEST_EFFORT_HOLDS_MIB = 24;
    static final String GROWER = "web-frontend";
    static final int GROWER_ADJ = 600;
    // Room beside the grower once the BestEffort task is gone. It may still die second (see
    // PodSidecarGrows); the test does not count on it living.
    static final long GROWER_GROWS_TO_MIB = 46;

    static void check(Diagnosis d) {
      OomReport r = d.report();
      assertThat(r.victim().orElseThrow().comm()).isEqualTo(BEST_EFFORT);
      assertThat(r.workload().qosClass()).contains(Workload.QosClass.BestEffort);
      assertThat(r.oomMemcg().orElseThrow()).endsWith("/kubepods");
      assertThat(r.tasks()).extracting(TaskRow::comm).contains(BEST_EFFORT, GROWER);
      d.expect(NAME)
          .fires(
              "NODE-ALLOCATABLE",
              f ->
                  assertThat(f.summary())
                      .startsWith(
                          "The node's pods together hit the node allocatable limit of "
                              + LIMIT_MIB
                              + ".0 MiB"))
          .fires(
              "QOS-ORDER",
              f -> {
                assertThat(f.summary())
                    .isEqualTo(
                        BEST_EFFORT
                            + " (oom_score_adj "
                            + BEST_EFFORT_ADJ
                            + ") was killed before "
                            + GROWER
                            + " (oom_score_adj "
                            + GROWER_ADJ
                            + "), which held more");
                assertThat(f.reasoning()).contains("BestEffort");
              })
          .mayFire(
              "VICTIM-NOT-GROWER",
              f -> assertThat(f.summary()).startsWith(BEST_EFFORT + " was killed but " + GROWER))
          // No pod hit a limit of its own, and the kubepods limit is no workload's to raise.
          .silent(
              "MEMCG-LIMIT",
              "TIGHT-LIMIT",
              "SHMEM-TMPFS",
              "PAGE-CACHE",
              "KERNEL-MEMORY",
              "LEAK",
              "HOST-EXHAUSTED",
              "JVM",
              "KUBEVIRT-OVERHEAD")
          .verify();
    }
  }

  /** A virt-launcher-shaped compute container: a helper grows and qemu, the largest, dies. */
  static final class VirtLauncherHelperGrows {
    static final String NAME = "virt-launcher pod, helper grows, qemu killed";
    static final String FIXTURE = "diagnosis-virt-launcher.kmsg";
    static final long LIMIT_MIB = 80;
    static final int ADJ = 2;
    static final long QEMU_HOLDS_MIB = 44;
    static final long HELPER_GROWS_TO_MIB = 48;

    /** Binary names; the kernel cuts comm to 15 characters. */
    static final String MONITOR = "virt-launcher-monitor";

    static final String LAUNCHER = "virt-launcher";
    static final String VIRTLOGD = "virtlogd";
    static final String VIRTQEMUD = "virtqemud";
    static final String QEMU = "qemu-system-x86_64";
    static final String QEMU_COMM = "qemu-system-x86";

    static void check(Diagnosis d) {
      OomReport r = d.report();
      assertThat(r.victim().orElseThrow().comm()).isEqualTo(QEMU_COMM);
      assertThat(r.trigger().orElseThrow().comm()).isEqualTo(VIRTQEMUD);
      assertThat(r.tasks())
          .extracting(TaskRow::comm)
          .containsExactlyInAnyOrder("virt-launcher-m", LAUNCHER, VIRTLOGD, VIRTQEMUD, QEMU_COMM);
      assertThat(r.workload().kubevirt()).as("workload kubevirt").isTrue();
      d.expect(NAME)
          .fires(
              "KUBEVIRT-OVERHEAD",
              f ->
                  assertThat(f.summary() + " " + f.reasoning())
                      .contains(QEMU_COMM)
                      .containsPattern(sizePattern(LIMIT_MIB)))
          .mayFire("MEMCG-LIMIT", f -> assertThat(f.summary()).startsWith("The container "))
          // KubeVirt computes this limit: raising a "tight" one by hand is not the fix, and all
          // tasks share one adj, so size alone chose qemu.
          .silent(
              "TIGHT-LIMIT",
              "QOS-ORDER",
              "NODE-ALLOCATABLE",
              "SHMEM-TMPFS",
              "PAGE-CACHE",
              "KERNEL-MEMORY",
              "LEAK",
              "HOST-EXHAUSTED",
              "JVM")
          .verify();
    }
  }

  /** A size of {@code mib} MiB as a finding may write it: 40 MiB, 40.0 MiB, 40Mi, 40960 kB. */
  static Pattern sizePattern(long mib) {
    return Pattern.compile(
        "(?<![\\d.])("
            + mib
            + "(\\.0)? ?Mi(B)?|"
            + mib * 1024
            + " ?kB|"
            + mib * MIB
            + ")(?![\\d.])");
  }

  private static long mib(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertThat(m.find()).as("'%s' in '%s'", regex, text).isTrue();
    return Long.parseLong(m.group(1));
  }
}
