package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.core.host.KeyedValues;
import dev.oomlens.core.model.Constraint;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.OomScope;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.model.TaskRow;
import dev.oomlens.core.model.Victim;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/*
 * The host rules (NO-SWAP, THRASHING, BALLOONING, USERSPACE-KILL, NOT-OOM) read the same few facts
 * off reports and host snapshots: whether a report is a real host-wide shortage, the page size, a
 * meminfo value with its line, sizes for people. They live here so each rule reads them one way.
 */

/** Facts about OOM reports and host snapshots that the host-level rules share. */
final class HostFacts {
  static final long KIB_PER_MIB = 1024;
  static final long KIB_PER_GIB = 1024 * 1024;

  private HostFacts() {}

  /** True when the whole machine ran out: no cgroup, cpuset or memory policy confined it. */
  static boolean isGlobal(OomReport r) {
    if (r.scope().isPresent()) {
      return r.scope().get() == OomScope.GLOBAL;
    }
    return r.constraint().filter(c -> c == Constraint.CONSTRAINT_NONE).isPresent();
  }

  /** True for an OOM someone forced (SysRq-f): order -1, or the {@code moom_callback} work item. */
  static boolean isManual(OomReport r) {
    if (r.order().isPresent() && r.order().getAsInt() == -1) {
      return true;
    }
    return lineContaining(r, "moom_callback").isPresent();
  }

  /** The first line of the report whose text contains {@code needle}. */
  static Optional<SourceLine> lineContaining(OomReport r, String needle) {
    for (SourceLine line : r.lines()) {
      if (line.text().contains(needle)) {
        return Optional.of(line);
      }
    }
    return Optional.empty();
  }

  /**
   * The page size in kB: the victim's task-table rss (pages) against its kill line (kB) when both
   * are there, since arm64 and ppc64 kernels may use 16 or 64 kB pages; else 4.
   */
  static long pageKb(OomReport r) {
    Optional<TaskRow> row = r.victimRow();
    Optional<Victim> victim = r.victim();
    if (row.isPresent() && victim.isPresent() && victim.get().rssKb().isPresent()
        && row.get().rssPages() > 0) {
      double ratio = (double) victim.get().rssKb().getAsLong() / row.get().rssPages();
      for (long size : new long[] {4, 16, 64}) {
        if (Math.abs(ratio - size) <= size * 0.1) {
          return size;
        }
      }
    }
    return 4;
  }

  /** RAM as the report's {@code N pages RAM} line gives it, in kB. */
  static OptionalLong reportRamKb(OomReport r) {
    return r.hostMemory()
        .filter(h -> h.ramPages().isPresent())
        .map(h -> OptionalLong.of(h.ramPages().getAsLong() * pageKb(r)))
        .orElse(OptionalLong.empty());
  }

  /** A {@code /proc/meminfo} value in kB. */
  static OptionalLong meminfoKb(Optional<HostSnapshot> host, String key) {
    return host.flatMap(HostSnapshot::meminfo).map(m -> m.get(key)).orElse(OptionalLong.empty());
  }

  /** The line a {@code /proc/meminfo} value was read from. */
  static Optional<SourceLine> meminfoLine(Optional<HostSnapshot> host, String key) {
    return host.flatMap(HostSnapshot::meminfo).flatMap(m -> m.line(key));
  }

  /** A {@code /proc/vmstat} counter. */
  static OptionalLong vmstat(Optional<HostSnapshot> host, String key) {
    return host.flatMap(HostSnapshot::vmstat).map(v -> v.get(key)).orElse(OptionalLong.empty());
  }

  /** The line a {@code /proc/vmstat} counter was read from. */
  static Optional<SourceLine> vmstatLine(Optional<HostSnapshot> host, String key) {
    return host.flatMap(HostSnapshot::vmstat).flatMap(v -> v.line(key));
  }

  /** A value of a keyed file, or 0 when it is missing. */
  static long orZero(Optional<KeyedValues> values, String key) {
    return values.map(v -> v.get(key).orElse(0)).orElse(0L);
  }

  /** {@code 32768} kB → {@code "32.0 MiB"}; under 1 MiB stays in kB. */
  static String kb(long kb) {
    if (Math.abs(kb) < KIB_PER_MIB) {
      return kb + " kB";
    }
    if (Math.abs(kb) < KIB_PER_GIB) {
      return String.format(Locale.ROOT, "%.1f MiB", kb / (double) KIB_PER_MIB);
    }
    return String.format(Locale.ROOT, "%.1f GiB", kb / (double) KIB_PER_GIB);
  }

  /** {@code part} as a percentage of {@code whole}, one decimal; "?" when whole is 0. */
  static String percent(double part, double whole) {
    if (whole <= 0) {
      return "?";
    }
    return String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
  }

  /** A PSI percentage as the kernel prints it. */
  static String psi(double value) {
    return String.format(Locale.ROOT, "%.2f%%", value);
  }

  /** The smallest whole number of MiB holding {@code kb}. */
  static long ceilMi(long kb) {
    return Math.max(1, (kb + KIB_PER_MIB - 1) / KIB_PER_MIB);
  }

  /** Where a report is, for reasoning text: {@code file:line}. */
  static String where(OomReport r) {
    return r.source().file() + ":" + r.source().firstLine();
  }

  /** Where a line is, for reasoning text: {@code file:line}. */
  static String where(SourceLine l) {
    return l.file() + ":" + l.line();
  }

  /** The victim as people name it: {@code comm (pid N)}. */
  static String name(Victim v) {
    return v.comm() + " (pid " + v.pid() + ")";
  }

  /** Each line once, in file and line order. */
  static List<SourceLine> sorted(Collection<SourceLine> lines) {
    List<SourceLine> out = new ArrayList<>(new LinkedHashSet<>(lines));
    out.sort(Comparator.comparing(SourceLine::file).thenComparingLong(SourceLine::line));
    return out;
  }
}
