package dev.oomlens.core.host;

import static java.util.Objects.requireNonNull;

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
  public record Line(double avg10, double avg60, double avg300, long totalMicros, SourceLine source) {
    public Line {
      requireNonNull(source, "source");
    }
  }
}
