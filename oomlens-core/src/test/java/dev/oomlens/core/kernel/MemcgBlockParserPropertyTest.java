package dev.oomlens.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The hand-written reading of the memory cgroup section's counter and {@code key value} lines
 * against the regular expressions it replaced (MemcgBlockRegexParser), on generated lines, whole,
 * cut and damaged, in and out of a stats block: the same result every time. Seeded, so a failure
 * names its case.
 */
class MemcgBlockParserPropertyTest {
  private static final String[] NAMES = {
    "memory",
    "memory+swap",
    "swap",
    "kmem",
    "tcp",
    "kmem.tcp",
    "mem",
    "memoryx",
    "Memory",
    "kmem.tc",
    "memory+",
    "swapx",
    ""
  };
  private static final String[] KEYS = {
    "anon",
    "file",
    "kernel_stack",
    "pgfault",
    "workingset_refault_anon",
    "thp_fault_alloc",
    "Anon",
    "1anon",
    "anon-file",
    "_x",
    "a",
    "zswpout",
    "a9_",
    ""
  };
  private static final String[] NUMBERS = {
    "0",
    "7",
    "142109",
    "9223372036854775807",
    "9223372036854775808",
    "99999999999999999999",
    "000000000000000000000042",
    "-1",
    "12x",
    "",
    "4096"
  };
  private static final String[] ODD = {
    " ", "  ", "\t", "\u2028", "\u001c", "\u00a0", "\u0085", "x"
  };
  private static final String LINE_TERMINATORS = "\n\r\u0085\u2028\u2029";

  @Test
  void handWrittenReaderAgreesWithTheRegularExpressions() {
    Random random = new Random(4096);
    int compared = 0;
    int read = 0;
    for (int n = 0; n < 50_000; n++) {
      String line = line(random);
      if (line.chars().anyMatch(c -> LINE_TERMINATORS.indexOf(c) >= 0)) {
        continue;
      }
      compared++;
      for (boolean inStats : new boolean[] {false, true}) {
        var expected = MemcgBlockRegexParser.parse(line, inStats);
        assertThat(MemcgBlockParser.parse(line, inStats))
            .as("case %d, inStats %s: %s", n, inStats, line.replace("\t", "\\t"))
            .isEqualTo(expected);
        read += expected.isPresent() ? 1 : 0;
      }
    }
    assertThat(compared).isGreaterThan(30_000);
    assertThat(read).isGreaterThan(10_000);
  }

  private static String line(Random random) {
    String line =
        switch (random.nextInt(3)) {
          case 0 ->
              pick(random, NAMES)
                  + (random.nextInt(10) == 0 ? ": usag " : ": usage ")
                  + number(random)
                  + (random.nextBoolean() ? "kB" : "KB")
                  + ", limit "
                  + number(random)
                  + (random.nextInt(5) == 0 ? "" : "kB")
                  + ", failcnt "
                  + number(random);
          case 1 -> pick(random, KEYS) + (random.nextInt(10) == 0 ? "  " : " ") + number(random);
          default ->
              random.nextBoolean()
                  ? "Task in /a killed as a result of limit of /a"
                  : "Memory cgroup stats for /kubepods/pod1:"
                      + (random.nextBoolean()
                          ? ""
                          : " cache:" + number(random) + "KB rss:" + number(random) + "KB");
        };
    if (random.nextInt(3) == 0) {
      line = line.substring(0, random.nextInt(line.length() + 1)); // cut at a fixed width
    }
    if (random.nextInt(6) == 0) {
      int at = random.nextInt(line.length() + 1);
      line = line.substring(0, at) + pick(random, ODD) + line.substring(at);
    }
    return (random.nextInt(8) == 0 ? pick(random, ODD) : "")
        + line
        + (random.nextInt(8) == 0 ? pick(random, ODD) : "");
  }

  private static String number(Random random) {
    return random.nextInt(3) == 0 ? pick(random, NUMBERS) : Long.toString(random.nextInt(1 << 30));
  }

  private static String pick(Random random, String[] from) {
    return from[random.nextInt(from.length)];
  }
}
