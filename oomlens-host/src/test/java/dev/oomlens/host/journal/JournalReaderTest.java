package dev.oomlens.host.journal;

import static org.assertj.core.api.Assertions.assertThat;

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
class JournalReaderTest {
  @TempDir Path dir;

  /** A stand-in journalctl: a shell script that records its arguments and plays a part. */
  private JournalReader fake(String body) throws IOException {
    Path script = dir.resolve("journalctl");
    Files.writeString(script, "#!/bin/sh\necho \"$@\" > '" + dir.resolve("args") + "'\n" + body);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return new JournalReader("journalctl", "/nonexistent:" + dir, Duration.ofSeconds(10));
  }

  private static String readAll(JournalLog log) throws IOException {
    try (InputStream in = log.stream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void command_isKernelMessagesOfThisBootInIsoFormatWithoutPager() {
    JournalReader reader = new JournalReader("journalctl", "", Duration.ofSeconds(1));

    assertThat(reader.command())
        .containsExactly("journalctl", "-k", "-b", "-o", "short-iso-precise", "--no-pager");
  }

  @Test
  void command_foundOnThePath_isTheFullPath() throws IOException {
    JournalReader reader = fake("exit 0\n");

    assertThat(reader.command()).first().isEqualTo(dir.resolve("journalctl").toString());
  }

  @Test
  void open_streamsOutputWithoutJournalctlsOwnLines() throws IOException {
    JournalReader reader =
        fake(
            """
        echo '-- Boot 0123456789abcdef0123456789abcdef --'
        echo '2026-02-03T19:57:08.123456+00:00 node1 kernel: stress-hog invoked oom-killer: order=0'
        echo '2026-02-03T19:57:08.123470+00:00 node1 kernel: -- dashes inside a message stay --'
        printf '2026-02-03T19:57:08.200000+00:00 node1 kernel: no final newline'
        """);

    JournalLog log = reader.open();
    String text = readAll(log);

    assertThat(text)
        .isEqualTo(
            """
        2026-02-03T19:57:08.123456+00:00 node1 kernel: stress-hog invoked oom-killer: order=0
        2026-02-03T19:57:08.123470+00:00 node1 kernel: -- dashes inside a message stay --
        2026-02-03T19:57:08.200000+00:00 node1 kernel: no final newline""");
    assertThat(log.problems()).isEmpty();
    assertThat(Files.readString(dir.resolve("args")).strip())
        .isEqualTo("-k -b -o short-iso-precise --no-pager");
  }

  @Test
  void open_noJournalFiles_saysSo() throws IOException {
    JournalReader reader =
        fake(
            """
        echo '-- No entries --'
        echo 'No journal files were found.' >&2
        exit 0
        """);

    JournalLog log = reader.open();

    assertThat(readAll(log)).isEmpty();
    assertThat(log.problems())
        .containsExactly(
            new Problem(
                JournalReader.NAME,
                0,
                "no systemd journal on this machine (journalctl: No journal files were found.);"
                    + " read /dev/kmsg as root or pass a saved log"));
  }

  @Test
  void open_journalWithoutKernelMessages_saysSo() throws IOException {
    JournalLog log = fake("echo '-- No entries --'\n").open();

    assertThat(readAll(log)).isEmpty();
    assertThat(log.problems())
        .singleElement()
        .extracting(Problem::message)
        .asString()
        .startsWith("the journal holds no kernel messages for this boot");
  }

  @Test
  void open_userWithoutJournalAccess_saysSoRatherThanNoKernelMessages() throws IOException {
    JournalReader reader =
        fake(
            """
        echo '-- No entries --'
        echo 'Hint: You are currently not seeing messages from other users and the system.' >&2
        """);

    JournalLog log = reader.open();

    assertThat(readAll(log)).isEmpty();
    assertThat(log.problems())
        .extracting(Problem::message)
        .containsExactly(
            "journalctl shows this user only their own messages, not the system's (it needs root or"
                + " the systemd-journal or adm group); read /dev/kmsg as root or pass a saved log");
  }

  @Test
  void open_failingJournalctl_givesExitCodeAndItsMessage() throws IOException {
    JournalReader reader =
        fake(
            """
        echo 'Failed to get boot: No such boot ID in journal' >&2
        exit 1
        """);

    JournalLog log = reader.open();

    assertThat(readAll(log)).isEmpty();
    assertThat(log.problems())
        .extracting(Problem::message)
        .containsExactly(
            "journalctl failed with exit code 1: Failed to get boot: No such boot ID in journal;"
                + " read /dev/kmsg as root or pass a saved log");
  }

  @Test
  void open_hangingJournalctl_isStoppedAtTheTimeLimit() throws IOException {
    JournalReader reader =
        fake("echo '2026-02-03T19:57:08.1+00:00 h kernel: one'\nexec sleep 60\n")
            .timeLimit(Duration.ofMillis(500));
    long start = System.nanoTime();

    JournalLog log = reader.open();
    String text = readAll(log);

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(text).isEqualTo("2026-02-03T19:57:08.1+00:00 h kernel: one\n");
    assertThat(log.problems())
        .extracting(Problem::message)
        .containsExactly(
            "journalctl did not finish within 500 ms and was stopped;"
                + " the kernel messages after the last line read are missing");
  }

  @Test
  void open_noJournalctl_saysWhatToDoInstead() throws IOException {
    JournalReader reader = new JournalReader("journalctl", dir.toString(), Duration.ofSeconds(1));

    JournalLog log = reader.open();

    assertThat(readAll(log)).isEmpty();
    assertThat(log.problems())
        .extracting(Problem::message)
        .containsExactly(
            "cannot read the journal: journalctl was not found on the PATH (no systemd journal here?);"
                + " read /dev/kmsg as root or pass a saved log");
  }

  @Test
  void isJournalctlLine_onlyWholeDashFramedLines() {
    assertThat(JournalLog.isJournalctlLine(bytes("-- No entries --\n"))).isTrue();
    assertThat(JournalLog.isJournalctlLine(bytes("-- Boot 1a2b --\n"))).isTrue();
    assertThat(JournalLog.isJournalctlLine(bytes("-- --\n"))).isFalse();
    assertThat(JournalLog.isJournalctlLine(bytes("2026-01-01T00:00:00+0000 h kernel: -- x --\n")))
        .isFalse();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
