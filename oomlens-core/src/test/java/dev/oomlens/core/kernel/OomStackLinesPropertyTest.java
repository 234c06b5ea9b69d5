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
 * The hand-written test of stack-dump lines ({@link OomStackLines}) against the regular expressions
 * it replaced (OomStackRegexLines): the same answer on generated lines, whole, cut and damaged, and
 * on every line of the corpus.
 */
class OomStackLinesPropertyTest {
  private static final String[] SYMBOLS = {
    "dump_stack", "oom_kill_process.cold", "$x", "a.b$c", "", "x y", "\u00e9"
  };
  private static final String[] HEX = {"0", "63", "8b", "ffffffff816861ac", "FFFF", "", "g", "0x1"};
  private static final String[] MARKERS = {
    "Call Trace:",
    "Call trace:",
    "call Trace:",
    "<TASK>",
    "</TASK>",
    "<IRQ>",
    "</IRQ>",
    "<NMI>",
    "<SOFTIRQ>",
    "</SOFTIRQ>",
    "<EOI>",
    "</EOI>",
    "<TASKS>",
    "Backtrace:",
    "Stack:",
    "Modules linked in: xt_nat(E) \u2028 veth",
    "Modules linked in:",
    "Modules linked"
  };
  private static final String[] REGISTERS = {
    "RAX: ",
    "R10: ",
    "RIP: ",
    "EFLAGS: ",
    "ABCDEF: ",
    "ABCDEFG: ",
    "A: ",
    "Code: ",
    "pc : ",
    "lr : ",
    "sp : ",
    "pstate: ",
    "x29: ",
    "x1 : ",
    "x : ",
    "x12  : ",
    "RSP:",
    "R8 : "
  };
  private static final String[] SPACES = {" ", "  ", "\t", "\u000b", "", "\u2028"};
  private static final String[] ODD = {" ", "\t", "\u2028", "\u0085", "+", "/", "]", "x", "0"};

  @Test
  void handWrittenTestAgreesWithTheRegularExpressions() {
    AtomicInteger stack = new AtomicInteger();
    qt().withExamples(60_000)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              String line = line(new Random(seed));
              boolean expected = OomStackRegexLines.isStackLine(line);
              assertThat(OomStackLines.isStackLine(line))
                  .as("seed %d: %s", seed, visible(line))
                  .isEqualTo(expected);
              stack.addAndGet(expected ? 1 : 0);
            });
    assertThat(stack.get()).isGreaterThan(10_000);
  }

  @Test
  void handWrittenTestAgreesWithTheRegularExpressionsOnTheCorpus() {
    int stack = 0;
    for (String line : CorpusMessages.all()) {
      boolean expected = OomStackRegexLines.isStackLine(line);
      assertThat(OomStackLines.isStackLine(line)).as(visible(line)).isEqualTo(expected);
      stack += expected ? 1 : 0;
    }
    assertThat(stack).isGreaterThan(100);
  }

  private static String line(Random random) {
    String line =
        switch (random.nextInt(5)) {
          case 0, 1 ->
              (random.nextBoolean() ? "[<" + pick(random, HEX) + ">] " : "")
                  + (random.nextBoolean() ? "? " : "")
                  + pick(random, SYMBOLS)
                  + "+0x"
                  + pick(random, HEX)
                  + "/0x"
                  + pick(random, HEX)
                  + (random.nextBoolean()
                      ? " [" + pick(random, new String[] {"ext4", "x_1", "", "a b", "m]"}) + "]"
                      : "");
          case 2 -> pick(random, MARKERS);
          case 3 -> pick(random, REGISTERS) + pick(random, SPACES) + pick(random, HEX);
          default -> {
            StringBuilder b = new StringBuilder();
            for (int i = random.nextInt(4); i >= 0; i--) {
              int length = 6 + random.nextInt(13);
              for (int k = 0; k < length; k++) {
                b.append(
                    "0123456789abcdefA".charAt(random.nextInt(random.nextInt(20) == 0 ? 17 : 16)));
              }
              b.append(i > 0 ? pick(random, SPACES) : "");
            }
            yield b.toString();
          }
        };
    return damaged(random, line, ODD);
  }
}
