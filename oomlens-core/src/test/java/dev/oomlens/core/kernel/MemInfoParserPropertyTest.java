package dev.oomlens.core.kernel;

import static dev.oomlens.core.kernel.GeneratedLines.damaged;
import static dev.oomlens.core.kernel.GeneratedLines.pick;
import static dev.oomlens.core.kernel.GeneratedLines.visible;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The hand-written reading of the show_mem() block ({@link MemInfoParser}: counters, per-node and
 * zone lines, buddy lists, hugepages, page counts, swap, slab rows) against the regular expressions
 * it replaced (MemInfoRegexParser): the same result on generated lines, whole, cut and damaged, and
 * on every line of the corpus.
 */
class MemInfoParserPropertyTest {
  private static final String[] WORDS = {
    "DMA",
    "DMA32",
    "Normal",
    "Movable",
    "DMA:",
    "Normal:",
    "active_anon:12kB",
    "hugepages_total=0",
    "x(y)",
    "free:",
    "per-cpu:",
    "",
    "\t",
    "\u2028",
    "\u0085",
    "Node 1 Normal: 1*4kB = 4kB"
  };
  private static final String[] NUMBERS = {
    "0",
    "1",
    "2147483647",
    "2147483648",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "99999999999999999999",
    "-3",
    "",
    "12x",
    "007"
  };
  private static final String[] COUNTERS = {
    "active_anon", "inactive_file", "free_pcp", "slab_reclaimable", "x", "_", "Free", "a1", ""
  };
  private static final String[] PAGE_WORDS = {
    "total pagecache pages",
    "pages in swap cache",
    "pages RAM",
    "pages HighMem/MovableOnly",
    "pages reserved",
    "pages cma reserved",
    "pages hwpoisoned",
    "pages shared",
    "pages non-shared",
    "pages",
    "pages RAMx"
  };
  private static final String[] SLAB_NAMES = {
    "kmalloc-64", "Acpi-State", "task struct", "x", "a  b", " ", "1", "(x)", "\u2028y"
  };
  private static final String[] ZONE_KEYS = {
    "free",
    "min",
    "low",
    "high",
    "present",
    "managed",
    "boost",
    "reserved_highatomic",
    "(x)",
    "Free"
  };
  private static final String[] SPACES = {" ", "  ", "\t", " \u000b", ""};
  private static final String[] ODD = {
    " ", "\t", "\u2028", "\u0085", ":", "*", "kB", "KB", "x", "0"
  };

  @Test
  void handWrittenReaderAgreesWithTheRegularExpressions() {
    AtomicInteger read = new AtomicInteger();
    qt().withExamples(60_000)
        .forAll(longs().all())
        .checkAssert(seed -> read.addAndGet(compare("seed " + seed, line(new Random(seed)))));
    assertThat(read.get()).isGreaterThan(20_000);
  }

  @Test
  void handWrittenReaderAgreesWithTheRegularExpressionsOnTheCorpus() {
    int read = 0;
    for (String line : CorpusMessages.all()) {
      read += compare("corpus", line);
    }
    assertThat(read).isGreaterThan(100);
  }

  private static int compare(String at, String line) {
    String as = at + ": " + visible(line);
    var parsed = MemInfoRegexParser.parse(line);
    var slab = MemInfoRegexParser.slabRow(line);
    assertThat(MemInfoParser.parse(line)).as(as).isEqualTo(parsed);
    assertThat(MemInfoParser.slabRow(line)).as(as).isEqualTo(slab);
    return (parsed.isPresent() ? 1 : 0) + (slab.isPresent() ? 1 : 0);
  }

  private static String line(Random random) {
    String line =
        switch (random.nextInt(10)) {
          case 0 -> {
            StringBuilder b = new StringBuilder();
            for (int i = random.nextInt(5); i >= 0; i--) {
              b.append(pick(random, COUNTERS)).append(':').append(number(random));
              b.append(i > 0 ? pick(random, SPACES) : "");
            }
            yield b.toString();
          }
          case 1 -> {
            StringBuilder b =
                new StringBuilder("Node ")
                    .append(number(random))
                    .append(' ')
                    .append(pick(random, WORDS))
                    .append(random.nextInt(4) == 0 ? "\t" : " ");
            for (int i = random.nextInt(5); i >= 0; i--) {
              b.append(pick(random, ZONE_KEYS))
                  .append(random.nextBoolean() ? ":" : ": ")
                  .append(number(random))
                  .append(random.nextInt(8) == 0 ? "KB" : "kB")
                  .append(' ');
            }
            yield (random.nextBoolean() ? "Node 0 Normal free:" : "") + b.toString().strip();
          }
          case 2 -> {
            StringBuilder b =
                new StringBuilder("Node ")
                    .append(number(random))
                    .append(' ')
                    .append(pick(random, WORDS))
                    .append(random.nextBoolean() ? ": " : " ");
            for (int i = random.nextInt(6); i >= 0; i--) {
              b.append(number(random)).append('*').append(number(random)).append("kB ");
              if (random.nextBoolean()) {
                b.append(random.nextInt(6) == 0 ? "(u) " : "(UME) ");
              }
            }
            yield b.append(random.nextInt(6) == 0 ? "=" : "= ")
                .append(number(random))
                .append("kB")
                .append(random.nextInt(6) == 0 ? " trailing" : "")
                .toString();
          }
          case 3 ->
              "Node "
                  + number(random)
                  + " hugepages_total="
                  + number(random)
                  + " hugepages_free="
                  + number(random)
                  + " hugepages_surp="
                  + number(random)
                  + " hugepages_size="
                  + number(random)
                  + "kB";
          case 4 -> number(random) + " " + pick(random, PAGE_WORDS);
          case 5 ->
              (random.nextBoolean() ? "Free swap" : "Total swap")
                  + pick(random, SPACES)
                  + "="
                  + pick(random, SPACES)
                  + number(random)
                  + "kB";
          case 6 ->
              pick(random, SLAB_NAMES)
                  + pick(random, SPACES)
                  + number(random)
                  + "KB"
                  + pick(random, SPACES)
                  + number(random)
                  + "KB";
          case 7 ->
              "CPU"
                  + pick(random, SPACES)
                  + number(random)
                  + ": hi:"
                  + pick(random, SPACES)
                  + number(random)
                  + ", btch:"
                  + pick(random, SPACES)
                  + number(random)
                  + " usd:"
                  + pick(random, SPACES)
                  + number(random);
          case 8 -> "Name" + pick(random, SPACES) + "Used" + pick(random, SPACES) + "Total";
          default ->
              pick(
                  random,
                  new String[] {
                    "Mem-Info:",
                    "Unreclaimable slab info:",
                    "lowmem_reserve[]: 0 1 2",
                    "Swap cache stats: add 0, delete 0, find 0/0",
                    "Memory allocations:",
                    "Node 0 DMA per-cpu:",
                    "Node 0 DMA: per-cpu:"
                  });
        };
    return damaged(random, line, ODD);
  }

  private static String number(Random random) {
    return random.nextInt(4) == 0
        ? pick(random, NUMBERS)
        : Integer.toString(random.nextInt(100000));
  }
}
