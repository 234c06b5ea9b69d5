package dev.oomlens.host.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.oomlens.core.model.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs this machine's journalctl: on its own journal, and on journal files written by
 * systemd-journal-remote from entries made here, which checks the match expression against the real
 * journalctl. Each part is skipped, with the reason printed, where its tool is missing.
 */
@Timeout(90)
class RealKillerJournalTest {
  private static final Pattern ISO_LINE =
      Pattern.compile(
          "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}[+-]\\d\\d:?\\d\\d \\S+ [^ :]+: .*");
  private static final String BOOT = "0123456789abcdef0123456789abcdef";
  private static final String OLD_BOOT = "fedcba9876543210fedcba9876543210";

  @TempDir Path dir;

  private static String readAll(JournalLog log) throws IOException {
    try (InputStream in = log.stream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void open_thisMachine_givesIsoLinesOrSaysWhyNot() throws IOException {
    KillerJournalReader reader = KillerJournalReader.ofThisMachine();
    boolean present = reader.locate().isPresent();
    System.out.println(
        "RealKillerJournalTest: "
            + (present
                ? "runs " + String.join(" ", reader.command())
                : "skipped: no journalctl on the PATH"));
    assumeTrue(present, "no journalctl on the PATH");

    long start = System.nanoTime();
    JournalLog log = reader.open();
    List<String> lines = readAll(log).lines().toList();
    long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
    System.out.printf(
        "RealKillerJournalTest: %d lines in %d ms, problems %s%n",
        lines.size(), millis, log.problems());

    assertThat(lines).allMatch(l -> ISO_LINE.matcher(l).matches() || l.startsWith(" "));
    assertThat(log.problems())
        .allSatisfy(
            p ->
                assertThat(p.message())
                    .containsAnyOf(
                        "no systemd journal", "only their own messages", "its limit of"));
  }

  @Test
  void open_journalFiles_keepOnlyThisBootsKillersAndServiceManagers() throws Exception {
    Optional<Path> remote =
        Stream.of("/usr/lib/systemd/systemd-journal-remote", "/lib/systemd/systemd-journal-remote")
            .map(Path::of)
            .filter(Files::isExecutable)
            .findFirst();
    KillerJournalReader reader = KillerJournalReader.ofThisMachine();
    String skip =
        reader.locate().isEmpty()
            ? "no journalctl on the PATH"
            : remote.isEmpty()
                ? "no systemd-journal-remote (Debian package systemd-journal-remote)"
                : null;
    System.out.println(
        "RealKillerJournalTest: "
            + (skip == null ? "writes journal files with " + remote.get() : "skipped: " + skip));
    assumeTrue(skip == null, skip);
    Path journal =
        journal(
            remote.get(),
            new Entry[] {
              new Entry(
                  OLD_BOOT, "earlyoom.service", "earlyoom", 900, "earlyoom of the boot before"),
              new Entry(
                  BOOT,
                  "earlyoom.service",
                  "earlyoom",
                  904,
                  "sending SIGKILL to process 4242 uid 1000 \"java\": badness 900, VmRSS 3000 MiB"),
              new Entry(BOOT, "sshd.service", "sshd", 700, "Accepted publickey for root"),
              new Entry(
                  BOOT,
                  "init.scope",
                  "systemd",
                  1,
                  "java.service: Main process exited, code=killed, status=9/KILL"),
              new Entry(
                  BOOT,
                  "user@1000.service",
                  "systemd",
                  1200,
                  "vte-spawn-1.scope: systemd-oomd killed 3 process(es) in this unit."),
              new Entry(
                  BOOT,
                  "systemd-oomd.service",
                  "systemd-oomd",
                  600,
                  "Killed /user.slice/user-1000.slice/app.scope due to memory pressure"),
              new Entry(BOOT, "containerd.service", "containerd", 650, "starting container"),
              new Entry(
                  BOOT,
                  "k8s-node.service",
                  "kubelet",
                  800,
                  "I0203 09:00:00.100000     800 eviction_manager.go:368] \"Eviction manager: pods"
                      + " evicted, waiting for pod to be cleaned up\" pods=[\"default/web-0\"]"),
              new Entry(
                  BOOT, "init.scope", "init", 1, "foo.service: Failed with result 'oom-kill'."),
              new Entry(
                  BOOT,
                  "nohang-desktop.service",
                  "python3",
                  777,
                  "  Sending SIGTERM to the victim"),
              new Entry(BOOT, "cron.service", "cron", 500, "session opened"),
            });

    JournalLog log = reader.directory(journal).open();
    List<String> lines = readAll(log).lines().toList();

    assertThat(log.problems()).isEmpty();
    assertThat(lines).allMatch(l -> ISO_LINE.matcher(l).matches());
    assertThat(lines.stream().map(l -> l.substring(l.indexOf(' ') + 1)).toList())
        .containsExactly(
            "worker-3 earlyoom[904]: sending SIGKILL to process 4242 uid 1000 \"java\": badness 900,"
                + " VmRSS 3000 MiB",
            "worker-3 systemd[1]: java.service: Main process exited, code=killed, status=9/KILL",
            "worker-3 systemd[1200]: vte-spawn-1.scope: systemd-oomd killed 3 process(es) in this"
                + " unit.",
            "worker-3 systemd-oomd[600]: Killed /user.slice/user-1000.slice/app.scope due to memory"
                + " pressure",
            "worker-3 kubelet[800]: I0203 09:00:00.100000     800 eviction_manager.go:368]"
                + " \"Eviction manager: pods evicted, waiting for pod to be cleaned up\""
                + " pods=[\"default/web-0\"]",
            "worker-3 init[1]: foo.service: Failed with result 'oom-kill'.",
            "worker-3 python3[777]:   Sending SIGTERM to the victim");

    JournalLog newest =
        new KillerJournalReader("journalctl", System.getenv("PATH"), Duration.ofSeconds(30), 2)
            .directory(journal)
            .open();
    assertThat(readAll(newest).lines().map(l -> l.substring(l.indexOf(": ") + 2)))
        .containsExactly(
            "foo.service: Failed with result 'oom-kill'.", "  Sending SIGTERM to the victim");
    assertThat(newest.problems())
        .extracting(Problem::message)
        .singleElement()
        .asString()
        .startsWith("journalctl printed its limit of 2 entries, the newest;");
  }

  /** One journal entry, written one millisecond after the one before it. */
  private record Entry(String boot, String unit, String identifier, int pid, String message) {}

  /** Journal files holding {@code entries}, made by systemd-journal-remote from export format. */
  private Path journal(Path remote, Entry[] entries) throws Exception {
    StringBuilder export = new StringBuilder();
    for (int i = 0; i < entries.length; i++) {
      Entry e = entries[i];
      export
          .append("__REALTIME_TIMESTAMP=")
          .append(1_770_109_200_000_000L + i * 1000L)
          .append("\n__MONOTONIC_TIMESTAMP=")
          .append(5_000_000L + i * 1000L)
          .append("\n_BOOT_ID=")
          .append(e.boot())
          .append("\n_SYSTEMD_UNIT=")
          .append(e.unit())
          .append("\nSYSLOG_IDENTIFIER=")
          .append(e.identifier())
          .append("\n_PID=")
          .append(e.pid())
          .append("\n_HOSTNAME=worker-3\nPRIORITY=5\nMESSAGE=")
          .append(e.message())
          .append("\n\n");
    }
    Path input = dir.resolve("entries.export");
    Files.writeString(input, export, StandardCharsets.UTF_8);
    Path journal = Files.createDirectories(dir.resolve("journal"));
    Process p =
        new ProcessBuilder(
                remote.toString(),
                "-o",
                journal.resolve("test.journal").toString(),
                input.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("remote.out").toFile())
            .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(dir.resolve("remote.out"))).isZero();
    return journal;
  }
}
