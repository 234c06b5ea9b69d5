package dev.oomlens.host.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Real journal files, written by systemd-journal-remote from journal export format. */
public final class JournalFiles {
  private JournalFiles() {}

  /** systemd-journal-remote, when installed (Debian package systemd-journal-remote). */
  public static Optional<Path> remote() {
    return Stream.of(
            "/usr/lib/systemd/systemd-journal-remote", "/lib/systemd/systemd-journal-remote")
        .map(Path::of)
        .filter(Files::isExecutable)
        .findFirst();
  }

  /** Why journal files cannot be written and read here, or empty when they can. */
  public static Optional<String> missing() {
    if (remote().isEmpty()) {
      return Optional.of("no systemd-journal-remote (Debian package systemd-journal-remote)");
    }
    boolean journalctl =
        Stream.of(System.getenv("PATH").split(":"))
            .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, "journalctl")));
    return journalctl ? Optional.empty() : Optional.of("no journalctl on the PATH");
  }

  /**
   * Writes {@code export} (journal export format: fields one per line, entries ended by a blank
   * line) as {@code journal/<machine-id>/system.journal} under {@code varLog}, the layout journald
   * uses; returns the journal directory.
   */
  public static Path write(Path varLog, String export) throws Exception {
    Path input =
        Files.writeString(
            Files.createDirectories(varLog).resolve("entries.export"),
            export,
            StandardCharsets.UTF_8);
    Path journal = varLog.resolve("journal");
    Path file = journal.resolve("0123456789abcdef0123456789abcdef/system.journal");
    Files.createDirectories(file.getParent());
    Path out = varLog.resolve("remote.out");
    Process p =
        new ProcessBuilder(
                remote().orElseThrow().toString(), "-o", file.toString(), input.toString())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(out)).isZero();
    Files.delete(input);
    Files.delete(out);
    return journal;
  }

  /** One entry in export format, {@code i} milliseconds after a fixed time. */
  public static String entry(int i, String boot, String fields, String message) {
    return "__REALTIME_TIMESTAMP="
        + (1_770_109_200_000_000L + i * 1000L)
        + "\n__MONOTONIC_TIMESTAMP="
        + (5_000_000L + i * 1000L)
        + "\n_BOOT_ID="
        + boot
        + "\n_HOSTNAME=worker-3\nPRIORITY=5\n"
        + fields
        + "MESSAGE="
        + message
        + "\n\n";
  }
}
