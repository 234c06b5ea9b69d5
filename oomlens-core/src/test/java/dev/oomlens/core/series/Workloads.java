package dev.oomlens.core.series;

import java.util.Map;
import java.util.function.LongToDoubleFunction;

/** Generated working sets with known shapes: a week (or less) at 30 s, values in bytes. */
final class Workloads {
  static final long MIB = 1L << 20;
  static final long START = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
  static final long STEP = 30_000;

  private Workloads() {}

  /** {@code hours} of samples from {@code f(seconds since start)}, in one stretch. */
  static Series series(Series.Role role, String container, double hours, LongToDoubleFunction f) {
    int n = (int) (hours * 3600_000 / STEP);
    long[] t = new long[n];
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      t[i] = START + i * STEP;
      v[i] = f.applyAsDouble(i * STEP / 1000);
    }
    return new Series(
        role,
        "container_memory_working_set_bytes",
        Map.of("namespace", "shop", "pod", container + "-0", "container", container),
        t,
        v);
  }

  static Series limit(String container, double hours, long bytes) {
    return series(Series.Role.LIMIT, container, hours, s -> bytes);
  }

  static MemoryProfile profile(String container, Series... all) {
    MemoryProfile p = new MemoryProfile(new MemoryProfile.Id("shop", container + "-0", container));
    for (Series s : all) {
      p.add(s);
    }
    return p;
  }

  /** A small deterministic wobble of about 1%, so no series is a perfect line. */
  static double noise(long seconds) {
    return Math.sin(seconds * 0.0137) * 0.006 + Math.sin(seconds * 0.0031) * 0.004;
  }
}
