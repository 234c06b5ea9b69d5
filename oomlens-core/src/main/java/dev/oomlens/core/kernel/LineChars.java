package dev.oomlens.core.kernel;

/**
 * The character classes and number runs the hand-written line readers test, with the meanings the
 * regular expressions they replaced gave them: "\\d" is ASCII digits only, "\\s" the six ASCII
 * spaces (not Character.isWhitespace), "\\w" ASCII letters, digits and '_', and "." outside DOTALL
 * refuses the five line terminators.
 */
final class LineChars {
  private LineChars() {}

  /** The index after the ASCII digits that begin at {@code from}. */
  static int digitsEnd(String s, int from) {
    int i = from;
    while (i < s.length() && isDigit(s.charAt(i))) {
      i++;
    }
    return i;
  }

  /** The ASCII digits {@code s[from, to)} as a number; -1 when none or beyond a long. */
  static long digits(String s, int from, int to) {
    if (to <= from) {
      return -1;
    }
    long v = 0;
    for (int i = from; i < to; i++) {
      int d = s.charAt(i) - '0';
      if (v > (Long.MAX_VALUE - d) / 10) {
        return -1;
      }
      v = v * 10 + d;
    }
    return v;
  }

  /** The index after the characters of "\\s" that begin at {@code from}. */
  static int spacesEnd(String s, int from) {
    int i = from;
    while (i < s.length() && isSpace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  /** The index after the hexadecimal digits (either case) that begin at {@code from}. */
  static int hexEnd(String s, int from) {
    int i = from;
    while (i < s.length() && isHex(s.charAt(i))) {
      i++;
    }
    return i;
  }

  static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  static boolean isHex(char c) {
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  /** The characters of "\\w". */
  static boolean isWordChar(char c) {
    return isAsciiLetter(c) || isDigit(c) || c == '_';
  }

  /** The characters of "\\s": space, \t, \n, \u000b, \f, \r. */
  static boolean isSpace(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
  }

  /** What "." refuses outside DOTALL. */
  static boolean isLineTerminator(char c) {
    return c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029';
  }
}
