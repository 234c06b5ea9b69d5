package dev.oomlens.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.host.paths.HostPaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The userspace verdict: kills by systemd-oomd and earlyoom read from real journal files (written
 * by systemd-journal-remote, followed by this machine's journalctl), stored once, counted with
 * verdict userspace, resumed after the journal cursor, and read back by {@code oomlens history}.
 */
@Timeout(120)
class KillerFollowerTest {
  private static final String BOOT = "0123456789abcdef0123456789abcdef";
  private static final ReaderOptions OPTIONS = new ReaderOptions(LocalDate.of(2026, 2, 3));

  @TempDir Path dir;

  @Test
  void parse_recordedJournalJson() {
    // As journalctl 252 -o json prints them: strings, a number-like string, null, and a message
    // that is not UTF-8 as an array of bytes.
    Map<String, String> e =
        KillerFollower.parse(
            "{\"__CURSOR\":\"s=abc;i=1f\",\"__REALTIME_TIMESTAMP\":\"1770109200000000\","
                + "\"_PID\":\"904\",\"SYSLOG_IDENTIFIER\":\"earlyoom\",\"X\":null,"
                + "\"MESSAGE\":\"sending SIGTERM to process 4242 uid 1000 \\\"ja\\u0076a\\\":"
                + " badness 900\\n\"}");
    assertThat(e)
        .containsEntry("__CURSOR", "s=abc;i=1f")
        .containsEntry("_PID", "904")
        .containsEntry(
            "MESSAGE", "sending SIGTERM to process 4242 uid 1000 \"java\": badness 900\n")
        .doesNotContainKey("X");
    assertThat(KillerFollower.parse("{\"MESSAGE\":[104,105,255],\"N\":12}"))
        .containsEntry("MESSAGE", "hi\uFFFD")
        .containsEntry("N", "12");
    assertThat(
            KillerFollower.line(
                Map.of(
                    "__REALTIME_TIMESTAMP", "1770109200000001",
                    "_HOSTNAME", "worker-3",
                    "SYSLOG_IDENTIFIER", "systemd-oomd",
                    "_PID", "600",
                    "MESSAGE", "Killed /a.scope due to memory pressure")))
        .isEqualTo(
            "2026-02-03T09:00:00.000001+00:00 worker-3 systemd-oomd[600]:"
                + " Killed /a.scope due to memory pressure");
    for (String bad :
        List.of("", "[]", "{", "{\"a\"", "{\"a\":}", "{\"a\":\"x", "{\"a\":[1,", "x")) {
      assertThat(KillerFollower.parse(bad)).as(bad).isNull();
    }
  }

  @Test
  void follow_realJournalFiles_eachKillOnce_verdictUserspace_resumesAfterCursor() throws Exception {
    Optional<Path> remote =
        Stream.of("/usr/lib/systemd/systemd-journal-remote", "/lib/systemd/systemd-journal-remote")
            .map(Path::of)
            .filter(Files::isExecutable)
            .findFirst();
    boolean journalctl =
        Stream.of(System.getenv("PATH").split(":"))
            .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, "journalctl")));
    String skip =
        !journalctl
            ? "no journalctl on the PATH"
            : remote.isEmpty() ? "no systemd-journal-remote (Debian package)" : null;
    System.out.println(
        "KillerFollowerTest: " + (skip == null ? "journal files by " + remote.get() : skip));
    assumeTrue(skip == null, skip);

    Path journal =
        journal(
            remote.get(),
            List.of(
                entry("sshd.service", "sshd", 700, "Accepted publickey for root"),
                entry(
                    "earlyoom.service",
                    "earlyoom",
                    904,
                    "low memory! at or below SIGTERM limits: mem 10.00%, swap  5.00%"),
                entry(
                    "earlyoom.service",
                    "earlyoom",
                    904,
                    "sending SIGTERM to process 4242 uid 1000 \"java\": badness 900, VmRSS 3000"
                        + " MiB"),
                entry(
                    "earlyoom.service", "earlyoom", 904, "escalating to SIGKILL after 0.5 seconds"),
                entry(
                    "systemd-oomd.service",
                    "systemd-oomd",
                    600,
                    "Killed /user.slice/user-1000.slice/app.scope due to memory pressure for"
                        + " /user.slice being 61.20% > 50.00% for > 20s with reclaim activity"),
                entry(
                    "user@1000.service",
                    "systemd",
                    1200,
                    "app.scope: systemd-oomd killed 3 process(es) in this unit."),
                entry("cron.service", "cron", 500, "session opened")));

    Path db = dir.resolve("h.db");
    List<String> said = Collections.synchronizedList(new ArrayList<>());
    try (History h = History.openForAgent(db, Clock.systemUTC());
        Metrics m = new Metrics()) {
      KillerFollower f =
          KillerFollower.start(
              KillerFollower.command(
                  "journalctl", List.of("-D", journal.toString()), h.killerCursor()),
              h,
              m,
              said::add,
              OPTIONS);
      try {
        waitFor(() -> h.userspaceKills(Optional.empty()).size() >= 2);
        Thread.sleep(500); // anything more would come now
      } finally {
        f.close();
      }
      List<UserspaceKill> kills = h.userspaceKills(Optional.empty());
      assertThat(kills).as(String.join("\n", said)).hasSize(2);
      UserspaceKill early = kills.get(0);
      assertThat(early.killer()).isEqualTo("earlyoom");
      assertThat(early.action()).isEqualTo("terminate");
      assertThat(early.pid()).isEqualTo(OptionalLong.of(4242));
      assertThat(early.comm()).hasValue("java");
      assertThat(early.rssBytes()).isEqualTo(OptionalLong.of(3000L << 20));
      assertThat(early.bootId()).isEqualTo(BOOT);
      assertThat(early.line())
          .endsWith(
              "worker-3 earlyoom[904]: sending SIGTERM to process 4242"
                  + " uid 1000 \"java\": badness 900, VmRSS 3000 MiB");
      UserspaceKill oomd = kills.get(1);
      assertThat(oomd.killer()).isEqualTo("systemd-oomd");
      assertThat(oomd.unit()).hasValue("/user.slice/user-1000.slice/app.scope");
      assertThat(oomd.reason().orElse("")).startsWith("memory pressure for /user.slice");
      assertThat(oomd.cursor()).isNotEqualTo(early.cursor());
      assertThat(m.kills.labelValues("userspace", "userspace", "", "", "", "", "earlyoom").get())
          .isEqualTo(1.0);
      assertThat(said).anyMatch(s -> s.contains("verdict userspace"));
      Optional<String> cursor = h.killerCursor();
      assertThat(cursor).as("the last entry read").isPresent();

      // A restart resumes after the cursor: nothing read twice.
      List<String> again =
          KillerFollower.command("journalctl", List.of("-D", journal.toString()), cursor);
      assertThat(again).contains("--after-cursor=" + cursor.get());
      KillerFollower f2 = KillerFollower.start(again, h, m, said::add, OPTIONS);
      Thread.sleep(2000);
      f2.close();
      assertThat(f2.stored()).isZero();
      assertThat(h.userspaceKills(Optional.empty())).hasSize(2);

      // The same entries read from the start again (a cursor rotated away), this time from a
      // host's root as the DaemonSet mounts it, under a machine-id directory: still once each.
      Path host = dir.resolve("host");
      Path machine = Files.createDirectories(host.resolve("var/log/journal/" + BOOT));
      Files.copy(journal.resolve("remote.journal"), machine.resolve("system.journal"));
      List<String> source =
          Agent.journalSource(
              HostPaths.fromFlags(Optional.empty(), Optional.empty(), Optional.of(host)));
      assertThat(source).containsExactly("--root=" + host.toAbsolutePath());
      KillerFollower f3 =
          KillerFollower.start(
              KillerFollower.command("journalctl", source, Optional.empty()),
              h,
              m,
              said::add,
              OPTIONS);
      Thread.sleep(2000);
      f3.close();
      assertThat(f3.stored()).isZero();
      assertThat(h.userspaceKills(Optional.empty())).hasSize(2);

      // oomlens history reads them back as the userspace killers' records.
      EvidenceSet.Builder b = EvidenceSet.builder();
      new HistorySource(h, OPTIONS, k -> true).readInto(b);
      EvidenceSet evidence = b.build();
      assertThat(evidence.killers())
          .extracting(e -> e.killer().jsonName())
          .contains("earlyoom", "systemd-oomd");
    }
  }

  private static String entry(String unit, String identifier, int pid, String message) {
    return "_SYSTEMD_UNIT="
        + unit
        + "\nSYSLOG_IDENTIFIER="
        + identifier
        + "\n_PID="
        + pid
        + "\nMESSAGE="
        + message
        + "\n";
  }

  /** Journal files holding {@code entries}, made by systemd-journal-remote from export format. */
  private Path journal(Path remote, List<String> entries) throws Exception {
    StringBuilder export = new StringBuilder();
    for (int i = 0; i < entries.size(); i++) {
      export
          .append("__REALTIME_TIMESTAMP=")
          .append(1_770_109_200_000_000L + i * 1000L)
          .append("\n__MONOTONIC_TIMESTAMP=")
          .append(5_000_000L + i * 1000L)
          .append("\n_BOOT_ID=")
          .append(BOOT)
          .append("\n_HOSTNAME=worker-3\nPRIORITY=5\n")
          .append(entries.get(i))
          .append("\n");
    }
    Path input = dir.resolve("entries.export");
    Files.writeString(input, export, StandardCharsets.UTF_8);
    Path journal = Files.createDirectories(dir.resolve("journal"));
    Path out = dir.resolve("remote.out");
    Process p =
        new ProcessBuilder(
                remote.toString(),
                "-o",
                journal.resolve("remote.journal").toString(),
                input.toString())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(out)).isZero();
    return journal;
  }

  private static void waitFor(java.util.function.BooleanSupplier done) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!done.getAsBoolean() && System.nanoTime() < end) {
      Thread.sleep(50);
    }
  }
}
