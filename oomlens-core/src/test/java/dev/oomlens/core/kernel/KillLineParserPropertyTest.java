package dev.oomlens.core.kernel;

import static dev.oomlens.core.kernel.GeneratedLines.damaged;
import static dev.oomlens.core.kernel.GeneratedLines.name;
import static dev.oomlens.core.kernel.GeneratedLines.pick;
import static dev.oomlens.core.kernel.GeneratedLines.visible;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The hand-written reading of the kill, reaper and ending lines ({@link KillLineParser}) against
 * the regular expressions it replaced (KillLineRegexParser): the same result on generated lines,
 * whole, cut and damaged, with names of any character, and on every line of the corpus. The one
 * difference allowed: a sharing or mm-pinned line whose pid does not fit a long made the patterns'
 * reader throw; it is no such line now.
 */
class KillLineParserPropertyTest {
  private static final String[] PREFIXES = {
    "",
    "Out of memory: ",
    "Memory cgroup out of memory: ",
    "Out of memory (oom_kill_allocating_task): ",
    ": ",
    "x: y: ",
    "a: Killed process 1 (",
    "Kill process 2 (b) score 3 or sacrifice child: ",
    "OOM victim 4 (c: ",
    " "
  };
  private static final String[] NAMES = {
    "java",
    "CPU 1/KVM",
    "runc:[2:INIT]",
    "a) total-vm:1kB, (b",
    ") score 7 or sacrifice child",
    "x) sharing same memory",
    ") has mm pinned by 3 (y",
    "), now anon-rss:5kB",
    ": Killed process 9 (z",
    ": OOM victim 8 (w",
    "(",
    ")",
    "",
    " ",
    "\r",
    "\u0085",
    "\u2028",
    "\u2029",
    "\n",
    "tab\there",
    "\u00e9\u4e2d"
  };
  private static final String[] NUMBERS = {
    "0",
    "1",
    "31337",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "99999999999999999999",
    "-5",
    "00012",
    "",
    "12x",
    "-",
    "999",
    "-1000",
    "1000000"
  };
  private static final String[] ODD = {" ", "\t", "\u2028", "\u0085", ")", "(", ": ", "x", "\r"};

  @Test
  void handWrittenReaderAgreesWithTheRegularExpressions() {
    AtomicInteger read = new AtomicInteger();
    qt().withExamples(60_000)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              String line = line(new Random(seed));
              Optional<KillLine> expected = reference(line);
              assertThat(KillLineParser.parse(line))
                  .as("seed %d: %s", seed, visible(line))
                  .isEqualTo(expected);
              read.addAndGet(expected.isPresent() ? 1 : 0);
            });
    assertThat(read.get()).isGreaterThan(20_000);
  }

  @Test
  void handWrittenReaderAgreesWithTheRegularExpressionsOnTheCorpus() {
    List<String> lines = CorpusMessages.all();
    int read = 0;
    for (String line : lines) {
      Optional<KillLine> expected = reference(line);
      assertThat(KillLineParser.parse(line)).as(visible(line)).isEqualTo(expected);
      read += expected.isPresent() ? 1 : 0;
    }
    assertThat(read).isGreaterThan(10);
  }

  private static Optional<KillLine> reference(String line) {
    try {
      return KillLineRegexParser.parse(line);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  static String line(Random random) {
    String name = name(random, NAMES);
    String line =
        switch (random.nextInt(10)) {
          case 0 ->
              pick(random, PREFIXES)
                  + "Kill process "
                  + number(random)
                  + " ("
                  + name
                  + ") score "
                  + number(random)
                  + " or sacrifice child";
          case 1, 2 ->
              pick(random, PREFIXES)
                  + "Killed process "
                  + number(random)
                  + " ("
                  + name
                  + ") total-vm:"
                  + number(random)
                  + "kB, anon-rss:"
                  + number(random)
                  + "kB, file-rss:"
                  + number(random)
                  + (random.nextBoolean() ? "kB" : "KB")
                  + ", shmem-rss:"
                  + number(random)
                  + "kB"
                  + (random.nextBoolean()
                      ? ", UID:"
                          + number(random)
                          + " pgtables:"
                          + number(random)
                          + "kB oom_score_adj:"
                          + number(random)
                      : "");
          case 3 ->
              pick(random, PREFIXES)
                  + "Kill process "
                  + number(random)
                  + " ("
                  + name
                  + ") sharing same memory";
          case 4 ->
              "oom killer "
                  + number(random)
                  + " ("
                  + name
                  + ") has mm pinned by "
                  + number(random)
                  + " ("
                  + name(random, NAMES)
                  + ")";
          case 5 ->
              pick(random, PREFIXES)
                  + "OOM victim "
                  + number(random)
                  + " ("
                  + name
                  + ") is already exiting. Skip killing the task";
          case 6 ->
              "oom_reaper: reaped process "
                  + number(random)
                  + " ("
                  + name
                  + "), now anon-rss:"
                  + number(random)
                  + "kB, file-rss:0kB, shmem-rss:0kB";
          case 7 -> "oom_reaper: unable to reap pid:" + number(random) + " (" + name + ")";
          case 8 -> "Tasks in " + name + " are going to be killed due to memory.oom.group set";
          default ->
              switch (random.nextInt(5)) {
                case 0 -> "Kernel panic - not syncing: Out of memory and no killable processes...";
                case 1 -> "Kernel panic - not syncing: System is deadlocked on memory" + name;
                case 2 -> "Out of memory and no killable processes...";
                case 3 -> "Kernel panic - not syncing: " + name;
                default -> name + ": usage " + number(random) + "kB";
              };
        };
    return damaged(random, line, ODD);
  }

  private static String number(Random random) {
    return random.nextInt(3) == 0 ? pick(random, NUMBERS) : Long.toString(random.nextInt(1 << 30));
  }
}
