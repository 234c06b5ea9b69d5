package dev.oomlens.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.oomlens.host.LiveLog;
import dev.oomlens.host.paths.HostPaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code oomlens doctor --path.rootfs DIR} reads DIR's kernel log and journal, never this
 * machine's: fake roots with a kern.log, with a real journal, with nothing, and one on this very
 * kernel.
 */
@Timeout(90)
class DoctorRootfsTest {
  private static final String BOOT_ID = "6b2a1f0e-3c4d-4e5f-8a9b-0c1d2e3f4a5b\n";

  @TempDir Path dir;

  private final AtomicBoolean kmsgOpened = new AtomicBoolean();
  private final AtomicBoolean journalOpened = new AtomicBoolean();
  private final AtomicBoolean killersOpened = new AtomicBoolean();

  private Path thisMachine;
  private Path root;

  @BeforeEach
  void trees() throws IOException {
    thisMachine = dir.resolve("this");
    Files.createDirectories(thisMachine.resolve("proc/sys/kernel/random"));
    Files.writeString(thisMachine.resolve("proc/sys/kernel/random/boot_id"), BOOT_ID);
    root = dir.resolve("host");
    Files.createDirectories(root.resolve("proc/sys/kernel"));
    Files.writeString(
        root.resolve("proc/meminfo"),
        "MemTotal:        8000000 kB\n"
            + "MemFree:         1000000 kB\nMemAvailable:    6000000 kB\n"
            + "SwapTotal:             0 kB\nSwapFree:              0 kB\n");
    Files.writeString(root.resolve("proc/sys/kernel/hostname"), "aks-node\n");
  }

  /** This machine, whose every log holds an OOM kill that must never be read for the root. */
  private Environment env(Supplier<LiveLog> kmsg) {
    return new Environment(
        InputStream.nullInputStream(),
        Clock.fixed(Instant.parse("2026-02-03T10:00:00Z"), ZoneOffset.UTC),
        HostPaths.under(thisMachine),
        kmsg,
        opened(journalOpened, "journalctl -k -b"),
        opened(killersOpened, "killers"));
  }

  private Supplier<LiveLog> thisKmsg(String text) {
    return () -> {
      kmsgOpened.set(true);
      return new CliTest.FakeLog("/dev/kmsg", text, java.util.List.of());
    };
  }

  private static Supplier<LiveLog> opened(AtomicBoolean flag, String name) {
    return () -> {
      flag.set(true);
      return new CliTest.FakeLog(name, "", java.util.List.of());
    };
  }

  private static String aksReport() throws IOException {
    try (InputStream in =
        DoctorRootfsTest.class.getResourceAsStream(
            "/corpus/015-jpaztech-aks-5.15-burstable-pod-cgv2.log")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void doctor_rootWithKernLog_readsItAndNeverThisMachinesLogs() throws IOException {
    Path log = Files.createDirectories(root.resolve("var/log"));
    Files.writeString(log.resolve("kern.log"), aksReport());
    Files.writeString(log.resolve("syslog"), CliTest.EARLYOOM);

    CliTest.Run r = CliTest.run(env(thisKmsg("")), "doctor", "--path.rootfs", root.toString());

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains(
            "\nRead: kernel log "
                + log.resolve("kern.log")
                + "; "
                + log.resolve("syslog")
                + "; host ")
        .contains("[MEMCG-LIMIT, high]")
        .contains("Confirmed: 1 OOM kill by the kernel; 1 kill by a userspace killer");
    assertThat(kmsgOpened).isFalse();
    assertThat(journalOpened).isFalse();
    assertThat(killersOpened).isFalse();
  }

  @Test
  void doctor_rootWithoutLogs_isUnknownAndSaysWhereItLooked() {
    CliTest.Run r = CliTest.run(env(thisKmsg("")), "doctor", "--path.rootfs", root.toString());

    assertThat(r.code()).isEqualTo(ExitCodes.INPUT);
    assertThat(r.out())
        .contains("\nConfirmed: unknown: no kernel log found under " + root)
        .contains("\nRead: kernel log (none could be read); host ");
    assertThat(r.err())
        .startsWith(
            "oomlens: no kernel log found under "
                + root
                + "; looked at "
                + root.resolve("oomlens-manifest.txt")
                + " (a snapshot), "
                + root.resolve("var/log/kern.log")
                + ", ");
    assertThat(kmsgOpened).isFalse();
    assertThat(journalOpened).isFalse();
    assertThat(killersOpened).isFalse();
  }

  @Test
  void doctor_rootOnThisVeryKernel_readsThisKmsgAsTheRootsKernelLog() throws IOException {
    Files.createDirectories(root.resolve("proc/sys/kernel/random"));
    Files.writeString(root.resolve("proc/sys/kernel/random/boot_id"), BOOT_ID);

    CliTest.Run r =
        CliTest.run(
            env(thisKmsg("6,1,100,-;Linux version 6.8.0\n")),
            "doctor",
            "--path.rootfs",
            root.toString());

    assertThat(kmsgOpened).isTrue();
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("\nRead: kernel log /dev/kmsg; host ");
    assertThat(journalOpened).isFalse();
  }

  @Test
  void doctor_rootWithAJournal_readsItWithJournalctlD() throws Exception {
    Path remote =
        Stream.of("/usr/lib/systemd/systemd-journal-remote", "/lib/systemd/systemd-journal-remote")
            .map(Path::of)
            .filter(Files::isExecutable)
            .findFirst()
            .orElse(null);
    boolean journalctl =
        Stream.of(System.getenv("PATH").split(":"))
            .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, "journalctl")));
    String skip =
        remote == null
            ? "no systemd-journal-remote"
            : !journalctl ? "no journalctl on the PATH" : null;
    System.out.println(
        "DoctorRootfsTest: " + (skip == null ? "runs journalctl -D" : "skipped: " + skip));
    assumeTrue(skip == null, skip);
    StringBuilder export = new StringBuilder();
    int i = 0;
    for (String line : aksReport().lines().toList()) {
      String message = line.substring(line.indexOf("] ") + 2);
      export
          .append("__REALTIME_TIMESTAMP=")
          .append(1_770_109_200_000_000L + i * 1000L)
          .append("\n__MONOTONIC_TIMESTAMP=")
          .append(36_370_000_000L + i * 1000L)
          .append("\n_BOOT_ID=0123456789abcdef0123456789abcdef\n_TRANSPORT=kernel")
          .append("\nSYSLOG_IDENTIFIER=kernel\n_HOSTNAME=aks-node\nPRIORITY=4\nMESSAGE=")
          .append(message)
          .append("\n\n");
      i++;
    }
    Path input = Files.writeString(dir.resolve("entries.export"), export);
    Path journal = root.resolve("var/log/journal");
    Path file = journal.resolve("0123456789abcdef0123456789abcdef/system.journal");
    Files.createDirectories(file.getParent());
    Process p =
        new ProcessBuilder(remote.toString(), "-o", file.toString(), input.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("remote.out").toFile())
            .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(dir.resolve("remote.out"))).isZero();

    CliTest.Run r = CliTest.run(env(thisKmsg("")), "doctor", "--path.rootfs", root.toString());

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains(
            "\nRead: kernel log journalctl -D "
                + journal
                + " -k -b;"
                + " journalctl -D "
                + journal
                + " -b (OOM killers); host ")
        .contains("[MEMCG-LIMIT, high]");
    assertThat(kmsgOpened).isFalse();
    assertThat(journalOpened).isFalse();
    assertThat(killersOpened).isFalse();
  }
}
