package dev.oomlens.core.host.parse;

import dev.oomlens.core.host.KeyedValues;
import dev.oomlens.core.model.SourceLine;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/*
 * Follows Documentation/filesystems/proc.rst, section "meminfo", and fs/proc/meminfo.c: one
 * "Name:" per line, padded, then the value; show_val_kb() prints "%8lu kB", and the HugePages_*
 * lines print bare page counts. MemAvailable exists since 3.14 (commit 34e431b0ae39), so a 3.10
 * kernel (RHEL 7) has none and the field stays absent instead of being estimated here. Lines that
 * a kernel adds later (Zswap 5.19, SecPageTables 6.2, Unaccepted 6.5, ...) are kept like any
 * other. Checked on 3.10 (RHEL 7 shape), 6.1 (Debian 12 cloud) and 6.18.
 *
 * Values stay in the file's own unit (kB for sized lines, pages for HugePages_*), as KeyedValues
 * documents. MemTotal is required: without it no other line can be put in proportion.
 */

/** Parses {@code /proc/meminfo} into its {@code Name: value} lines, in kB as printed. */
public final class MeminfoParser {
  private MeminfoParser() {}

  public static KeyedValues parse(String text, String path) throws ParseException {
    Map<String, Long> values = new LinkedHashMap<>();
    Map<String, SourceLine> lines = new LinkedHashMap<>();
    List<String> all = TextLines.of(text);
    for (int i = 0; i < all.size(); i++) {
      String line = all.get(i);
      if (line.isBlank()) {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new ParseException(path, i + 1L, "expected 'Name: value', got '" + line + "'");
      }
      String key = line.substring(0, colon).trim();
      List<String> rest = TextLines.fields(line.substring(colon + 1));
      if (key.isEmpty()
          || rest.isEmpty()
          || rest.size() > 2
          || (rest.size() == 2 && !rest.get(1).equals("kB"))) {
        throw new ParseException(path, i + 1L, "expected 'Name: value [kB]', got '" + line + "'");
      }
      long value = TextLines.number(rest.get(0), path, i + 1L, key);
      if (!values.containsKey(key)) {
        values.put(key, value);
        lines.put(key, TextLines.source(path, i, line));
      }
    }
    if (!values.containsKey("MemTotal")) {
      throw new ParseException(path, 0, "no MemTotal line");
    }
    return new KeyedValues(path, values, lines);
  }
}
