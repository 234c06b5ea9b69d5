package dev.oomlens.core.host.parse;

import dev.oomlens.core.host.SwapDevice;
import java.util.ArrayList;
import java.util.List;

/*
 * Follows Documentation/filesystems/proc.rst ("swaps": "swap space utilization") and
 * mm/swapfile.c swap_show(): a header "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority", then one
 * row per active swap area. The file name goes through seq_file_path(..., " \t\n\\"), so those
 * four characters appear as octal escapes (\040 for a space); they are decoded here. Size and Used
 * are in KiB; Priority is signed (-2 and below are the kernel's defaults). Since 6.x a zram device
 * shows as /dev/zram0 with type "partition". Checked on 6.1 (Debian 12 cloud) and 6.18.
 */

/** Parses {@code /proc/swaps}: the header, then one {@link SwapDevice} per row. */
public final class SwapsParser {
  private SwapsParser() {}

  public static List<SwapDevice> parse(String text, String path) throws ParseException {
    List<String> all = TextLines.of(text);
    List<SwapDevice> out = new ArrayList<>();
    boolean header = false;
    for (int i = 0; i < all.size(); i++) {
      String line = all.get(i);
      if (line.isBlank()) {
        continue;
      }
      List<String> f = TextLines.fields(line);
      if (!header) {
        if (!f.get(0).equals("Filename")) {
          throw new ParseException(
              path, i + 1L, "expected the 'Filename Type Size Used Priority' header");
        }
        header = true;
        continue;
      }
      if (f.size() != 5) {
        throw new ParseException(
            path, i + 1L, "expected 5 fields, got " + f.size() + ": '" + line + "'");
      }
      long size = TextLines.number(f.get(2), path, i + 1L, "Size");
      long used = TextLines.number(f.get(3), path, i + 1L, "Used");
      long priority = TextLines.number(f.get(4), path, i + 1L, "Priority");
      if (priority < Integer.MIN_VALUE || priority > Integer.MAX_VALUE) {
        throw new ParseException(path, i + 1L, "Priority out of range: " + priority);
      }
      out.add(
          new SwapDevice(
              unescape(f.get(0)),
              f.get(1),
              size,
              used,
              (int) priority,
              TextLines.source(path, i, line)));
    }
    if (!header && !out.isEmpty()) {
      throw new ParseException(path, 1, "no header");
    }
    return List.copyOf(out);
  }

  /** Decodes the {@code \ooo} escapes seq_file_path() puts in place of space, tab, newline, \. */
  static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && octal(s, i + 1)) {
        b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static boolean octal(String s, int from) {
    if (from + 3 > s.length()) {
      return false;
    }
    for (int k = from; k < from + 3; k++) {
      char c = s.charAt(k);
      if (c < '0' || c > '7') {
        return false;
      }
    }
    return s.charAt(from) <= '3';
  }
}
