package dev.oomlens.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real full disk: the history on a 1 MiB tmpfs filled by another file. Writes that fail with
 * SQLITE_FULL go to memory, nothing is lost, and once space is freed the file gets it all.
 */
class HistoryDiskFullTest {
  private static final Instant T0 = Instant.parse("2026-12-05T07:00:00Z");

  @TempDir Path tmp;

  @Test
  void diskFull_keptInMemory_thenWrittenWhenThereIsRoom() throws Exception {
    assumeThat(CgroupLab.whyNot().filter(w -> w.startsWith("not running as root")))
        .as("disk-full test skipped: mounting a tmpfs needs root")
        .isEmpty();
    Path mnt = Files.createDirectory(tmp.resolve("small"));
    run("mount", "-t", "tmpfs", "-o", "size=1m", "oomlens-test", mnt.toString());
    try {
      HistoryTest.MutableClock clock = new HistoryTest.MutableClock(T0);
      Path db = mnt.resolve("h.db");
      Path filler = mnt.resolve("filler");
      int stored = 0;
      try (History h = History.openForAgent(db, clock)) {
        h.boot("b1", T0);
        assertThat(h.writable()).isTrue();
        try (OutputStream out = Files.newOutputStream(filler)) {
          byte[] block = new byte[4096];
          while (true) {
            out.write(block);
            out.flush();
          }
        } catch (IOException full) {
          // The disk is full now.
        }
        for (int i = 1; i <= 40; i++) {
          assertThat(h.addKill(kill(i), i)).as("kill %s stored", i).isTrue();
          stored++;
        }
        assertThat(h.writable()).as("the file refused a write: memory took over").isFalse();
        assertThat(h.notes())
            .anySatisfy(n -> assertThat(n).startsWith("cannot write " + db).contains("full"));

        Files.delete(filler);
        clock.now = T0.plusSeconds(31);
        assertThat(h.retryFile(Duration.ofSeconds(30))).isTrue();
        assertThat(h.writable()).isTrue();
      }
      try (History h = History.openToRead(db, clock)) {
        assertThat(h.kills(Optional.empty())).hasSize(stored);
        assertThat(h.cursor("b1")).hasValue(40);
      }
    } finally {
      run("umount", mnt.toString());
    }
  }

  private static KillRecord kill(long seq) {
    // Large enough that a few dozen cannot fit in what the filler leaves.
    String report =
        ("3,"
                + seq
                + ",1,-;Memory cgroup out of memory: Killed process "
                + seq
                + " (hog) total-vm:1kB\n")
            .repeat(200);
    return new KillRecord(
        "b1",
        seq,
        seq,
        seq,
        T0.plusSeconds(seq),
        OptionalLong.of(seq),
        Optional.of("hog"),
        OptionalLong.empty(),
        Optional.of("/x"),
        "report",
        Optional.of("/x"),
        Verdict.LIMIT,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        "s",
        report,
        "{}");
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("%s: %s", String.join(" ", command), out).isZero();
  }
}
