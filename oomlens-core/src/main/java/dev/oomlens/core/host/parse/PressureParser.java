package dev.oomlens.core.host.parse;

import dev.oomlens.core.host.PressureStall;
import java.util.List;
import java.util.Optional;

/*
 * Follows Documentation/accounting/psi.rst: "some avg10=0.00 avg60=0.00 avg300=0.00 total=0" and,
 * for memory and io (and cpu since 5.13), a "full" line of the same shape. avgN are percentages of
 * wall time over 10, 60 and 300 seconds; total is the cumulative stall in microseconds. The same
 * format is used by /proc/pressure/memory (4.20+, CONFIG_PSI, off with psi=0) and by a cgroup v2
 * memory.pressure. Fields are read by name, so a kernel that appended a field would still parse.
 * Checked on 6.1 (Debian 12 cloud) and 6.18.
 */

/** Parses a PSI file ({@code /proc/pressure/memory}, a cgroup's {@code memory.pressure}). */
public final class PressureParser {
  private PressureParser() {}

  public static PressureStall parse(String text, String path) throws ParseException {
    PressureStall.Line some = null;
    PressureStall.Line full = null;
    List<String> all = TextLines.of(text);
    for (int i = 0; i < all.size(); i++) {
      String line = all.get(i);
      if (line.isBlank()) {
        continue;
      }
      List<String> f = TextLines.fields(line);
      String kind = f.get(0);
      if (!kind.equals("some") && !kind.equals("full")) {
        throw new ParseException(
            path, i + 1L, "expected a 'some' or 'full' line, got '" + line + "'");
      }
      PressureStall.Line parsed = line(f, path, i, line);
      if (kind.equals("some") && some == null) {
        some = parsed;
      } else if (kind.equals("full") && full == null) {
        full = parsed;
      }
    }
    if (some == null) {
      throw new ParseException(path, 0, "no 'some' line");
    }
    return new PressureStall(path, some, Optional.ofNullable(full));
  }

  private static PressureStall.Line line(List<String> f, String path, int index, String text)
      throws ParseException {
    Double avg10 = null;
    Double avg60 = null;
    Double avg300 = null;
    Long total = null;
    long lineNo = index + 1L;
    for (int k = 1; k < f.size(); k++) {
      String field = f.get(k);
      int eq = field.indexOf('=');
      if (eq <= 0) {
        throw new ParseException(path, lineNo, "expected name=value, got '" + field + "'");
      }
      String name = field.substring(0, eq);
      String value = field.substring(eq + 1);
      switch (name) {
        case "avg10" -> avg10 = percent(value, path, lineNo, name);
        case "avg60" -> avg60 = percent(value, path, lineNo, name);
        case "avg300" -> avg300 = percent(value, path, lineNo, name);
        case "total" -> total = TextLines.number(value, path, lineNo, name);
        default -> {}
      }
    }
    if (avg10 == null || avg60 == null || avg300 == null || total == null) {
      throw new ParseException(
          path, lineNo, "missing avg10, avg60, avg300 or total in '" + text + "'");
    }
    return new PressureStall.Line(avg10, avg60, avg300, total, TextLines.source(path, index, text));
  }

  private static double percent(String value, String path, long line, String name)
      throws ParseException {
    // The kernel prints "%lu.%02lu"; anything else (NaN, exponents, signs) is not its output.
    if (value.isEmpty() || value.length() > 12 || !value.matches("[0-9]+(\\.[0-9]+)?")) {
      throw new ParseException(path, line, name + " is not a percentage: '" + value + "'");
    }
    return Double.parseDouble(value);
  }
}
