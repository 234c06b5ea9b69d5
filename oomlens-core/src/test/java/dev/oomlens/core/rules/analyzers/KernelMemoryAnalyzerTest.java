package dev.oomlens.core.rules.analyzers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.model.OomReport;
import java.util.List;
import org.junit.jupiter.api.Test;

class KernelMemoryAnalyzerTest {
  private static final String ARCH_HOST = "corpus/018-oomanalyser-arch-6.1-host.log";
  private final KernelMemoryAnalyzer analyzer = new KernelMemoryAnalyzer();

  @Test
  void analyze_v2SlabAndStacksDominate_countsThreads() {
    List<OomReport> reports =
        Fixtures.text(
            "kmem-v2.log",
            ReportText.memcg(262144, 262144)
                .stat("anon", 60L << 20)
                .stat("file", 10L << 20)
                .stat("kernel_stack", 64L << 20)
                .stat("pagetables", 6L << 20)
                .stat("sock", 2L << 20)
                .stat("shmem", 0)
                .stat("slab_reclaimable", 10L << 20)
                .stat("slab_unreclaimable", 100L << 20)
                .stat("slab", 110L << 20)
                .victim(4242, "threadpool", 60 * 1024, 1024, 0)
                .build());
    List<Finding> findings = analyzer.analyze(Fixtures.evidence(reports));

    assertThat(findings)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.code()).isEqualTo("KERNEL-MEMORY");
              assertThat(f.confidence()).isEqualTo(Confidence.HIGH);
              // 110 + 64 + 6 + 2 = 182 MiB of 256
              assertThat(f.summary()).contains("mostly slab", "182.0 MiB (71%)");
              assertThat(f.reasoning()).contains("about 4096 threads");
              assertThat(f.logLines())
                  .extracting(l -> l.text().replaceFirst("^\\[[^]]*\\] ", ""))
                  .contains(
                      "slab 115343360", "kernel_stack 67108864", "slab_unreclaimable 104857600");
              Fixtures.assertCitesRealLines(f);
            });
  }

  /** A real 6.1 host report, its unreclaimable slab raised and the kernel's slab dump added. */
  @Test
  void analyze_hostUnreclaimableSlabDump_fires() {
    String text =
        corpus(ARCH_HOST)
            .replace(
                " slab_reclaimable:130091 slab_unreclaimable:89303",
                " slab_reclaimable:130091 slab_unreclaimable:2600000")
            .replace(
                "Tasks state (memory values in pages):\n",
                "Unreclaimable slab info:\n"
                    + "Name                      Used          Total\n"
                    + "kmalloc-256           9800000KB    9800012KB\n"
                    + "nf_conntrack            120000KB     120500KB\n"
                    + "Tasks state (memory values in pages):\n");
    List<OomReport> reports = Fixtures.text("arch-slab.log", text);
    List<Finding> findings = analyzer.analyze(Fixtures.evidence(reports));

    assertThat(findings)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.confidence()).isEqualTo(Confidence.HIGH);
              assertThat(f.summary()).startsWith("Kernel memory (kmalloc-256 first)");
              assertThat(f.reasoning()).contains("kmalloc-256 9.3 GiB", "nf_conntrack 117.7 MiB");
              assertThat(f.logLines())
                  .extracting(l -> l.text())
                  .contains(
                      " slab_reclaimable:130091 slab_unreclaimable:2600000",
                      "4115400 pages RAM",
                      "kmalloc-256           9800000KB    9800012KB");
              Fixtures.assertCitesRealLines(f);
            });
  }

  /** Page tables, not slab, filled the host: the fix points at processes, not at slabtop. */
  @Test
  void analyze_hostPageTablesDominate_findsTheProcessesNotASlabCache() {
    // 4115400 pages of RAM; 3000000 pages (11.4 GiB) of page tables = 73%
    String text =
        corpus(ARCH_HOST)
            .replace(
                " mapped:1293 shmem:19540 pagetables:25704",
                " mapped:1293 shmem:19540 pagetables:3000000");
    List<Finding> findings =
        analyzer.analyze(Fixtures.evidence(Fixtures.text("arch-pgtables.log", text)));

    assertThat(findings)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.summary()).startsWith("Kernel memory (pagetables first)");
              assertThat(f.fixes().getFirst().action())
                  .startsWith("Find the processes whose page" + " tables grew")
                  .contains("in the task table the largest was");
              assertThat(f.fixes())
                  .allSatisfy(x -> assertThat(x.snippet().orElse("")).doesNotContain("slabtop"));
              assertThat(f.fixes().getFirst().snippet())
                  .hasValue("grep VmPTE /proc/[0-9]*/status | sort -k2 -n | tail");
              Fixtures.assertCitesRealLines(f);
            });
  }

  @Test
  void analyze_realReports_areSilent() {
    assertThat(
            analyzer.analyze(
                Fixtures.evidence(
                    ARCH_HOST,
                    "corpus/015-jpaztech-aks-5.15-burstable-pod-cgv2.log",
                    "corpus/001-oomanalyser-rhel7-3.10-host.log",
                    "corpus/003-ubuntu-3.13-docker-java-memcg-v1.log",
                    "kmsg/guaranteed-tmpfs-shmem.kmsg",
                    "kmsg/systemd-service.kmsg")))
        .isEmpty();
  }

  /** Near miss: 35% kernel memory with anon at 60% is a heavy but not the dominant part. */
  @Test
  void analyze_kernelThirtyFivePercent_isSilent() {
    List<OomReport> reports =
        Fixtures.text(
            "kmem-35.log",
            ReportText.memcg(262144, 262144)
                .stat("anon", 154L << 20)
                .stat("file", 12L << 20)
                .stat("kernel", 90L << 20)
                .stat("shmem", 0)
                .victim(4242, "app", 154 * 1024, 1024, 0)
                .build());
    assertThat(analyzer.analyze(Fixtures.evidence(reports))).isEmpty();
  }

  static String corpus(String name) {
    try (var in = KernelMemoryAnalyzerTest.class.getResourceAsStream("/" + name)) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
