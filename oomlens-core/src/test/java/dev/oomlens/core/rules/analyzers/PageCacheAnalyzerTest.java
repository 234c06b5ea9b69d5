package dev.oomlens.core.rules.analyzers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.model.OomReport;
import java.util.List;
import org.junit.jupiter.api.Test;

class PageCacheAnalyzerTest {
  private final PageCacheAnalyzer analyzer = new PageCacheAnalyzer();

  /** Seed 004 pattern D: anon 100 MB, file 400 MB in a 500 MB cgroup, much of it dirty. */
  @Test
  void analyze_seedPatternD_v2Keys() {
    List<OomReport> reports =
        Fixtures.text(
            "pattern-d.log",
            ReportText.memcg(512000, 512000)
                .stat("anon", 104857600)
                .stat("file", 419430400)
                .stat("kernel_stack", 65536)
                .stat("pagetables", 1212416)
                .stat("shmem", 0)
                .stat("file_mapped", 8388608)
                .stat("file_dirty", 125829120)
                .stat("file_writeback", 20971520)
                .victim(4242, "transcoder", 102400, 8192, 0)
                .build());
    List<Finding> findings = analyzer.analyze(Fixtures.evidence(reports));

    assertThat(findings)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.code()).isEqualTo("PAGE-CACHE");
              assertThat(f.confidence()).isEqualTo(Confidence.HIGH);
              assertThat(f.summary()).contains("400.0 MiB (80%)", "anon only 100.0 MiB");
              assertThat(f.reasoning())
                  .contains(
                      "140.0 MiB dirty or under writeback (35% of the cache)",
                      "8.0 MiB was mapped");
              assertThat(f.logLines())
                  .extracting(l -> l.text().replaceFirst("^\\[[^]]*\\] ", ""))
                  .contains(
                      "file 419430400",
                      "anon 104857600",
                      "file_dirty 125829120",
                      "file_writeback 20971520",
                      "file_mapped 8388608");
              Fixtures.assertCitesRealLines(f);
              assertThat(f.fixes())
                  .extracting(Fix::layer)
                  .containsExactly(
                      Layer.APPLICATION, Layer.POD_SPEC, Layer.CONTAINER_LIMIT, Layer.NODE);
              // the one sizing policy: 1.5 x the 500 MiB it held
              assertThat(f.fixes().get(2).snippet())
                  .hasValueSatisfying(s -> assertThat(s).contains("memory: \"750Mi\""));
              // background 500 MiB / 8 = 62.5 MiB, hard / 4 = 125 MiB
              assertThat(f.fixes().get(3).snippet())
                  .hasValue(
                      "sysctl -w vm.dirty_background_bytes=65536000 vm.dirty_bytes=131072000");
            });
  }

  /** The one-line v1 format of 4.x kernels: the pod's subtree is the sum of its lines. */
  @Test
  void analyze_v1OneLinePerCgroup_sumsTheSubtree() {
    String pod = "/kubepods/burstable/podbc001ffa-68fc-11e9-92d7-5ef9efd9374c";
    String c = pod + "/a2ed67c63e828da3849bf9f506ae2b36b4dac5b402a57f2981c9bdc07b23e672";
    String p = "[Sat Apr 27 22:56:09 2019] ";
    String text =
        p
            + "sh invoked oom-killer: gfp_mask=0x14000c0(GFP_KERNEL), nodemask=(null), "
            + "order=0, oom_score_adj=939\n"
            + p
            + "sh cpuset=a2ed67c63e82 mems_allowed=0\n"
            + p
            + "CPU: 0 PID: 32332 Comm: sh Not tainted 4.15.0-46-generic #49-Ubuntu\n"
            + p
            + "Task in "
            + c
            + " killed as a result of limit of "
            + pod
            + "\n"
            + p
            + "memory: usage 524288kB, limit 524288kB, failcnt 3632\n"
            + p
            + "memory+swap: usage 0kB, limit 9007199254740988kB, failcnt 0\n"
            + p
            + "kmem: usage 2352kB, limit 9007199254740988kB, failcnt 0\n"
            + p
            + "Memory cgroup stats for "
            + pod
            + ": cache:0KB rss:0KB rss_huge:0KB shmem:0KB "
            + "mapped_file:0KB dirty:0KB writeback:0KB inactive_anon:0KB active_anon:0KB "
            + "inactive_file:0KB active_file:0KB unevictable:0KB\n"
            + p
            + "Memory cgroup stats for "
            + c
            + ": cache:380000KB rss:140000KB rss_huge:0KB "
            + "shmem:0KB mapped_file:2000KB dirty:90000KB writeback:0KB inactive_anon:0KB "
            + "active_anon:140000KB inactive_file:300000KB active_file:80000KB unevictable:0KB\n"
            + p
            + "[ pid ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name\n"
            + p
            + "[32308]     0 32308    97661    35000   253952        0           939 backup\n"
            + p
            + "Memory cgroup out of memory: Kill process 32308 (backup) score 1718 or sacrifice "
            + "child\n"
            + p
            + "Killed process 32308 (backup) total-vm:390644kB, anon-rss:139620kB, "
            + "file-rss:192kB, shmem-rss:0kB\n";
    List<OomReport> reports = Fixtures.text("v1-oneline.log", text);
    List<Finding> findings = analyzer.analyze(Fixtures.evidence(reports));

    assertThat(findings)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.summary()).contains("371.1 MiB (72%)");
              assertThat(f.reasoning()).contains("On cgroup v1 the dirty limits are the host's");
              assertThat(f.logLines())
                  .filteredOn(l -> l.text().contains("Memory cgroup stats for"))
                  .hasSize(2);
              Fixtures.assertCitesRealLines(f);
            });
  }

  @Test
  void analyze_anonOrTmpfsFilledReports_areSilent() {
    assertThat(
            analyzer.analyze(
                Fixtures.evidence(
                    "kmsg/containerd-burstable-container.kmsg",
                    "kmsg/guaranteed-tmpfs-shmem.kmsg",
                    "kmsg/pod-limit-two-kills.kmsg",
                    "corpus/015-jpaztech-aks-5.15-burstable-pod-cgv2.log",
                    "corpus/006-icloudnative-k3s-4.15-cgroupfs-burstable-dmesgT.log",
                    "corpus/001-oomanalyser-rhel7-3.10-host.log",
                    "corpus/010-martins3-openeuler-5.10-host.log")))
        .isEmpty();
  }

  /** Near miss: 45% cache is a lot, but anon (50%) is what filled the cgroup. */
  @Test
  void analyze_cacheLargeButAnonLarger_isSilent() {
    List<OomReport> reports =
        Fixtures.text(
            "cache-45.log",
            ReportText.memcg(512000, 512000)
                .stat("anon", 250L << 20)
                .stat("file", 225L << 20)
                .stat("shmem", 0)
                .stat("file_dirty", 50L << 20)
                .victim(4242, "app", 250 * 1024, 2048, 0)
                .build());
    assertThat(analyzer.analyze(Fixtures.evidence(reports))).isEmpty();
  }

  /** Near miss: tmpfs is page cache too, but it is not reclaimable cache: file - shmem is small. */
  @Test
  void analyze_fileIsMostlyShmem_isSilent() {
    List<OomReport> reports =
        Fixtures.text(
            "file-shmem.log",
            ReportText.memcg(512000, 512000)
                .stat("anon", 100L << 20)
                .stat("file", 400L << 20)
                .stat("shmem", 380L << 20)
                .victim(4242, "app", 100 * 1024, 2048, 0)
                .build());
    assertThat(analyzer.analyze(Fixtures.evidence(reports))).isEmpty();
  }
}
