package dev.oomlens.core.host.parse;

import dev.oomlens.core.model.SourceLine;
import java.util.ArrayList;
import java.util.List;

/** The lines of a small kernel file with their 1-based numbers; blank lines are kept. */
final class TextLines {
  private TextLines() {}

  /** Splits on {@code \n}, dropping one trailing newline and any {@code \r} before it. */
  static List<String> of(String text) {
    List<String> lines = new ArrayList<>();
    int start = 0;
    int n = text.length();
    while (start < n) {
      int nl = text.indexOf('\n', start);
      int end = nl < 0 ? n : nl;
      int cut = end > start && text.charAt(end - 1) == '\r' ? end - 1 : end;
      lines.add(text.substring(start, cut));
      if (nl < 0) {
        break;
      }
      start = nl + 1;
    }
    return lines;
  }

  static SourceLine source(String path, int index, String line) {
    return new SourceLine(path, index + 1L, line);
  }

  /** Parses a decimal number the kernel printed, or throws naming the line. */
  static long number(String token, String path, long line, String what) throws ParseException {
    if (token.isEmpty() || token.length() > 20) {
      throw new ParseException(path, line, what + " is not a number: '" + token + "'");
    }
    try {
      if (token.charAt(0) == '-') {
        return Long.parseLong(token);
      }
      // Counters are printed with %lu; a per-cpu counter that drifted below zero prints as a huge
      // unsigned value, which this keeps as the negative number the kernel held.
      return Long.parseUnsignedLong(token);
    } catch (NumberFormatException e) {
      throw new ParseException(path, line, what + " is not a number: '" + token + "'");
    }
  }

  /** Splits on runs of spaces and tabs. */
  static List<String> fields(String line) {
    List<String> out = new ArrayList<>();
    int i = 0;
    int n = line.length();
    while (i < n) {
      while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
        i++;
      }
      int start = i;
      while (i < n && line.charAt(i) != ' ' && line.charAt(i) != '\t') {
        i++;
      }
      if (i > start) {
        out.add(line.substring(start, i));
      }
    }
    return out;
  }
}
