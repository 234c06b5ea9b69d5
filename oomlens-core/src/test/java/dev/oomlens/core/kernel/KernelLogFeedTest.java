package dev.oomlens.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.model.AllocFailure;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.Problem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KernelLogFeedTest {
  private static final ReaderOptions OPTIONS = new ReaderOptions(LocalDate.of(2026, 12, 5));

  private static final class Collect implements KernelLogSink {
    final List<OomReport> reports = new ArrayList<>();
    final List<Problem> problems = new ArrayList<>();

    @Override
    public void report(OomReport report) {
      reports.add(report);
    }

    @Override
    public void allocFailure(AllocFailure failure) {}

    @Override
    public void problem(Problem problem) {
      problems.add(problem);
    }
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = KernelLogFeedTest.class.getResourceAsStream("/kmsg/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void fedLineByLine_sameReportsAsTheFileReader() throws IOException {
    String log = resource("pod-limit-two-kills.kmsg");
    Collect fromFile = new Collect();
    new KernelLogReader(OPTIONS)
        .read(
            "/dev/kmsg", new ByteArrayInputStream(log.getBytes(StandardCharsets.UTF_8)), fromFile);

    Collect live = new Collect();
    KernelLogFeed feed = new KernelLogFeed("/dev/kmsg", OPTIONS, live);
    log.lines().forEach(feed::line);
    feed.finish();

    assertThat(live.reports).hasSize(2);
    assertThat(live.reports).isEqualTo(fromFile.reports);
    assertThat(live.problems).isEqualTo(fromFile.problems);
  }

  @Test
  void quiet_handsOverAReportWhoseKillLineWasRead_withoutWaitingForMore() throws IOException {
    // Padded with unrelated lines so the feed is past the input's first lines, as a live log is.
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      lines.add("6," + i + ",1000,-;eth0: link up " + i);
    }
    lines.addAll(resource("systemd-service.kmsg").lines().toList());
    Collect live = new Collect();
    KernelLogFeed feed = new KernelLogFeed("/dev/kmsg", OPTIONS, live);
    lines.forEach(feed::line);
    assertThat(live.reports).isEmpty();
    assertThat(feed.holdsEvents()).isTrue();

    feed.quiet(false);

    assertThat(live.reports).hasSize(1);
    assertThat(live.reports.getFirst().complete()).isTrue();
    assertThat(live.reports.getFirst().victim()).isPresent();
    assertThat(feed.holdsEvents()).isFalse();
  }

  @Test
  void quiet_leavesAReportStillBeingWrittenOpen_untilToldToCutIt() throws IOException {
    List<String> report = resource("systemd-service.kmsg").lines().toList();
    int kill = 0;
    for (int i = 0; i < report.size(); i++) {
      if (report.get(i).contains("Killed process")) {
        kill = i;
      }
    }
    Collect live = new Collect();
    KernelLogFeed feed = new KernelLogFeed("/dev/kmsg", OPTIONS, live);
    for (int i = 0; i < 200; i++) {
      feed.line("6," + i + ",1000,-;eth0: link up " + i);
    }
    report.subList(0, kill).forEach(feed::line);

    feed.quiet(false);
    assertThat(live.reports).isEmpty();

    feed.quiet(true);
    assertThat(live.reports).hasSize(1);
    assertThat(live.reports.getFirst().complete()).isFalse();
  }

  @Test
  void hasAnchor_matchesTheScannersAnchors() {
    assertThat(KernelLogFeed.hasAnchor("x invoked oom-killer: gfp_mask=0xcc0")).isTrue();
    assertThat(KernelLogFeed.hasAnchor("Memory cgroup out of memory: Killed process 1")).isTrue();
    assertThat(KernelLogFeed.hasAnchor("page allocation failure: order:0")).isTrue();
    assertThat(KernelLogFeed.hasAnchor("firmware: failure to load")).isFalse();
    assertThat(KernelLogFeed.hasAnchor("eth0: link up")).isFalse();
  }
}
