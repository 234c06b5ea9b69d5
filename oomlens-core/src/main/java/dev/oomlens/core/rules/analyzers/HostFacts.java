package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.core.model.FileValue;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.SourceLine;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/*
 * The host rules (NO-SWAP, THRASHING, BALLOONING, USERSPACE-KILL, NOT-OOM) read the same few facts
 * off host snapshots: a meminfo value or vmstat counter with its line, a PSI percentage, RAM from a
 * report. Report facts shared with the other rules are in ReportFacts and Sizes.
 */

/** Facts about host snapshots that the host-level rules share. */
final class HostFacts {
  static final long KIB_PER_MIB = 1024;
  static final long KIB_PER_GIB = 1024 * 1024;

  private HostFacts() {}

  /** RAM as the report's {@code N pages RAM} line gives it, in kB. */
  static OptionalLong reportRamKb(OomReport r) {
    return r.hostMemory()
        .filter(h -> h.ramBytes().isPresent())
        .map(h -> OptionalLong.of(h.ramBytes().getAsLong() / 1024))
        .orElse(OptionalLong.empty());
  }

  /** A {@code /proc/meminfo} value in kB. */
  static OptionalLong meminfoKb(Optional<HostSnapshot> host, String key) {
    return host.flatMap(HostSnapshot::meminfo).map(m -> m.get(key)).orElse(OptionalLong.empty());
  }

  /** A {@code /proc/meminfo} value as evidence: the file, the key, the value. */
  static Optional<FileValue> meminfoValue(Optional<HostSnapshot> host, String key) {
    return host.flatMap(HostSnapshot::meminfo).flatMap(m -> m.cite(key));
  }

  /** A {@code /proc/vmstat} counter. */
  static OptionalLong vmstat(Optional<HostSnapshot> host, String key) {
    return host.flatMap(HostSnapshot::vmstat).map(v -> v.get(key)).orElse(OptionalLong.empty());
  }

  /** A {@code /proc/vmstat} counter as evidence: the file, the key, the value. */
  static Optional<FileValue> vmstatValue(Optional<HostSnapshot> host, String key) {
    return host.flatMap(HostSnapshot::vmstat).flatMap(v -> v.cite(key));
  }

  /** A PSI percentage as the kernel prints it. */
  static String psi(double value) {
    return String.format(Locale.ROOT, "%.2f%%", value);
  }

  /** Where a line is, for reasoning text: {@code file:line}. */
  static String where(SourceLine l) {
    return l.file() + ":" + l.line();
  }
}
