package dev.oomlens.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.host.paths.HostPaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Capture fed recorded /dev/kmsg records (a real 6.18 report of two kills in one pod). */
class CaptureTest {
  private static final Instant BOOT = Instant.parse("2026-12-01T00:00:00Z");

  @TempDir Path tmp;

  private static List<String> records() throws IOException {
    try (InputStream in = CaptureTest.class.getResourceAsStream("/kmsg/pod-limit-two-kills.kmsg")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
  }

  private Capture capture(History h, long cursor, List<KillRecord> told) {
    return new Capture(
        "/dev/kmsg",
        "boot-1",
        BOOT,
        cursor,
        h,
        new Metrics(),
        new AtKill(HostPaths.under(tmp.resolve("nohost")), 5, 20),
        List.of((KillRecord k, OomReport r, long latency) -> told.add(k)),
        Capture.Names.NONE,
        new ReaderOptions(LocalDate.of(2026, 12, 5)),
        System::nanoTime);
  }

  private static void feed(Capture c, List<String> records) {
    for (String r : records) {
      String[] head = r.substring(0, r.indexOf(';')).split(",");
      c.record(Long.parseLong(head[1]), Long.parseLong(head[2]), r);
    }
    c.quiet(Duration.ofMillis(10));
  }

  @Test
  void twoKills_storedWithTheirRecordsAndVerdict_cursorAfterThem() throws IOException {
    List<KillRecord> told = new ArrayList<>();
    try (History h = History.openForAgent(tmp.resolve("h.db"), Clock.systemUTC())) {
      h.boot("boot-1", BOOT);
      Capture c = capture(h, -1, told);
      feed(c, records());
      assertThat(told).extracting(k -> k.victimPid().getAsLong()).containsExactly(9006L, 9010L);
      KillRecord first = told.getFirst();
      assertThat(first.killSeq()).isEqualTo(539);
      assertThat(first.firstSeq()).isEqualTo(460);
      assertThat(first.report())
          .startsWith("4,460,529716005,-;stress-hog invoked oom-killer")
          .contains("3,539,529716577,-;Memory cgroup out of memory: Killed process 9006");
      assertThat(first.at()).isEqualTo(BOOT.plusMillis(529716));
      assertThat(first.cgroupSource()).isEqualTo("report");
      assertThat(first.verdict()).isEqualTo(Verdict.LIMIT);
      assertThat(first.code()).isPresent();
      assertThat(h.kills(Optional.empty())).isEqualTo(told);
      assertThat(h.cursor("boot-1").getAsLong()).isGreaterThanOrEqualTo(639);
      assertThat(c.stored()).isEqualTo(2);
    }
  }

  @Test
  void readAgainAfterARestart_nothingStoredOrToldTwice() throws IOException {
    List<KillRecord> told = new ArrayList<>();
    try (History h = History.openForAgent(tmp.resolve("h.db"), Clock.systemUTC())) {
      h.boot("boot-1", BOOT);
      feed(capture(h, -1, told), records());
      // A restart whose cursor was older (killed before it was written): the same records again.
      Capture again = capture(h, -1, told);
      feed(again, records());
      assertThat(told).hasSize(2);
      assertThat(again.duplicates()).isEqualTo(2);
      assertThat(h.kills(Optional.empty())).hasSize(2);
    }
  }

  @Test
  void bareKillLineAfterTheRatelimit_placedByTheLastWholeReportOfItsName() throws IOException {
    List<KillRecord> told = new ArrayList<>();
    try (History h = History.openForAgent(tmp.resolve("h.db"), Clock.systemUTC())) {
      h.boot("boot-1", BOOT);
      Capture c = capture(h, -1, told);
      feed(c, records());
      c.record(700, 529800000L, "4,700,529800000,-;oom_kill_process: 3 callbacks suppressed");
      c.record(
          701,
          529800010L,
          "3,701,529800010,-;Memory cgroup out of memory: Killed process"
              + " 9100 (stress-hog) total-vm:51748kB, anon-rss:48768kB, file-rss:1656kB,"
              + " shmem-rss:0kB, UID:0 pgtables:140kB oom_score_adj:500");
      c.quiet(Duration.ofMillis(10));
      KillRecord bare = told.getLast();
      assertThat(bare.victimPid()).hasValue(9100);
      assertThat(bare.cgroupSource()).isEqualTo("earlier report of stress-hog");
      assertThat(bare.cgroup()).isEqualTo(told.get(1).cgroup());
    }
  }
}
