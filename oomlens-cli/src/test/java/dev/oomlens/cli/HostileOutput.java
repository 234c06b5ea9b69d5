package dev.oomlens.cli;

import static org.assertj.core.api.Assertions.fail;

import dev.oomlens.report.escape.Controls;

/*
 * The list of characters is written out here, not taken from the code under test: C0 but '\n',
 * DEL, C1, the bidi embeddings, overrides, isolates and marks, the zero-width characters, the line
 * and paragraph separators, the byte order mark and the tag characters.
 */

/** Checks on what oomlens printed from a report whose names are hostile. */
final class HostileOutput {
  private HostileOutput() {}

  /** True for a character no terminal-bound output of oomlens may hold. */
  static boolean forbidden(int c) {
    return (c < 0x20 && c != '\n') || c == 0x7f || (c >= 0x80 && c <= 0x9f)
        || c == 0x061c || (c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e)
        || (c >= 0x2066 && c <= 0x2069) || c == 0x2028 || c == 0x2029 || c == 0xfeff
        || (c >= 0xe0000 && c <= 0xe007f);
  }

  /** Fails when {@code text} (named {@code what} in the message) holds a forbidden character. */
  static void assertNoHiddenCharacters(String what, String text) {
    text.codePoints().filter(HostileOutput::forbidden).findFirst().ifPresent(c -> {
      int at = text.indexOf(Character.toString(c));
      // Shown visibly: the test's own report must not act on the terminal either.
      fail("%s holds U+%04X at %d: ...%s...", what, c, at, Controls.visible(
          text.substring(Math.max(0, at - 60), Math.min(text.length(), at + 20))));
    });
  }
}
