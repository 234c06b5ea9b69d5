package dev.oomlens.core.host;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.model.FileValue;
import dev.oomlens.core.model.SourceLine;
import java.util.Optional;

/**
 * A PSI file ({@code /proc/pressure/memory}, a cgroup's {@code memory.pressure}): the share of time
 * some or all tasks were stalled waiting for memory.
 *
 * @param full empty on kernels (or files) that print only {@code some}
 */
public record PressureStall(String path, Line some, Optional<Line> full) {
  public PressureStall {
    requireNonNull(path, "path");
    requireNonNull(some, "some");
    requireNonNull(full, "full");
  }

  /** {@code some avg10=0.00 avg60=0.00 avg300=0.00 total=0}: percentages and microseconds. */
  public record Line(
      double avg10, double avg60, double avg300, long totalMicros, SourceLine source) {
    public Line {
      requireNonNull(source, "source");
    }

    /** This line as a citation: {@code /proc/pressure/memory some: avg10=... total=...}. */
    public FileValue cite() {
      String text = source.text().strip();
      int space = text.indexOf(' ');
      String key = space < 0 ? text : text.substring(0, space);
      return FileValue.of(source, key);
    }
  }
}
