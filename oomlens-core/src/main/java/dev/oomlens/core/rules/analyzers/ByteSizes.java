package dev.oomlens.core.rules.analyzers;

import java.util.Locale;

/** Formats sizes and shares the way findings print them. */
final class ByteSizes {
  static final long KIB = 1024;
  static final long MIB = 1024 * KIB;
  static final long GIB = 1024 * MIB;

  private ByteSizes() {}

  /** {@code 512 KiB}, {@code 24.0 MiB}, {@code 1.5 GiB}: one decimal above KiB. */
  static String human(long bytes) {
    long abs = Math.abs(bytes);
    if (abs >= GIB) {
      return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) GIB);
    }
    if (abs >= MIB) {
      return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) MIB);
    }
    return String.format(Locale.ROOT, "%d KiB", bytes / KIB);
  }

  /** A Kubernetes quantity in whole Mi, rounded up: {@code 768Mi}. */
  static String quantityMi(long bytes) {
    return Math.ceilDiv(bytes, MIB) + "Mi";
  }

  /** Whole MiB rounded up. */
  static long ceilMib(long bytes) {
    return Math.ceilDiv(bytes, MIB);
  }

  /** {@code 67%}: a share rounded to whole percent. */
  static String percent(long part, long whole) {
    if (whole <= 0) {
      return "?%";
    }
    return String.format(Locale.ROOT, "%.0f%%", part * 100.0 / whole);
  }

  static double share(long part, long whole) {
    return whole <= 0 ? 0 : part / (double) whole;
  }
}
