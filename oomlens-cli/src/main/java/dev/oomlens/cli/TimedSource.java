package dev.oomlens.cli;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.source.EvidenceSource;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * An evidence source that says on standard error, under {@code --debug}, how long it took to read:
 * wall time, and the CPU time of the whole process meanwhile (the parallel scan's workers and the
 * JIT's threads work for the read too, so the reading thread's own CPU time would say too little).
 */
record TimedSource(String label, EvidenceSource source, PrintWriter err) implements EvidenceSource {
  TimedSource {
    requireNonNull(label, "label");
    requireNonNull(source, "source");
    requireNonNull(err, "err");
  }

  @Override
  public void readInto(EvidenceSet.Builder evidence) {
    long cpu = processCpuNanos();
    long wall = System.nanoTime();
    try {
      source.readInto(evidence);
    } finally {
      say(err, "read " + label, System.nanoTime() - wall, processCpuNanos() - cpu);
    }
  }

  /** {@code oomlens: debug: WHAT: 12.3 ms wall, 20.1 ms CPU}. */
  static void say(PrintWriter err, String what, long wallNanos, long cpuNanos) {
    err.println(
        String.format(
            Locale.ROOT,
            "oomlens: debug: %s: %.1f ms wall, %s CPU",
            what,
            wallNanos / 1e6,
            cpuNanos < 0 ? "unknown" : String.format(Locale.ROOT, "%.1f ms", cpuNanos / 1e6)));
    err.flush();
  }

  /** CPU time of every thread of this process so far, or -1 where the JVM cannot tell. */
  static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime()
        : -1;
  }
}
