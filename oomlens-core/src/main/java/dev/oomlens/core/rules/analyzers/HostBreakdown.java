package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.model.HostMemory;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.SourceLine;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A global OOM report's {@code Mem-Info:} counters in bytes, with the lines they were printed on.
 */
final class HostBreakdown {
  private final HostMemory mem;

  private HostBreakdown(HostMemory mem) {
    this.mem = mem;
  }

  static Optional<HostBreakdown> of(OomReport report) {
    return report.hostMemory().map(HostBreakdown::new);
  }

  HostMemory memory() {
    return mem;
  }

  /** A Mem-Info counter in bytes. */
  OptionalLong bytes(String counter) {
    Long bytes = mem.counterBytes().get(counter);
    return bytes == null ? OptionalLong.empty() : OptionalLong.of(bytes);
  }

  long bytesOr0(String counter) {
    return bytes(counter).orElse(0);
  }

  /** {@code N pages RAM} in bytes. */
  OptionalLong ramBytes() {
    return mem.ramBytes();
  }

  /** The {@code N pages RAM} line. */
  Optional<SourceLine> ramLine() {
    return mem.ramLine();
  }

  /** The {@code Mem-Info:} line and the lines that printed these counters. */
  List<SourceLine> cite(String... counters) {
    List<SourceLine> out = new ArrayList<>();
    out.add(mem.source());
    for (String c : counters) {
      SourceLine line = mem.counterLines().get(c);
      if (line != null) {
        out.add(line);
      }
    }
    return SourceLines.distinct(out);
  }
}
