package dev.oomlens.core.rules.analyzers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.model.OomReport;
import java.util.List;
import org.junit.jupiter.api.Test;

class JvmAnalyzerTest {
  private final JvmAnalyzer analyzer = new JvmAnalyzer();

  /**
   * A real 6.18 report: {@code java -Xmx512m} in a 256 MiB cgroup-v1 container; the trigger is the
   * JVM's "VM Thread", the victim the java process.
   */
  @Test
  void analyze_realJvmWithXmxAboveItsLimit() {
    List<Finding> findings = analyzer.analyze(Fixtures.evidence("rules/jvm-xmx-above-limit.kmsg"));

    assertThat(findings)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.code()).isEqualTo("JVM");
              assertThat(f.confidence()).isEqualTo(Confidence.HIGH);
              assertThat(f.summary())
                  .contains(
                      "JVM java (pid 26424)",
                      "of a 256.0 MiB limit",
                      "not a Java OutOfMemoryError");
              // anon-rss 260992kB of 262144kB
              assertThat(f.reasoning())
                  .contains(
                      "254.9 MiB of anon memory",
                      "= 100% of the 256.0 MiB limit",
                      "not a java.lang.OutOfMemoryError");
              // 256 - 10 - 100 - 240 - 250 = negative; compact: 256 - 10 - 100 - 64 - 125 = -43
              assertThat(f.reasoning()).contains("heap none (43.0 MiB short)");
              assertThat(f.logLines())
                  .extracting(l -> l.text().replaceFirst("^[^;]*;", ""))
                  .contains(
                      "VM Thread invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=968",
                      "total_rss 267313152",
                      "memory: usage 262144kB, limit 262144kB, failcnt 37");
              Fixtures.assertCitesRealLines(f);
              // 299 MiB of regions + 256 MiB heap
              assertThat(f.fixes())
                  .extracting(Fix::layer)
                  .containsExactly(Layer.CONTAINER_LIMIT, Layer.JVM, Layer.APPLICATION);
              assertThat(f.fixes().get(0).snippet())
                  .hasValueSatisfying(s -> assertThat(s).contains("memory: \"555Mi\""));
              assertThat(f.fixes().get(1).snippet())
                  .hasValueSatisfying(
                      s ->
                          assertThat(s)
                              .contains(
                                  "-XX:MaxRAMPercentage=46.1 -XX:MaxMetaspaceSize=100M -XX:ReservedCodeCacheSize=64M "
                                      + "-XX:MaxDirectMemorySize=10M -Xss512K"));
            });
  }

  /** Corpus 003 (3.13): the victim pid is a JVM thread; the java row shares its total_vm. */
  @Test
  void analyze_corpusJavaThreadVictim_findsTheProcessRow() {
    List<Finding> findings =
        analyzer.analyze(Fixtures.evidence("corpus/003-ubuntu-3.13-docker-java-memcg-v1.log"));
    assertThat(findings)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.reasoning()).contains("(pid 7537, thread of java pid 7493)");
              assertThat(f.logLines())
                  .extracting(l -> l.text())
                  .anyMatch(
                      t ->
                          t.endsWith(
                              "[ 7493]     0  7493   988100    35660     206        0             0 java"));
              Fixtures.assertCitesRealLines(f);
            });
  }

  /** A 2 GiB limit leaves room: the calculator's defaults with v2 kernel_stack's thread count. */
  @Test
  void analyze_v2JvmWithThreadCountFromKernelStack_printsFlags() {
    List<OomReport> reports =
        Fixtures.text(
            "jvm-v2.log",
            ReportText.memcg(2097152, 2097152)
                .stat("anon", 2000L << 20)
                .stat("file", 40L << 20)
                .stat("kernel_stack", 100L * 16384)
                .stat("shmem", 0)
                .task(900, 900, 510000, 968, "java")
                .victim(900, "java", 2000 * 1024, 40 * 1024, 0)
                .build());
    assertThat(analyzer.analyze(Fixtures.evidence(reports)))
        .singleElement()
        .satisfies(
            f -> {
              // 2048 - 10 - 100 - 240 - 100 x 1 = 1598 MiB = 78.0%
              assertThat(f.reasoning())
                  .contains("100 threads (kernel_stack / 16 KiB)", "heap 1.6 GiB");
              assertThat(f.fixes().get(0).layer()).isEqualTo(Layer.JVM);
              assertThat(f.fixes().get(0).snippet())
                  .hasValueSatisfying(
                      s ->
                          assertThat(s)
                              .contains(
                                  "-XX:MaxRAMPercentage=78.0 -XX:MaxMetaspaceSize=100M -XX:ReservedCodeCacheSize=240M "
                                      + "-XX:MaxDirectMemorySize=10M -Xss1M"));
              Fixtures.assertCitesRealLines(f);
            });
  }

  @Test
  void analyze_nonJvmVictims_areSilent() {
    assertThat(
            analyzer.analyze(
                Fixtures.evidence(
                    "kmsg/containerd-burstable-container.kmsg",
                    "kmsg/guaranteed-tmpfs-shmem.kmsg",
                    "corpus/015-jpaztech-aks-5.15-burstable-pod-cgv2.log",
                    "corpus/001-oomanalyser-rhel7-3.10-host.log")))
        .isEmpty();
  }

  /** Near miss: a small java sidecar killed at a pod limit another container filled. */
  @Test
  void analyze_smallJavaVictimOfAPodLimit_isSilent() {
    List<OomReport> reports =
        Fixtures.text(
            "java-small.log",
            ReportText.memcg(1048576, 1048576)
                .stat("anon", 1000L << 20)
                .stat("file", 20L << 20)
                .stat("shmem", 0)
                .task(800, 800, 230000, 500, "python3")
                .task(900, 900, 30000, 999, "java")
                .victim(900, "java", 118 * 1024, 2 * 1024, 0)
                .victimAdj(999)
                .build());
    assertThat(analyzer.analyze(Fixtures.evidence(reports))).isEmpty();
  }

  /** Near miss: the name alone is not enough; a "java" that is not the big one in a host OOM. */
  @Test
  void analyze_javaNotTheGrowerInHostOom_isSilent() {
    String text =
        KernelMemoryAnalyzerTest.corpus("corpus/018-oomanalyser-arch-6.1-host.log")
            .replace(
                "Out of memory: Killed process 473206 (doxygen) total-vm:30290680kB, "
                    + "anon-rss:9234320kB",
                "Out of memory: Killed process 473257 (java) "
                    + "total-vm:34188204kB, anon-rss:20000kB")
            .replace(
                "8547051     5143   983040     4216           200 chrome",
                "8547051     5143   983040     4216           200 java");
    assertThat(analyzer.analyze(Fixtures.evidence(Fixtures.text("host-java.log", text)))).isEmpty();
  }

  /** A JVM killed by SysRq-f (real Debian 6.1 capture) was the kernel's pick, not a JVM problem. */
  @Test
  void analyze_jvmKilledBySysrq_isNotAJvmFinding() {
    assertThat(analyzer.analyze(Fixtures.evidence("vmlab/sysrq-oom/kmsg.log"))).isEmpty();
  }
}
