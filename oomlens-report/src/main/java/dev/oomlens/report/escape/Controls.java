package dev.oomlens.report.escape;

/*
 * Which characters: Unicode's general categories Cc (C0 controls, DEL, C1 controls), Cf (format
 * characters: the bidi embeddings, overrides and isolates U+202A-U+202E and U+2066-U+2069, the
 * Arabic letter mark U+061C, the zero-width characters U+200B-U+200F, the byte order mark U+FEFF,
 * the invisible tag characters U+E0000-U+E007F, the soft hyphen), Zl and Zp (U+2028, U+2029), and
 * surrogates that do not form a pair. A category rather than a list, so that characters Unicode
 * adds to these categories are covered without a change here. What is left can only print: a
 * terminal cannot be told to move, recolour, retitle or reorder by it.
 *
 * The visible form is a backslash, then u{1b}: the code point in lower-case hex between braces,
 * as Rust's escape_debug writes it (javac reads a backslash-u even in comments, hence the words).
 * Not \x1b: systemd writes unit and cgroup names with literal \x2d escapes
 * (system-systemd\x2dcoredump.slice), and the reader undoes /dev/kmsg's escapes, so \xNN in a
 * report is common honest text, and a control shown the same way could not be told from it. The
 * u{...} form is written by neither the kernel, nor systemd, nor the container runtimes, so in
 * practice it marks a character oomlens neutralised. A backslash in the input stays one backslash
 * (doubling it would garble every systemd name), so a name can still spell out the visible form
 * itself; that forgery gains nothing, since the same name could hold the real character, which
 * would be shown exactly so.
 */

/**
 * The characters that could act on a terminal or hide text (controls, bidi and invisible formatting
 * characters), and the visible form they are shown in: ESC as <code>&#92;u{1b}</code>, U+202E as
 * <code>&#92;u{202e}</code>.
 */
public final class Controls {
  private Controls() {}

  /**
   * True when {@code c} (a code point, or one half of a surrogate pair on its own) is a control, a
   * format character such as a bidi override or a zero-width space, a line or paragraph separator,
   * or a surrogate: characters oomlens never writes as they are where a person reads.
   */
  public static boolean isHidden(int c) {
    if (c >= ' ' && c < 0x7f) {
      return false;
    }
    return switch (Character.getType(c)) {
      case Character.CONTROL,
          Character.FORMAT,
          Character.LINE_SEPARATOR,
          Character.PARAGRAPH_SEPARATOR,
          Character.SURROGATE ->
          true;
      default -> false;
    };
  }

  /** {@code text} with every hidden character, {@code \n} included, in its visible form. */
  public static String visible(String text) {
    StringBuilder s = null;
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      int next = i + Character.charCount(c);
      if (isHidden(c)) {
        if (s == null) {
          s = new StringBuilder(text.length() + 16).append(text, 0, i);
        }
        appendVisible(s, c);
      } else if (s != null) {
        s.append(text, i, next);
      }
      i = next;
    }
    return s == null ? text : s.toString();
  }

  /** Appends the visible form of {@code c}: a backslash, u, its code point in hex in braces. */
  public static StringBuilder appendVisible(StringBuilder to, int c) {
    return to.append("\\u{").append(Integer.toHexString(c)).append('}');
  }
}
