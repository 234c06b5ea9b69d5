package dev.oomlens.host.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oomlens.core.model.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class KillerJournalReaderTest {
  private static final String HINT =
      "the records of userspace OOM killers (systemd-oomd,"
          + " earlyoom, nohang, kubelet evictions) were not read; pass a saved syslog to read them";

  @TempDir Path dir;

  /** A stand-in journalctl: a shell script that records its arguments and plays a part. */
  private KillerJournalReader fake(String body, int maxEntries) throws IOException {
    Path script = dir.resolve("journalctl");
    Files.writeString(
        script,
        "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done > '"
            + dir.resolve("args")
            + "'\n"
            + body);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return new KillerJournalReader(
        "journalctl", "/nonexistent:" + dir, Duration.ofSeconds(10), maxEntries);
  }

  private static String readAll(JournalLog log) throws IOException {
    try (InputStream in = log.stream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void command_isThisBootsNewestKillerEntriesWithTheirMatchesOred() {
    KillerJournalReader reader =
        new KillerJournalReader("journalctl", "", Duration.ofSeconds(1), 50_000);

    assertThat(reader.command())
        .containsExactly(
            "journalctl",
            "-b",
            "-o",
            "short-iso-precise",
            "--no-pager",
            "--lines=50000",
            "_SYSTEMD_UNIT=systemd-oomd.service",
            "_SYSTEMD_UNIT=earlyoom.service",
            "_SYSTEMD_UNIT=nohang.service",
            "_SYSTEMD_UNIT=nohang-desktop.service",
            "_SYSTEMD_UNIT=kubelet.service",
            "+",
            "SYSLOG_IDENTIFIER=systemd-oomd",
            "SYSLOG_IDENTIFIER=earlyoom",
            "SYSLOG_IDENTIFIER=nohang",
            "SYSLOG_IDENTIFIER=kubelet",
            "SYSLOG_IDENTIFIER=systemd",
            "+",
            "_PID=1");
  }

  @Test
  void command_withDirectory_readsThoseFiles() {
    KillerJournalReader reader =
        new KillerJournalReader("journalctl", "", Duration.ofSeconds(1), 10)
            .directory(Path.of("journal"));

    assertThat(reader.command()).startsWith("journalctl", "-D", "journal", "-b", "-o");
  }

  @Test
  void arguments_noEntries_isRefused() {
    assertThatThrownBy(() -> KillerJournalReader.arguments(0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ofThisMachine_usesTheDefaultLimit() {
    assertThat(KillerJournalReader.ofThisMachine().command())
        .contains("--lines=" + KillerJournalReader.DEFAULT_MAX_ENTRIES);
  }

  @Test
  void open_streamsTheRecordsAndPassesEachMatchAsOneArgument() throws IOException {
    KillerJournalReader reader =
        fake(
            """
        echo '-- Boot 0123456789abcdef0123456789abcdef --'
        echo '2026-02-03T09:00:00.100000+0000 worker-3 earlyoom[904]: sending SIGKILL to process 42'
        echo '2026-02-03T09:00:01.000000+0000 worker-3 systemd[1]: java.service: Failed with result'
        """,
            100);

    JournalLog log = reader.open();

    assertThat(readAll(log))
        .isEqualTo(
            """
        2026-02-03T09:00:00.100000+0000 worker-3 earlyoom[904]: sending SIGKILL to process 42
        2026-02-03T09:00:01.000000+0000 worker-3 systemd[1]: java.service: Failed with result
        """);
    assertThat(log.name()).isEqualTo(KillerJournalReader.NAME);
    assertThat(log.problems()).isEmpty();
    assertThat(Files.readAllLines(dir.resolve("args")))
        .isEqualTo(KillerJournalReader.arguments(100));
  }

  @Test
  void open_noEntries_isNoProblem() throws IOException {
    JournalLog log = fake("echo '-- No entries --'\n", 100).open();

    assertThat(readAll(log)).isEmpty();
    assertThat(log.problems()).isEmpty();
  }

  @Test
  void open_noJournalFiles_saysTheKillersWereNotRead() throws IOException {
    JournalLog log =
        fake(
                """
        echo '-- No entries --'
        echo 'No journal files were found.' >&2
        """,
                100)
            .open();

    assertThat(readAll(log)).isEmpty();
    assertThat(log.problems())
        .containsExactly(
            new Problem(
                KillerJournalReader.NAME,
                0,
                "no systemd journal on this machine (journalctl: No journal files were found.); "
                    + HINT));
  }

  @Test
  void open_ownJournalOnly_saysTheSystemsWasNotRead() throws IOException {
    JournalLog log =
        fake(
                """
        echo '2026-02-03T09:00:01.000000+0000 laptop systemd[1204]: app.scope: Consumed 1s CPU'
        echo 'Hint: You are currently not seeing messages from other users and the system.' >&2
        echo '      Users in groups '"'"'adm'"'"', '"'"'systemd-journal'"'"' can see all.' >&2
        """,
                100)
            .open();

    assertThat(readAll(log)).hasLineCount(1);
    assertThat(log.problems())
        .containsExactly(
            new Problem(
                KillerJournalReader.NAME,
                0,
                "journalctl shows this user only their own messages, not the system's (it needs root or"
                    + " the systemd-journal or adm group); "
                    + HINT));
  }

  @Test
  void open_limitReached_saysTheOlderRecordsWereNotRead() throws IOException {
    JournalLog log =
        fake(
                """
        echo '2026-02-03T09:00:00.000000+0000 n kubelet[800]: one'
        echo '2026-02-03T09:00:00.100000+0000 n kubelet[800]: two'
        """,
                2)
            .open();

    assertThat(readAll(log)).hasLineCount(2);
    assertThat(log.problems())
        .extracting(Problem::message)
        .containsExactly(
            "journalctl printed its limit of 2 entries, the newest; the older records of userspace"
                + " OOM killers of this boot were not read");
  }

  @Test
  void open_belowTheLimit_isNoProblem() throws IOException {
    JournalLog log = fake("echo '2026-02-03T09:00:00.000000+0000 n kubelet[800]: one'\n", 2).open();

    assertThat(readAll(log)).hasLineCount(1);
    assertThat(log.problems()).isEmpty();
  }

  @Test
  void open_failingJournalctl_givesExitCodeAndItsMessage() throws IOException {
    JournalLog log = fake("echo 'Failed to add match: Invalid argument' >&2\nexit 1\n", 100).open();

    assertThat(readAll(log)).isEmpty();
    assertThat(log.problems())
        .extracting(Problem::message)
        .containsExactly(
            "journalctl failed with exit code 1: Failed to add match: Invalid argument; " + HINT);
  }

  @Test
  void open_hangingJournalctl_isStoppedAtTheTimeLimit() throws IOException {
    KillerJournalReader reader =
        fake("echo '2026-02-03T09:00:00.1+00:00 h earlyoom[9]: one'\nexec sleep 60\n", 100)
            .timeLimit(Duration.ofMillis(500));
    long start = System.nanoTime();

    JournalLog log = reader.open();
    String text = readAll(log);

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(text).isEqualTo("2026-02-03T09:00:00.1+00:00 h earlyoom[9]: one\n");
    assertThat(log.problems())
        .extracting(Problem::message)
        .containsExactly(
            "journalctl did not finish within 500 ms and was stopped; the records of userspace OOM"
                + " killers after the last line read are missing");
  }

  @Test
  void open_noJournalctl_saysTheKillersWereNotRead() throws IOException {
    KillerJournalReader reader =
        new KillerJournalReader("journalctl", dir.toString(), Duration.ofSeconds(1), 100);

    JournalLog log = reader.open();

    assertThat(readAll(log)).isEmpty();
    assertThat(log.problems())
        .containsExactly(
            new Problem(
                KillerJournalReader.NAME,
                0,
                "cannot read the journal: journalctl was not found on the PATH (no systemd journal"
                    + " here?); "
                    + HINT));
  }
}
