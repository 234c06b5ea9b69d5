package dev.oomlens.core.kernel;

import java.nio.charset.StandardCharsets;

/*
 * Two ways a multi-line record ends up on one physical line:
 *
 * - /dev/kmsg (Documentation/ABI/testing/dev-kmsg): "Non-printable characters are escaped using
 *   \xXX notation", i.e. bytes below 0x20 (except tab in some versions), 0x7f and above, and the
 *   backslash itself. Bytes of one UTF-8 character are escaped one by one, so a run of escapes is
 *   decoded as a whole.
 * - rsyslog (parser.EscapeControlCharactersOnReceive, on by default): control characters become
 *   '#' and three octal digits: #012 for a newline, #011 for a tab. Other control characters are
 *   rare in kernel text and "#0nn" can be plain text, so only these two are undone.
 *
 * Both return the text with '\n' where a logical line ends; the caller splits there.
 */

/** Undoes the escaping of newlines and control characters done by /dev/kmsg and rsyslog. */
final class FramingEscapes {
  private FramingEscapes() {}

  /** True when {@code s[from, to)} holds an rsyslog {@code #012} or {@code #011}. */
  static boolean hasRsyslogEscape(String s, int from, int to) {
    for (int i = s.indexOf('#', from); i >= 0 && i + 4 <= to; i = s.indexOf('#', i + 1)) {
      if (isRsyslogEscape(s, i)) {
        return true;
      }
    }
    return false;
  }

  /** {@code s[from, to)} with {@code #012} turned into a newline and {@code #011} into a tab. */
  static String unescapeRsyslog(String s, int from, int to) {
    StringBuilder out = new StringBuilder(to - from);
    int i = from;
    while (i < to) {
      char c = s.charAt(i);
      if (c == '#' && i + 4 <= to && isRsyslogEscape(s, i)) {
        out.append(s.charAt(i + 3) == '2' ? '\n' : '\t');
        i += 4;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  /** True when {@code s[from, to)} holds a {@code \xNN} escape. */
  static boolean hasKmsgEscape(String s, int from, int to) {
    for (int i = s.indexOf('\\', from); i >= 0 && i + 4 <= to; i = s.indexOf('\\', i + 1)) {
      if (isKmsgEscape(s, i)) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code s[from, to)} with every run of {@code \xNN} escapes decoded as UTF-8 bytes (malformed
   * sequences become U+FFFD); {@code \x0a} thus becomes a newline.
   */
  static String unescapeKmsg(String s, int from, int to) {
    StringBuilder out = new StringBuilder(to - from);
    byte[] bytes = null;
    int i = from;
    while (i < to) {
      if (i + 4 <= to && isKmsgEscape(s, i)) {
        int runEnd = i;
        while (runEnd + 4 <= to && isKmsgEscape(s, runEnd)) {
          runEnd += 4;
        }
        int count = (runEnd - i) / 4;
        if (bytes == null || bytes.length < count) {
          bytes = new byte[Math.max(count, 16)];
        }
        for (int k = 0; k < count; k++) {
          int at = i + 4 * k;
          bytes[k] = (byte) (hex(s.charAt(at + 2)) << 4 | hex(s.charAt(at + 3)));
        }
        out.append(new String(bytes, 0, count, StandardCharsets.UTF_8));
        i = runEnd;
      } else {
        out.append(s.charAt(i));
        i++;
      }
    }
    return out.toString();
  }

  private static boolean isRsyslogEscape(String s, int i) {
    return s.charAt(i + 1) == '0'
        && s.charAt(i + 2) == '1'
        && (s.charAt(i + 3) == '2' || s.charAt(i + 3) == '1');
  }

  private static boolean isKmsgEscape(String s, int i) {
    return s.charAt(i) == '\\'
        && s.charAt(i + 1) == 'x'
        && hex(s.charAt(i + 2)) >= 0
        && hex(s.charAt(i + 3)) >= 0;
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }
}
