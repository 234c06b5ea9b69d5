package dev.oomlens.core.model;

import static java.util.Objects.requireNonNull;

/**
 * A value read from a kernel file: {@code /proc/meminfo MemAvailable 812344 kB}, {@code memory.max
 * max}.
 *
 * @param path the file as read ({@code /proc/meminfo}, or under {@code --path.rootfs})
 * @param key the key of a {@code key value} file, the {@code some}/{@code full} line of a PSI file,
 *     or empty for a file that holds one value ({@code memory.max})
 * @param value as the file printed it, unit included ({@code 812344 kB}, {@code max})
 * @param line 1-based line of the file, or 0 when the file holds one value
 */
public record FileValue(String path, String key, String value, long line) implements Citation {
  public FileValue {
    requireNonNull(path, "path");
    requireNonNull(key, "key");
    requireNonNull(value, "value");
    if (line < 0) {
      throw new IllegalArgumentException("line=" + line);
    }
  }

  /**
   * The value {@code key} has on a line read from a kernel file: the line's text after the key and
   * its separator ({@code MemAvailable: 812344 kB} gives {@code 812344 kB}); the whole line when it
   * does not start with the key.
   */
  public static FileValue of(SourceLine line, String key) {
    String text = line.text().strip();
    String value =
        text.startsWith(key)
            ? text.substring(key.length()).replaceFirst("^[:=\\s]+", "").strip()
            : text;
    return new FileValue(line.file(), key, value, line.line());
  }

  @Override
  public String describe() {
    return path + (key.isEmpty() ? "" : " " + key) + ": " + value;
  }

  @Override
  public String toString() {
    return describe();
  }
}
