package dev.oomlens.core.kernel;

import static dev.oomlens.core.kernel.GeneratedLines.damaged;
import static dev.oomlens.core.kernel.GeneratedLines.name;
import static dev.oomlens.core.kernel.GeneratedLines.pick;
import static dev.oomlens.core.kernel.GeneratedLines.visible;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The hand-written reading of a report's head ({@link OomHeaderParser}: trigger, cpuset, CPU,
 * allocation failure and ratelimit lines) against the regular expressions it replaced
 * (OomHeaderRegexParser): the same result on generated lines, whole, cut and damaged, with names of
 * any character, and on every line of the corpus.
 */
class OomHeaderParserPropertyTest {
  private static final String[] NAMES = {
    "java",
    "CPU 1/KVM",
    "runc:[2:INIT]",
    "kworker/u16:3",
    "a: page allocation",
    " invoked oom-killer: ",
    " cpuset=/ mems_allowed=0",
    " failure: order:",
    "x: b failure: order:1",
    " Not tainted",
    " Tainted: G",
    " #1",
    "(",
    ")",
    "",
    " ",
    "\t",
    "\r",
    "\u0085",
    "\u2028",
    "\n",
    "\u001c",
    "\u00e9\u4e2d"
  };
  private static final String[] NUMBERS = {
    "0",
    "1",
    "-1",
    "2147483647",
    "2147483648",
    "-2147483648",
    "-2147483649",
    "9223372036854775807",
    "9223372036854775808",
    "99999999999999999999",
    "-",
    "",
    "12x",
    "007",
    "1000"
  };
  private static final String[] MASKS = {
    "0x201da",
    "0x6200ca(GFP_HIGHUSER_MOVABLE)",
    "0x100cca(GFP_HIGHUSER_MOVABLE|__GFP_ZERO)",
    "0x14200ca(GFP_HIGHUSER_MOVABLE",
    "0x(x)",
    "0xg",
    "0x1(\u2028)",
    "0x1(\r)",
    "0x1()",
    "0x1)",
    "1x0",
    "0xABCdef(a)(b)",
    ""
  };
  private static final String[] ODD = {
    " ", "\t", "\u2028", "\u0085", ")", "(", ": ", ", ", "x", "\r", "\u000b", "-", "0"
  };

  @Test
  void handWrittenReaderAgreesWithTheRegularExpressions() {
    AtomicInteger read = new AtomicInteger();
    qt().withExamples(60_000)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random random = new Random(seed);
              String line = line(random);
              read.addAndGet(compare("seed " + seed, line));
              String tail = line(random);
              assertThat(OomHeaderParser.joined(line, tail))
                  .as("seed %d: %s / %s", seed, visible(line), visible(tail))
                  .isEqualTo(OomHeaderRegexParser.joined(line, tail));
            });
    assertThat(read.get()).isGreaterThan(20_000);
  }

  @Test
  void handWrittenReaderAgreesWithTheRegularExpressionsOnTheCorpus() {
    int read = 0;
    for (String line : CorpusMessages.all()) {
      read += compare("corpus", line);
    }
    assertThat(read).isGreaterThan(10);
  }

  /** Compares every reading of {@code line}; the number of readings that were not empty. */
  private static int compare(String at, String line) {
    String as = at + ": " + visible(line);
    var trigger = OomHeaderRegexParser.trigger(line);
    var cpuset = OomHeaderRegexParser.cpuset(line);
    var cpu = OomHeaderRegexParser.cpu(line);
    var failure = OomHeaderRegexParser.allocFailure(line);
    var suppressed = OomHeaderRegexParser.suppressedHeaders(line);
    assertThat(OomHeaderParser.trigger(line)).as(as).isEqualTo(trigger);
    assertThat(OomHeaderParser.cpuset(line)).as(as).isEqualTo(cpuset);
    assertThat(OomHeaderParser.cpu(line)).as(as).isEqualTo(cpu);
    assertThat(OomHeaderParser.allocFailure(line)).as(as).isEqualTo(failure);
    assertThat(OomHeaderParser.suppressedHeaders(line)).as(as).isEqualTo(suppressed);
    return (trigger.isPresent() ? 1 : 0)
        + (cpuset.isPresent() ? 1 : 0)
        + (cpu.isPresent() ? 1 : 0)
        + (failure.isPresent() ? 1 : 0)
        + (suppressed.isPresent() ? 1 : 0);
  }

  private static String line(Random random) {
    String name = name(random, NAMES);
    String line =
        switch (random.nextInt(6)) {
          case 0 ->
              name
                  + " invoked oom-killer: gfp_mask="
                  + pick(random, MASKS)
                  + (random.nextBoolean() ? ", nodemask=0,2-3" : "")
                  + ", order="
                  + number(random)
                  + (random.nextInt(6) == 0 ? ", oomkilladj=" : ", oom_score_adj=")
                  + number(random);
          case 1 ->
              name
                  + " cpuset="
                  + pick(random, NAMES)
                  + (random.nextInt(6) == 0 ? "\tmems_allowed=" : " mems_allowed=")
                  + pick(random, NAMES);
          case 2 ->
              "CPU: "
                  + number(random)
                  + " "
                  + (random.nextBoolean() ? "UID: " + number(random) + " " : "")
                  + "PID: "
                  + number(random)
                  + " Comm: "
                  + name
                  + (random.nextBoolean() ? " Kdump: loaded" : "")
                  + (random.nextBoolean() ? " Not tainted " : " Tainted: G        W  OE ")
                  + pick(random, new String[] {"5.15.0-1064-azure", "6.1.0", "x", "", "4.\u20285"})
                  + (random.nextBoolean() ? " #71~20.04.1-Ubuntu" : "");
          case 3 ->
              name
                  + ": "
                  + pick(random, new String[] {"page allocation", "vmemmap alloc", "x", "1a", ""})
                  + " failure: order:"
                  + number(random)
                  + (random.nextBoolean() ? ", mode:" + pick(random, MASKS) : "")
                  + (random.nextBoolean() ? ", nodemask=(null),cpuset=/,mems_allowed=0" : "");
          case 4 -> "oom_kill_process: " + number(random) + " callbacks suppressed";
          default ->
              random.nextBoolean()
                  ? "order=" + number(random) + ", oom_score_adj=" + number(random)
                  : pick(random, MASKS) + ", order=" + number(random);
        };
    return damaged(random, line, ODD);
  }

  private static String number(Random random) {
    return random.nextInt(3) == 0 ? pick(random, NUMBERS) : Integer.toString(random.nextInt(1000));
  }
}
