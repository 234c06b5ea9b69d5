package dev.oomlens.core.kernel;

import java.util.Random;

/** What the hand-written readers' property tests do to a generated line, and how they show it. */
final class GeneratedLines {
  private GeneratedLines() {}

  /**
   * {@code line} cut at a fixed width now and then, with one of {@code odd} put inside, before or
   * after it now and then.
   */
  static String damaged(Random random, String line, String[] odd) {
    String out = line;
    if (random.nextInt(4) == 0) {
      out = out.substring(0, random.nextInt(out.length() + 1)); // cut at a fixed width
    }
    if (random.nextInt(5) == 0) {
      int at = random.nextInt(out.length() + 1);
      out = out.substring(0, at) + pick(random, odd) + out.substring(at);
    }
    return (random.nextInt(8) == 0 ? pick(random, odd) : "")
        + out
        + (random.nextInt(8) == 0 ? pick(random, odd) : "");
  }

  /** One to three of {@code names}, or of any character below U+3000, one after the other. */
  static String name(Random random, String[] names) {
    StringBuilder b = new StringBuilder();
    int parts = random.nextInt(3);
    for (int i = 0; i <= parts; i++) {
      b.append(random.nextInt(4) == 0 ? (char) random.nextInt(0x3000) : pick(random, names));
    }
    return b.toString();
  }

  static String pick(Random random, String[] from) {
    return from[random.nextInt(from.length)];
  }

  /** {@code s} with its control characters and line terminators written as escapes. */
  static String visible(String s) {
    StringBuilder b = new StringBuilder();
    s.codePoints()
        .forEach(
            c -> {
              if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0x2028 || c == 0x2029) {
                b.append(String.format("\\u%04x", c));
              } else {
                b.appendCodePoint(c);
              }
            });
    return b.toString();
  }
}
