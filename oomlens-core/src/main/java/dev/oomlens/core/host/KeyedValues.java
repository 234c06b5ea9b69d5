package dev.oomlens.core.host;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.model.FileValue;
import dev.oomlens.core.model.SourceLine;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The {@code key value} lines of one kernel file ({@code /proc/meminfo}, {@code /proc/vmstat},
 * {@code memory.stat}, {@code memory.events}...), each value with the line it came from.
 *
 * @param path the file as read (e.g. {@code /proc/meminfo}, or the fixture path)
 * @param values in the file's own unit (meminfo kB, memory.stat bytes, vmstat counts), file order
 */
public record KeyedValues(String path, Map<String, Long> values, Map<String, SourceLine> lines) {
  public KeyedValues {
    requireNonNull(path, "path");
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    lines = Collections.unmodifiableMap(new LinkedHashMap<>(lines));
  }

  public OptionalLong get(String key) {
    Long v = values.get(key);
    return v == null ? OptionalLong.empty() : OptionalLong.of(v);
  }

  public Optional<SourceLine> line(String key) {
    return Optional.ofNullable(lines.get(key));
  }

  /** The value of {@code key} as a citation: {@code /proc/meminfo MemAvailable: 812344 kB}. */
  public Optional<FileValue> cite(String key) {
    return line(key).map(l -> FileValue.of(l, key));
  }
}
