package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.model.HostMemory;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.SourceLine;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/*
 * The Mem-Info counters are in pages. The page size is not printed, but the zones' present:kB
 * add up to about "N pages RAM" pages, so their ratio gives it (4 KiB on x86 and most arm64,
 * 16 or 64 KiB on some arm64 and ppc64le builds); without zones the x86 default is assumed.
 */

/** A global OOM report's {@code Mem-Info:} counters in bytes, with the lines they were printed on. */
final class HostBreakdown {
  private final HostMemory mem;
  private final long pageBytes;

  private HostBreakdown(HostMemory mem, long pageBytes) {
    this.mem = mem;
    this.pageBytes = pageBytes;
  }

  static Optional<HostBreakdown> of(OomReport report) {
    return report.hostMemory().map(m -> new HostBreakdown(m, pageBytes(m)));
  }

  private static long pageBytes(HostMemory m) {
    if (m.ramPages().isEmpty() || m.ramPages().getAsLong() <= 0) {
      return 4096;
    }
    long presentKb = 0;
    for (HostMemory.ZoneMemory z : m.zones()) {
      presentKb += z.presentKb().orElse(0);
    }
    if (presentKb == 0) {
      return 4096;
    }
    double kbPerPage = presentKb / (double) m.ramPages().getAsLong();
    for (long candidateKb : new long[] {4, 8, 16, 64}) {
      if (Math.abs(kbPerPage - candidateKb) / candidateKb < 0.1) {
        return candidateKb * 1024;
      }
    }
    return 4096;
  }

  HostMemory memory() {
    return mem;
  }

  long pageBytes() {
    return pageBytes;
  }

  /** A Mem-Info counter in bytes. */
  OptionalLong bytes(String counter) {
    Long pages = mem.counterPages().get(counter);
    return pages == null ? OptionalLong.empty() : OptionalLong.of(pages * pageBytes);
  }

  long bytesOr0(String counter) {
    return bytes(counter).orElse(0);
  }

  /** {@code N pages RAM} in bytes. */
  OptionalLong ramBytes() {
    return mem.ramPages().isPresent()
        ? OptionalLong.of(mem.ramPages().getAsLong() * pageBytes)
        : OptionalLong.empty();
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
