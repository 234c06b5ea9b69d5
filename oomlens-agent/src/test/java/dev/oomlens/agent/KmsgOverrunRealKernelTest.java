package dev.oomlens.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.oomlens.agent.WatchRealKernelTest.Agent1;
import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.core.model.Input;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.rules.EvidenceSet;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real ring-buffer overrun: the agent is stopped (SIGSTOP) while a kill happens and the kernel
 * log is filled past it, then let go. The kernel answers its next read with EPIPE; the agent must
 * count and record the records it lost, keep capturing, and the history must say that it has a gap
 * rather than show the lost kill's absence as no kill.
 *
 * <p>The filling goes through /dev/kmsg itself, as root, one debug-level line per write. The kernel
 * limits each open file to 10 writes in 5 s (printk_devkmsg=ratelimit, dropping the rest silently),
 * so each burst of writes uses a file of its own. How big the ring buffer is needs no guess: a
 * reader of the test's own, placed just after a marker line, is read once per burst, and the
 * filling stops when that reader gets EPIPE, i.e. when the records after the marker, and so all
 * that the stopped agent had not read, were overwritten.
 */
class KmsgOverrunRealKernelTest {
  private static final long LIMIT = 16L << 20;
  private static final Path KMSG = Path.of("/dev/kmsg");
  private static final int LINES_PER_FILE = 10;
  private static final long MAX_FILL_BYTES = 256L << 20;

  @TempDir Path tmp;

  @Test
  void agentStoppedWhileTheRingBufferWraps_lossCountedAndRecorded_captureGoesOn() throws Exception {
    Optional<String> whyNot = CgroupLab.whyNot();
    assumeThat(whyNot).as("real-kernel test skipped: %s", whyNot.orElse("")).isEmpty();
    String devkmsg = Files.readString(Path.of("/proc/sys/kernel/printk_devkmsg")).strip();
    assumeThat(devkmsg)
        .as("real-kernel overrun test skipped: printk_devkmsg is %s, writes refused", devkmsg)
        .isNotEqualTo("off");
    Path db = tmp.resolve("history.db");
    CgroupLab.Container c = CgroupLab.container();
    try (CgroupLab lab = new CgroupLab(tmp)) {
      Path cg = lab.cgroup(c.path(), LIMIT);
      Path hog = lab.hog("hog-" + c.containerId().substring(0, 6));
      Agent1 agent = Agent1.start(db);
      try {
        long before = lab.killOnce(cg, hog);
        assertThat(WatchRealKernelTest.awaitStored(db, List.of(before), Duration.ofSeconds(30)))
            .as("a kill before the overrun")
            .containsKey(before);

        signal("STOP", agent.process().pid());
        long overwritten;
        long filled;
        try {
          overwritten = lab.killOnce(cg, hog);
          filled = fillUntilWrapped();
          System.out.println(
              "KmsgOverrunRealKernelTest: wrote "
                  + filled
                  + " bytes to /dev/kmsg before the ring buffer wrapped");
        } finally {
          signal("CONT", agent.process().pid());
        }
        long after = lab.killOnce(cg, hog);
        assertThat(WatchRealKernelTest.awaitStored(db, List.of(after), Duration.ofSeconds(30)))
            .as("capture goes on after the overrun")
            .containsKey(after);
        assertThat(WatchRealKernelTest.stored(db, List.of(overwritten)))
            .as("the kill whose report was overwritten before it was read")
            .isEmpty();

        double lostCounted = lostCounted(agent.port());
        assertThat(lostCounted).as("oomlens_kmsg_records_lost_total").isPositive();
        try (History h = History.openToRead(db, Clock.systemUTC())) {
          List<History.LostRecords> gaps = h.lost();
          assertThat(gaps).as("gaps recorded in the history").isNotEmpty();
          assertThat(gaps.stream().mapToLong(History.LostRecords::count).sum())
              .as("records named by the gaps, against the counter")
              .isEqualTo((long) lostCounted);

          EvidenceSet.Builder b = EvidenceSet.builder();
          new HistorySource(h, new ReaderOptions(LocalDate.now()), k -> true).readInto(b);
          Input input = b.build().inputs().getFirst();
          assertThat(input.problems())
              .as("history and doctor read the history as not whole")
              .anySatisfy(
                  p -> {
                    assertThat(p.kind()).isEqualTo(Problem.Kind.DAMAGED);
                    assertThat(p.message()).contains("overwritten in the kernel's ring buffer");
                  });
        }
      } finally {
        agent.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * Writes debug-level lines to /dev/kmsg until a reader placed after a marker of its own gets
   * EPIPE; returns the bytes written.
   */
  private static long fillUntilWrapped() throws IOException {
    String marker = "oomlens-test: overrun marker " + UUID.randomUUID();
    write(List.of("<7>" + marker));
    try (FileInputStream probe = new FileInputStream(KMSG.toFile())) {
      byte[] record = new byte[8192];
      // A new reader starts at the oldest record: read up to the marker.
      while (true) {
        int n = probe.read(record);
        if (n > 0 && new String(record, 0, n, StandardCharsets.UTF_8).contains(marker)) {
          break;
        }
      }
      String filler =
          "<7>oomlens-test: filling the kernel log to test an overrun " + "x".repeat(800);
      long written = 0;
      while (written < MAX_FILL_BYTES) {
        List<String> burst = java.util.Collections.nCopies(LINES_PER_FILE, filler);
        for (int i = 0; i < 8; i++) {
          written += write(burst);
        }
        try {
          probe.read(record);
        } catch (IOException e) {
          if (String.valueOf(e.getMessage()).contains("Broken pipe")) {
            return written;
          }
          throw e;
        }
      }
      throw new IllegalStateException(
          "the ring buffer did not wrap after " + written + " bytes written to /dev/kmsg");
    }
  }

  /** Writes each line as one record through a file of its own (the kernel's per-file limit). */
  private static long write(List<String> lines) throws IOException {
    long bytes = 0;
    try (FileOutputStream out = new FileOutputStream(KMSG.toFile())) {
      for (String line : lines) {
        byte[] b = (line + "\n").getBytes(StandardCharsets.UTF_8);
        out.write(b);
        bytes += b.length;
      }
    }
    return bytes;
  }

  private static void signal(String name, long pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill -" + name + " " + pid + " failed");
    }
  }

  private static double lostCounted(int port) throws Exception {
    for (String line : WatchRealKernelTest.scrape(port).split("\n")) {
      if (line.startsWith("oomlens_kmsg_records_lost_total ")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return 0;
  }
}
