package dev.oomlens.core.rules.analyzers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.model.OomReport;
import java.util.List;
import org.junit.jupiter.api.Test;

class HugepagesAnalyzerTest {
  private static final String ARCH_HOST = "corpus/018-oomanalyser-arch-6.1-host.log";
  private static final String POOL_LINE =
      "Node 0 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=2048kB";
  private final HugepagesAnalyzer analyzer = new HugepagesAnalyzer();

  /** The real 6.1 host report with a 6 GiB pool of 2 MiB pages, most of it free. */
  @Test
  void analyze_largeMostlyFreePool_fires() {
    String line =
        "Node 0 hugepages_total=3072 hugepages_free=2560 hugepages_surp=0 "
            + "hugepages_size=2048kB";
    List<OomReport> reports =
        Fixtures.text(
            "arch-huge.log", KernelMemoryAnalyzerTest.corpus(ARCH_HOST).replace(POOL_LINE, line));
    List<Finding> findings = analyzer.analyze(Fixtures.evidence(reports));

    assertThat(findings)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.code()).isEqualTo("HUGEPAGES");
              assertThat(f.confidence()).isEqualTo(Confidence.HIGH);
              // 3072 x 2 MiB = 6 GiB of 4115400 x 4 KiB = 15.7 GiB
              assertThat(f.summary()).contains("6.0 GiB (38% of RAM)", "5.0 GiB of them free");
              assertThat(f.reasoning()).contains("3072 x 2.0 MiB, 2560 free");
              assertThat(f.logLines())
                  .extracting(l -> l.text())
                  .contains(line, "4115400 pages RAM");
              // 512 pages in use are kept
              assertThat(f.fixes().get(0).snippet())
                  .hasValueSatisfying(
                      s -> assertThat(s).startsWith("sysctl -w vm.nr_hugepages=512"));
              Fixtures.assertCitesRealLines(f);
            });
  }

  @Test
  void analyze_noPool_isSilent() {
    assertThat(
            analyzer.analyze(
                Fixtures.evidence(
                    ARCH_HOST,
                    "corpus/001-oomanalyser-rhel7-3.10-host.log",
                    "corpus/008-panic-on-oom-arm64-5.4.log",
                    "kmsg/containerd-burstable-container.kmsg")))
        .isEmpty();
  }

  /** Near miss: a 2 GiB pool on a 15.7 GiB host (13%) is not what starved it. */
  @Test
  void analyze_smallPool_isSilent() {
    String line =
        "Node 0 hugepages_total=1024 hugepages_free=0 hugepages_surp=0 " + "hugepages_size=2048kB";
    List<OomReport> reports =
        Fixtures.text(
            "arch-small-pool.log",
            KernelMemoryAnalyzerTest.corpus(ARCH_HOST).replace(POOL_LINE, line));
    assertThat(analyzer.analyze(Fixtures.evidence(reports))).isEmpty();
  }
}
