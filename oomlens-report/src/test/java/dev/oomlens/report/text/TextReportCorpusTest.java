package dev.oomlens.report.text;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.kernel.KernelLogReader;
import dev.oomlens.core.kernel.ReaderOptions;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalDate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The text report of every corpus file (real reports of kernels 3.10 to 6.8, read by the core
 * reader), pinned in {@code golden-text/corpus-*.txt}.
 */
class TextReportCorpusTest {
  /** Fixed, so the year given to yearless syslog stamps does not change with the calendar. */
  private static final LocalDate REFERENCE_DATE = LocalDate.of(2026, 2, 3);

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "001-oomanalyser-rhel7-3.10-host.log",
        "003-ubuntu-3.13-docker-java-memcg-v1.log",
        "004-jasei-fedora-4.8-docker-systemd-memcg.log",
        "006-icloudnative-k3s-4.15-cgroupfs-burstable-dmesgT.log",
        "008-panic-on-oom-arm64-5.4.log",
        "009-lkml-cpuset-movable-node-5.8-docker.log",
        "010-martins3-openeuler-5.10-host.log",
        "011-lkml-hyperv-5.13-vmemmap-alloc-failure.log",
        "013-oomanalyser-ubuntu-5.13-sysrq-host.log",
        "015-jpaztech-aks-5.15-burstable-pod-cgv2.log",
        "018-oomanalyser-arch-6.1-host.log",
        "020-ubuntu-6.8-host-journal-priority-filtered.log",
        "023-lstoakes-5.10-next-qemu-host-lines-cut-at-159.log",
        "026-cadvisor-fixture-3.13-memcg-v1-mem2.log",
        "027-cadvisor-fixture-3.13-gce-host.log",
      })
  void report_corpusFile_matchesGolden(String file) throws Exception {
    StringWriter buffer = new StringWriter();
    TextReportWriter writer = new TextReportWriter(new PrintWriter(buffer));
    writer.beginInput(file);
    try (InputStream in = getClass().getResourceAsStream("/corpus/" + file)) {
      assertThat(in).as("corpus resource (oomlens-core test-jar)").isNotNull();
      new KernelLogReader(new ReaderOptions(REFERENCE_DATE)).read(file, in, writer);
    }
    writer.endInput();
    String text = buffer.toString();
    Golden.assertMatches("corpus-" + file.substring(0, 3) + ".txt", text);
    assertThat(text).doesNotContain("could not be read");
  }
}
