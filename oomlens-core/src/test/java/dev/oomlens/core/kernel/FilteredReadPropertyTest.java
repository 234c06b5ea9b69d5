package dev.oomlens.core.kernel;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import dev.oomlens.core.model.OomReport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parallel scan with {@link CandidateFilter} reads every input exactly as without it: same
 * reports, allocation failures, killer events and problems, at the same lines.
 */
class FilteredReadPropertyTest {
  private static final ReaderOptions OPTIONS = new ReaderOptions(LocalDate.of(2026, 2, 3));

  @TempDir Path dir;

  /** Every line of every test log: the corpus, pasted and VM lab reports, framings, killers. */
  private static final List<String> LINES = testLines();

  /** Framings put in front of a line: none, dmesg, syslog, RFC 3339, journal, kmsg, a blank. */
  private static final String[] FRAMES = {
    "",
    "",
    "[ 3981.080995] ",
    "[Sun Nov 22 10:00:01 2026] ",
    "Feb  3 19:57:08 node-1 kernel: ",
    "Feb  3 19:57:08 node-2 kernel: [ 3981.080995] ",
    "Feb  3 19:57:09 node-1 systemd[1]: ",
    "Feb  3 19:57:09 node-1 earlyoom[904]: ",
    "2026-02-03T19:57:08.123456+00:00 node-1 kernel: ",
    "2026-02-03T19:57:08+0000 node-2 nohang[77]: ",
    "[  123.456789] node-1 kernel: ",
    "<6>Feb  3 19:57:08 node-1 kernel: ",
    "4,503,3981080995,-;",
    "4,504,3981080996,c;",
    " ",
    "\t",
    "- ",
    "`",
  };

  /** Hostile pieces: anchors and phrases cut, in names, beside CR, NUL, ESC and escapes. */
  private static final String[] PIECES = {
    "oom",
    "zoom",
    "Kill",
    "kill",
    "Killing process 12 (zoom) with signal SIGKILL.",
    "Killed process ",
    "Killed process 4242 (zoom) total-vm:1000kB, anon-rss:10kB, file-rss:0kB, shmem-rss:0kB",
    "oom_reaper: reaped process 4242 (zoom), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
    "failure: order:0",
    "page allocation failure: order:2, mode:0x40cc0(GFP_KERNEL|__GFP_COMP), nodemask=(null)",
    "vict",
    "Victim is zoom, pid: 12, badness: 3, VmRSS: 100 MiB",
    "nohang",
    "CPU: 1 PID: 2 Comm: zoom Not tainted 6.1.0 #1",
    "Call Trace:",
    " oom_kill_process+0x1/0x2",
    "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
    "#012",
    "#011Killed process 1 (a)",
    "\\x0a",
    "\u001b[31m",
    "\r",
    "\0",
    "\u00e9",
    " ",
    "\n",
    "\n",
    "\n",
    "\n ",
    "\n\t",
  };

  @Test
  void read_withFilter_isTheReadWithout() {
    qt().withExamples(300)
        .forAll(lists().of(integers().between(0, Integer.MAX_VALUE - 1)).ofSizeBetween(1, 400))
        .checkAssert(
            picks -> {
              byte[] log = log(picks);
              assertThat(read(log, true)).isEqualTo(read(log, false));
            });
  }

  @Test
  void read_withFilter_isTheReadWithout_inSmallWindows() {
    // Windows of a few hundred bytes: lines turned away at a window's end, continuation lines at
    // the next one's start, lines cut as too long.
    qt().withExamples(150)
        .forAll(
            lists().of(integers().between(0, Integer.MAX_VALUE - 1)).ofSizeBetween(1, 200),
            integers().between(128, 2048))
        .checkAssert(
            (picks, window) -> {
              byte[] log = log(picks);
              assertThat(read(log, true, window, 64)).isEqualTo(read(log, false, window, 64));
            });
  }

  @Test
  void read_continuationLineInTheNextWindow_takesTheFramingOfTheLineTurnedAway() {
    // The input's first lines are all read; then a framed line no consumer uses ends the first
    // 256-byte window, and the next window begins with a continuation line of its record.
    String log =
        "x\n".repeat(ReportAssembler.START_LINES)
            + "Feb  3 19:57:08 node-9 kernel: zoom was denied\n"
            + " Killed process 4242 (zoom) total-vm:1000kB, anon-rss:10kB, file-rss:0kB,"
            + " shmem-rss:0kB\n";
    byte[] bytes = log.getBytes(UTF_8);

    String filtered = read(bytes, true, 256, 128);

    assertThat(filtered).isEqualTo(read(bytes, false, 256, 128)).contains("node-9");
  }

  @Test
  void read_withFilter_isTheReadWithout_onEveryTestLogWhole() throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (String line : LINES) {
      all.write((line + "\n").getBytes(UTF_8));
    }
    byte[] log = all.toByteArray();
    String filtered = read(log, true);
    assertThat(filtered).isEqualTo(read(log, false));
    assertThat(filtered).contains("OomReport[");
  }

  /** A log of lines picked from the test logs, framed, and cut or joined with hostile pieces. */
  private static byte[] log(List<Integer> picks) {
    StringBuilder out = new StringBuilder();
    for (int pick : picks) {
      int kind = pick % 8;
      int n = pick / 8;
      switch (kind) {
        case 0, 1, 2 -> out.append(LINES.get(n % LINES.size())).append('\n');
        case 3 -> {
          // A run of a test log's lines, so that reports form whole or in part.
          int from = n % LINES.size();
          for (int i = from; i < Math.min(LINES.size(), from + 1 + n % 120); i++) {
            out.append(LINES.get(i)).append('\n');
          }
        }
        case 4 ->
            out.append(FRAMES[n % FRAMES.length]).append(LINES.get(n % LINES.size())).append('\n');
        case 5 -> out.append(PIECES[n % PIECES.length]);
        case 6 ->
            out.append(FRAMES[n % FRAMES.length])
                .append(PIECES[(n / FRAMES.length) % PIECES.length])
                .append('\n');
        default -> {
          // A line cut anywhere, so that what follows lands in it.
          String line = LINES.get(n % LINES.size());
          out.append(line, 0, (n / LINES.size()) % (line.length() + 1));
        }
      }
    }
    return out.toString().getBytes(UTF_8);
  }

  private String read(byte[] log, boolean filter) {
    return read(
        log, filter, ParallelFileScanner.DEFAULT_WINDOW_BYTES, LineScanner.DEFAULT_MAX_LINE_BYTES);
  }

  private String read(byte[] log, boolean filter, int windowBytes, int maxLineBytes) {
    try {
      Path file = Files.write(dir.resolve(filter ? "filtered.log" : "whole.log"), log);
      ReportTestLines.Collected sink = new ReportTestLines.Collected();
      try (FileChannel channel = FileChannel.open(file)) {
        new KernelLogReader(OPTIONS, filter, windowBytes, maxLineBytes)
            .readInParallel("in.log", channel, sink);
      }
      // Reports of several hosts that wait for their reaper lines are handed over, once far
      // behind, in the order of their hosts; which lines are read decides which go together, so
      // the reports are compared in the order of their first lines.
      List<OomReport> reports = new ArrayList<>(sink.reports);
      reports.sort(Comparator.comparingLong(r -> r.source().firstLine()));
      return String.join(
          "\n",
          reports.toString(),
          sink.allocFailures.toString(),
          sink.killerEvents.toString(),
          sink.problems.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> testLines() {
    Path root = Path.of("src/test/resources");
    try (Stream<Path> files = Files.walk(root)) {
      List<String> lines = new ArrayList<>();
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        String name = f.getFileName().toString();
        if (name.endsWith(".log") || name.endsWith(".txt") || name.endsWith(".kmsg")) {
          lines.addAll(new String(Files.readAllBytes(f), UTF_8).lines().toList());
        }
      }
      return lines;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
