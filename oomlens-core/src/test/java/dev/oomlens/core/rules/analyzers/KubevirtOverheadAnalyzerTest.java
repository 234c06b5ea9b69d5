package dev.oomlens.core.rules.analyzers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.rules.Sizes;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The two real reports of seed 001 (Harvester blog, "OOM Killers"); see rules/SOURCE.md. */
class KubevirtOverheadAnalyzerTest {
  private static final String EXAMPLE_1 = "rules/harvester-virt-launcher-5.14.log";
  private static final String EXAMPLE_2 = "rules/harvester-cpu-kvm-5.3.log";
  private final KubevirtOverheadAnalyzer analyzer = new KubevirtOverheadAnalyzer();

  /** virt-launcher triggered; qemu chosen (summary line only, no kill line in the post). */
  @Test
  void analyze_seedExample1_virtLauncherTriggered() {
    List<Finding> findings = analyzer.analyze(Fixtures.evidence(EXAMPLE_1));

    assertThat(findings)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.code()).isEqualTo("KUBEVIRT-OVERHEAD");
              assertThat(f.confidence()).isEqualTo(Confidence.MEDIUM);
              // limit 17024340kB = 16 GiB + 241.3 MiB; helpers 1+6921+25126+8247+3940 pages
              assertThat(f.summary())
                  .isEqualTo(
                      "virt-launcher pod hit its 16.2 GiB limit: 241.3 MiB "
                          + "beside an estimated 16.0 GiB guest, 1.0 GiB needed (helpers 172.8 MiB, qemu 16.0 GiB)");
              // 16384/512 + 220 + 8 + 8 = 268 MiB; 241.3 / 268 = 0.90; 1024 / 268 -> 3.9;
              // reserve what was short: 1024 - 241.3 -> 783 MiB
              assertThat(f.reasoning())
                  .contains(
                      "0.90 x the 268.0 MiB",
                      "below 1.0",
                      "additional-guest-memory-overhead-ratio 3.9",
                      "783.0 MiB of reserved memory",
                      "the kernel killed qemu-system-x86 (pid 39079), that is the VM itself");
              assertThat(f.logLines())
                  .extracting(l -> l.text())
                  .contains(
                      "Feb 03 19:57:08 ** kernel: memory: usage 17024340kB, limit 17024340kB, failcnt 1243",
                      "Feb 03 19:57:08 ** kernel: [ 38934] 0 38934 1200940 25126 954368 0 986 virt-launcher");
              Fixtures.assertCitesRealLines(f);
              assertThat(f.fixes())
                  .extracting(Fix::layer)
                  .containsExactly(Layer.HYPERVISOR, Layer.HYPERVISOR, Layer.POD_SPEC);
              assertThat(f.fixes().get(0).snippet())
                  .hasValueSatisfying(
                      s ->
                          assertThat(s)
                              .startsWith(
                                  "kubectl patch settings.harvesterhci.io additional-guest-memory-overhead-ratio "
                                      + "--type merge -p '{\"value\":\"3.9\"}'"));
              assertThat(f.fixes().get(1).snippet())
                  .hasValue(
                      "kubectl annotate vm <name> -n <namespace> "
                          + "--overwrite harvesterhci.io/reservedMemory=783Mi");
            });
  }

  /** A vCPU thread triggered: "CPU 11/KVM" means at least 12 vCPUs. */
  @Test
  void analyze_seedExample2_vcpuThreadTriggered() {
    List<Finding> findings = analyzer.analyze(Fixtures.evidence(EXAMPLE_2));

    assertThat(findings)
        .singleElement()
        .satisfies(
            f -> {
              // 67579904kB = 64 GiB + 460 MiB; qemu 16718510 pages; helpers 48598 pages
              assertThat(f.summary())
                  .isEqualTo(
                      "virt-launcher pod hit its 64.4 GiB limit: 460.0 MiB "
                          + "beside an estimated 64.0 GiB guest, 1.0 GiB needed (helpers 189.8 MiB, qemu 63.8 GiB)");
              // 65536/512 + 220 + 12 x 8 + 8 = 452 MiB; not guest: 65996 - 65306.7 = 689.3 MiB
              assertThat(f.reasoning())
                  .contains(
                      "12 vCPUs",
                      "1.02 x the 452.0 MiB",
                      "689.3 MiB of the usage was not guest RAM",
                      "ratio 2.3",
                      "564.0 MiB of reserved memory");
              assertThat(f.logLines())
                  .extracting(l -> l.text())
                  .contains(
                      "[Thu May 9 14:52:38 2024] "
                          + "Memory cgroup out of memory: Killed process 70870 (qemu-system-x86) "
                          + "total-vm:73209856kB, anon-rss:66852088kB, file-rss:21948kB, shmem-rss:4kB");
              Fixtures.assertCitesRealLines(f);
              // 64 GiB + (1024 - 460) MiB: the room that was short
              assertThat(f.fixes().get(2).snippet())
                  .hasValueSatisfying(
                      s -> assertThat(s).contains("guest: 65536Mi", "memory: 66100Mi"));
            });
  }

  @Test
  void estimateGuest_wholeGibUnlessQemuHoldsMore() {
    long mi = Sizes.MIB;
    // Harvester's matrix: 2Gi VM at ratio 3.0 -> limit 2Gi + 720Mi
    assertThat(KubevirtOverheadAnalyzer.estimateGuest((2048 + 720) * mi, 1, 2000 * mi))
        .isEqualTo(2048 * mi);
    // a 2.5Gi VM at ratio 1.5 (1.5 x (5 + 220 + 8 + 8) = 362Mi): qemu holds 2.5 GiB, more
    // than 2 GiB + 256 MiB
    assertThat(KubevirtOverheadAnalyzer.estimateGuest((2560 + 362) * mi, 1, 2590 * mi))
        .isEqualTo(2560 * mi);
  }

  @Test
  void analyze_nonKubevirtReports_areSilent() {
    assertThat(
            analyzer.analyze(
                Fixtures.evidence(
                    "kmsg/containerd-burstable-container.kmsg",
                    "kmsg/pod-limit-two-kills.kmsg",
                    "rules/jvm-xmx-above-limit.kmsg",
                    "corpus/015-jpaztech-aks-5.15-burstable-pod-cgv2.log",
                    "corpus/001-oomanalyser-rhel7-3.10-host.log")))
        .isEmpty();
  }

  /** Near miss: qemu in a libvirt VM's own cgroup, no virt-launcher: not KubeVirt's budget. */
  @Test
  void analyze_libvirtQemuWithoutLauncher_isSilent() {
    List<OomReport> reports =
        Fixtures.text(
            "libvirt.log",
            ReportText.memcg(4300000, 4300000)
                .cgroup("/machine.slice/machine-qemu\\x2d1\\x2dvm1.scope/libvirt/emulator")
                .stat("anon", 4200L << 20)
                .stat("file", 10L << 20)
                .stat("shmem", 0)
                .task(100, 100, 1070000, 0, "qemu-system-x86")
                .task(101, 101, 4000, 0, "virtlogd")
                .victim(100, "qemu-system-x86", 4200 * 1024, 10240, 0)
                .build());
    assertThat(reports.get(0).workload().kubevirt()).isFalse();
    assertThat(analyzer.analyze(Fixtures.evidence(reports))).isEmpty();
  }

  /** Near miss: a virt-launcher pod whose usage is far below its limit (a v1 memsw OOM). */
  @Test
  void analyze_launcherPodFarBelowItsLimit_isSilent() {
    String text =
        KernelMemoryAnalyzerTest.corpus(EXAMPLE_2)
            .replace(
                "memory: usage 67579904kB, limit 67579904kB",
                "memory: usage 40000000kB, limit 67579904kB");
    assertThat(analyzer.analyze(Fixtures.evidence(Fixtures.text("below.log", text)))).isEmpty();
  }

  /**
   * Found on a real 6.18 virt-launcher-shaped pod of 96 MiB: the room beside the guest went
   * negative.
   */
  @Test
  void estimateGuest_limitBelowAnyGuestsOverhead_takesQemusRssAndNeverExceedsTheLimit() {
    long mi = 1024 * 1024;

    assertThat(KubevirtOverheadAnalyzer.estimateGuest(96 * mi, 1, 40 * mi)).isEqualTo(40 * mi);
    assertThat(KubevirtOverheadAnalyzer.estimateGuest(96 * mi, 1, 500 * mi)).isEqualTo(96 * mi);
  }
}
