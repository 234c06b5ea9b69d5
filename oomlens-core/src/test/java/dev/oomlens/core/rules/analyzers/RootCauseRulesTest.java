package dev.oomlens.core.rules.analyzers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The root-cause rules: codes, documentation pages, and silence on empty evidence. */
class RootCauseRulesTest {
  private static final List<Analyzer> RULES =
      List.of(
          new HugepagesAnalyzer(),
          new JvmAnalyzer(),
          new KernelMemoryAnalyzer(),
          new KubevirtOverheadAnalyzer(),
          new LeakAnalyzer(),
          new PageCacheAnalyzer(),
          new ShmemTmpfsAnalyzer(),
          new TightLimitAnalyzer());

  @Test
  void info_codesAreStableAndDocumented() {
    assertThat(RULES)
        .extracting(a -> a.info().code())
        .containsExactly(
            "HUGEPAGES",
            "JVM",
            "KERNEL-MEMORY",
            "KUBEVIRT-OVERHEAD",
            "LEAK",
            "PAGE-CACHE",
            "SHMEM-TMPFS",
            "TIGHT-LIMIT");
    for (Analyzer a : RULES) {
      assertThat(a.info().summary()).doesNotEndWith(".");
      Path doc = Path.of("..").resolve(a.info().docPath());
      assertThat(doc).as(a.info().code()).exists();
      assertThat(readString(doc)).startsWith("# " + a.info().code() + ":");
    }
  }

  @Test
  void analyze_emptyEvidence_findsNothing() {
    EvidenceSet empty = EvidenceSet.builder().build();
    for (Analyzer a : RULES) {
      assertThat(a.analyze(empty)).as(a.info().code()).isEmpty();
    }
  }

  /** Each finding carries its rule's code, and every cited line stands in its input. */
  @Test
  void analyze_everyFixture_citesRealLinesUnderItsOwnCode() {
    EvidenceSet all =
        Fixtures.evidence(
            "kmsg/containerd-burstable-container.kmsg",
            "kmsg/guaranteed-tmpfs-shmem.kmsg",
            "kmsg/pod-limit-idle-victim.kmsg",
            "kmsg/pod-limit-two-kills.kmsg",
            "kmsg/systemd-service.kmsg",
            "rules/jvm-xmx-above-limit.kmsg",
            "rules/harvester-virt-launcher-5.14.log",
            "rules/harvester-cpu-kvm-5.3.log",
            "corpus/001-oomanalyser-rhel7-3.10-host.log",
            "corpus/003-ubuntu-3.13-docker-java-memcg-v1.log",
            "corpus/004-jasei-fedora-4.8-docker-systemd-memcg.log",
            "corpus/006-icloudnative-k3s-4.15-cgroupfs-burstable-dmesgT.log",
            "corpus/008-panic-on-oom-arm64-5.4.log",
            "corpus/009-lkml-cpuset-movable-node-5.8-docker.log",
            "corpus/010-martins3-openeuler-5.10-host.log",
            "corpus/013-oomanalyser-ubuntu-5.13-sysrq-host.log",
            "corpus/015-jpaztech-aks-5.15-burstable-pod-cgv2.log",
            "corpus/018-oomanalyser-arch-6.1-host.log",
            "corpus/020-ubuntu-6.8-host-journal-priority-filtered.log",
            "corpus/023-lstoakes-5.10-next-qemu-host-lines-cut-at-159.log",
            "corpus/026-cadvisor-fixture-3.13-memcg-v1-mem2.log",
            "corpus/027-cadvisor-fixture-3.13-gce-host.log");
    for (Analyzer a : RULES) {
      a.analyze(all)
          .forEach(
              f -> {
                assertThat(f.code()).isEqualTo(a.info().code());
                assertThat(f.fixes()).isNotEmpty();
                Fixtures.assertCitesRealLines(f);
              });
    }
  }

  private static String readString(Path p) {
    try {
      return Files.readString(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
