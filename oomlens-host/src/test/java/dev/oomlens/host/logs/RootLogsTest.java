package dev.oomlens.host.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.oomlens.core.model.Problem;
import dev.oomlens.host.LiveLog;
import dev.oomlens.host.paths.HostPaths;
import dev.oomlens.host.snapshot.SnapshotWriter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fake roots laid out as real hosts lay out their logs (rsyslog's kern.log and its rotations,
 * RHEL's dated messages, a journal written by systemd-journal-remote, a snapshot): what is found is
 * that root's, never this machine's.
 */
@Timeout(90)
class RootLogsTest {
  private static final String BOOT = "0123456789abcdef0123456789abcdef";
  private static final String OLD_BOOT = "fedcba9876543210fedcba9876543210";

  @TempDir Path dir;

  private final AtomicBoolean kmsgOpened = new AtomicBoolean();

  /** This machine: a /proc with its own boot id, and a /dev/kmsg that must not be opened. */
  private HostPaths thisMachine() throws IOException {
    Path proc = dir.resolve("this/proc");
    Files.createDirectories(proc.resolve("sys/kernel/random"));
    Files.writeString(
        proc.resolve("sys/kernel/random/boot_id"), "6b2a1f0e-3c4d-4e5f-8a9b-0c1d2e3f4a5b\n");
    return HostPaths.under(dir.resolve("this"));
  }

  private Supplier<LiveLog> thisKmsg() {
    return () -> {
      kmsgOpened.set(true);
      return new FileLog(dir.resolve("this-kmsg"));
    };
  }

  private RootLogs find(Path root) throws IOException {
    return RootLogs.find(HostPaths.under(root), thisMachine(), thisKmsg());
  }

  private static Path touch(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    return Files.writeString(file, text);
  }

  private static List<String> names(List<Supplier<LiveLog>> logs) {
    return logs.stream()
        .map(
            s -> {
              try (LiveLog log = s.get()) {
                return log.name();
              }
            })
        .toList();
  }

  private static String readAll(LiveLog log) throws IOException {
    try (InputStream in = log.stream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void find_kernLogWithRotations_readsThemOldestFirstAndTheKillersFromSyslog() throws IOException {
    Path root = dir.resolve("host");
    Path log = root.resolve("var/log");
    for (String name :
        List.of(
            "kern.log",
            "kern.log.1",
            "kern.log.2.gz",
            "kern.log.10.gz",
            "kern.log.old",
            "syslog",
            "syslog.1")) {
      touch(log.resolve(name), name + "\n");
    }

    RootLogs found = find(root);

    assertThat(found.sources())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.files())
                  .containsExactly(
                      log.resolve("kern.log.10.gz"),
                      log.resolve("kern.log.2.gz"),
                      log.resolve("kern.log.1"),
                      log.resolve("kern.log"));
              assertThat(s.live()).isEmpty();
              assertThat(names(s.killers()))
                  .containsExactly(
                      log.resolve("syslog.1").toString(), log.resolve("syslog").toString());
              assertThat(s.name()).isEqualTo(log.resolve("kern.log") + " and 3 rotations");
            });
    assertThat(found.problems()).isEmpty();
    assertThat(kmsgOpened).isFalse();
  }

  @Test
  void find_datedMessages_holdTheKernelsAndTheKillersLinesInOnePass() throws IOException {
    Path root = dir.resolve("rhel");
    Path log = root.resolve("var/log");
    for (String name : List.of("messages", "messages-20240308", "messages-20240301.gz", "secure")) {
      touch(log.resolve(name), name + "\n");
    }

    RootLogs found = find(root);

    assertThat(found.sources())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.files())
                  .containsExactly(
                      log.resolve("messages-20240301.gz"),
                      log.resolve("messages-20240308"),
                      log.resolve("messages"));
              assertThat(s.killers()).as("read in the same pass as the kernel's lines").isEmpty();
            });
  }

  @Test
  void find_kernLogBesideAJournal_takesTheKillersFromTheJournal() throws IOException {
    Path root = dir.resolve("ubuntu");
    Path log = root.resolve("var/log");
    touch(log.resolve("kern.log"), "x\n");
    touch(log.resolve("syslog"), "x\n");
    touch(log.resolve("journal/0123/system.journal"), "");

    RootLogs found = find(root);

    assertThat(found.sources())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.files()).containsExactly(log.resolve("kern.log"));
              assertThat(names(s.killers()))
                  .containsExactly("journalctl -D " + log.resolve("journal") + " -b (OOM killers)");
            });
  }

  /**
   * A journal of two boots written by systemd-journal-remote: {@code -k -b} with {@code -D} reads
   * the kernel's messages of the last boot the files hold, and the killers' query its killers.
   */
  @Test
  void find_onlyAJournal_readsItWithJournalctlDAndItsLastBoot() throws Exception {
    Optional<String> missing = JournalFiles.missing();
    System.out.println(
        "RootLogsTest: "
            + missing
                .map(m -> "skipped: " + m)
                .orElse("writes a journal with systemd-journal-remote"));
    assumeTrue(missing.isEmpty(), missing.orElse(""));
    Path root = dir.resolve("fedora");
    Path journal =
        JournalFiles.write(
            root.resolve("var/log"),
            JournalFiles.entry(
                    0,
                    OLD_BOOT,
                    "_TRANSPORT=kernel\nSYSLOG_IDENTIFIER=kernel\n",
                    "Out of memory: Killed process 1 (old) of the boot before")
                + JournalFiles.entry(
                    1,
                    BOOT,
                    "_TRANSPORT=kernel\nSYSLOG_IDENTIFIER=kernel\n",
                    "Out of memory: Killed process 4242 (java) total-vm:100kB, anon-rss:90kB,"
                        + " file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0")
                + JournalFiles.entry(
                    2,
                    BOOT,
                    "_SYSTEMD_UNIT=earlyoom.service\n" + "SYSLOG_IDENTIFIER=earlyoom\n_PID=904\n",
                    "sending SIGKILL to process 5150 uid 0"
                        + " \"batch\": badness 800, VmRSS 2100 MiB")
                + JournalFiles.entry(
                    3,
                    BOOT,
                    "_SYSTEMD_UNIT=sshd.service\nSYSLOG_IDENTIFIER=sshd\n" + "_PID=700\n",
                    "Accepted publickey for root"));

    RootLogs found = find(root);

    assertThat(found.sources())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.files()).isEmpty();
              try (LiveLog kernel = s.live().orElseThrow().get()) {
                assertThat(kernel.name()).isEqualTo("journalctl -D " + journal + " -k -b");
                assertThat(readAll(kernel).lines().toList())
                    .singleElement()
                    .asString()
                    .endsWith(
                        " worker-3 kernel: Out of memory: Killed process 4242 (java) total-vm:100kB,"
                            + " anon-rss:90kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB"
                            + " oom_score_adj:0");
                assertThat(kernel.problems()).isEmpty();
              }
              assertThat(s.killers())
                  .singleElement()
                  .satisfies(
                      k -> {
                        try (LiveLog killers = k.get()) {
                          assertThat(killers.name())
                              .isEqualTo("journalctl -D " + journal + " -b (OOM killers)");
                          assertThat(readAll(killers))
                              .contains("earlyoom[904]: sending SIGKILL to process 5150")
                              .doesNotContain("sshd");
                        }
                      });
            });
    assertThat(kmsgOpened).isFalse();
  }

  @Test
  void find_snapshot_readsItsKernelLogAndKillersAndWhatItLost() throws IOException {
    Path snap = dir.resolve("snap");
    SnapshotWriter writer = SnapshotWriter.into(snap);
    writer.saveLog(
        SnapshotWriter.KERNEL_LOG,
        List.of(
            () ->
                new FakeLog(
                    "/dev/kmsg",
                    "6,1,100,-;Linux version 6.8.0\n6,9,200,-;hello\n",
                    List.of(
                        new Problem(
                            "/dev/kmsg",
                            2,
                            "records 2..8 were overwritten in the kernel's ring buffer before they could be"
                                + " read")))));
    writer.saveLog(
        SnapshotWriter.KILLERS_LOG,
        List.of(
            () ->
                new FakeLog(
                    "journalctl -b (OOM" + " killers)",
                    "2026-02-03T09:00:00.000000+0000 n earlyoom[9]: hello\n",
                    List.of())));
    writer.finish();

    RootLogs found = find(snap);

    assertThat(found.sources())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.files()).containsExactly(snap.resolve("kernel.log"));
              assertThat(names(s.killers()))
                  .containsExactly(snap.resolve("killers.log").toString());
            });
    assertThat(found.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.file()).isEqualTo(snap.resolve("kernel.log").toString());
              assertThat(p.line()).isEqualTo(2);
              assertThat(p.message()).startsWith("records 2..8 were overwritten");
            });
  }

  @Test
  void find_snapshotWithoutItsKernelLog_hasNoSourceAndSaysWhyNot() throws IOException {
    Path snap = dir.resolve("snap");
    SnapshotWriter writer = SnapshotWriter.into(snap);
    writer.saveLog(
        SnapshotWriter.KERNEL_LOG,
        List.of(
            () ->
                new FakeLog(
                    "/dev/kmsg",
                    "",
                    List.of(
                        new Problem("/dev/kmsg", 0, "cannot read /dev/kmsg: permission denied")))));
    writer.saveLog(
        SnapshotWriter.KILLERS_LOG,
        List.of(
            () ->
                new FakeLog(
                    "journalctl",
                    "",
                    List.of(new Problem("journalctl", 0, "no systemd journal on this machine")))));
    writer.finish();
    // Even a kern.log in the tree is not taken for the kernel log the snapshot could not save.
    touch(snap.resolve("var/log/kern.log"), "x\n");

    RootLogs found = find(snap);

    assertThat(found.isEmpty()).isTrue();
    assertThat(found.problems())
        .extracting(Problem::toString)
        .containsExactly(
            snap.resolve("killers.log")
                + ": the snapshot could not save the records of userspace"
                + " OOM killers (no systemd journal on this machine); what it holds is unknown",
            snap.resolve("kernel.log")
                + ": the snapshot could not save the kernel log (cannot read"
                + " /dev/kmsg: permission denied); what it holds is unknown");
    assertThat(found.problems()).allMatch(p -> p.kind() == Problem.Kind.UNREADABLE);
    assertThat(found.notFound())
        .isEqualTo(
            "no kernel log found under "
                + snap
                + "; looked at "
                + snap.resolve("kernel.log")
                + " (a snapshot)");
  }

  @Test
  void find_emptyRoot_findsNothingAndSaysWhereItLooked() throws IOException {
    Path root = Files.createDirectories(dir.resolve("bare"));

    RootLogs found = find(root);

    assertThat(found.isEmpty()).isTrue();
    assertThat(found.notFound())
        .isEqualTo(
            "no kernel log found under "
                + root
                + "; looked at "
                + root.resolve("oomlens-manifest.txt")
                + " (a snapshot), "
                + root.resolve("var/log/kern.log")
                + ", "
                + root.resolve("var/log/messages")
                + ", "
                + root.resolve("var/log/syslog")
                + ", "
                + root.resolve("var/log/journal")
                + ", "
                + root.resolve("run/log/journal"));
    assertThat(kmsgOpened).isFalse();
  }

  @Test
  void find_rootOnThisVeryKernel_readsThisKmsgFirstThenItsOwnLogs() throws IOException {
    Path root = dir.resolve("node");
    Files.createDirectories(root.resolve("proc/sys/kernel/random"));
    Files.copy(
        thisMachine().proc().resolve("sys/kernel/random/boot_id"),
        root.resolve("proc/sys/kernel/random/boot_id"));
    touch(root.resolve("var/log/kern.log"), "x\n");
    touch(root.resolve("var/log/syslog"), "x\n");

    RootLogs found = find(root);

    assertThat(found.sources()).hasSize(2);
    assertThat(found.sources().get(0).name())
        .isEqualTo("/dev/kmsg (" + root + " runs on this kernel)");
    assertThat(found.sources().get(0).live()).isPresent();
    assertThat(names(found.sources().get(0).killers()))
        .containsExactly(root.resolve("var/log/syslog").toString());
    assertThat(found.sources().get(1).files()).containsExactly(root.resolve("var/log/kern.log"));
  }

  @Test
  void find_rootOnAnotherKernel_neverThisKmsg() throws IOException {
    Path root = dir.resolve("other");
    touch(root.resolve("proc/sys/kernel/random/boot_id"), "00000000-1111-2222-3333-444444444444\n");
    touch(root.resolve("var/log/kern.log"), "x\n");

    RootLogs found = find(root);

    assertThat(found.sources()).singleElement().satisfies(s -> assertThat(s.live()).isEmpty());
  }

  @Test
  void source_isFilesOrALiveLogNotBoth() {
    assertThatThrownBy(() -> new RootLogs.Source("x", List.of(), Optional.empty(), List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void fileLog_missingFile_isUnreadableAndEmpty() throws IOException {
    try (FileLog log = new FileLog(dir.resolve("gone.log"))) {
      assertThat(readAll(log)).isEmpty();
      assertThat(log.problems())
          .singleElement()
          .satisfies(
              p -> {
                assertThat(p.kind()).isEqualTo(Problem.Kind.UNREADABLE);
                assertThat(p.message())
                    .isEqualTo(
                        "cannot read " + dir.resolve("gone.log") + ": No such file or directory");
              });
    }
  }

  /** A live log over fixed text and problems. */
  private record FakeLog(String name, String text, List<Problem> problems) implements LiveLog {
    @Override
    public InputStream stream() {
      return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {}
  }
}
