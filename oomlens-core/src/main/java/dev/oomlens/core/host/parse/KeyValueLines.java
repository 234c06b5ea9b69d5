package dev.oomlens.core.host.parse;

import dev.oomlens.core.host.KeyedValues;
import dev.oomlens.core.model.SourceLine;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The flat-keyed format shared by /proc/vmstat and the cgroup stat and events files. */
final class KeyValueLines {
  private KeyValueLines() {}

  /** Parses {@code key value} lines; an empty file gives an empty result. */
  static KeyedValues parse(String text, String path) throws ParseException {
    Map<String, Long> values = new LinkedHashMap<>();
    Map<String, SourceLine> lines = new LinkedHashMap<>();
    List<String> all = TextLines.of(text);
    for (int i = 0; i < all.size(); i++) {
      String line = all.get(i);
      if (line.isBlank()) {
        continue;
      }
      List<String> f = TextLines.fields(line);
      if (f.size() != 2) {
        throw new ParseException(path, i + 1L, "expected 'key value', got '" + line + "'");
      }
      long value = TextLines.number(f.get(1), path, i + 1L, f.get(0));
      if (!values.containsKey(f.get(0))) {
        values.put(f.get(0), value);
        lines.put(f.get(0), TextLines.source(path, i, line));
      }
    }
    return new KeyedValues(path, values, lines);
  }
}
