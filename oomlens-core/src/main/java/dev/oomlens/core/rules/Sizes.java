package dev.oomlens.core.rules;

import java.util.Locale;

/** Formats sizes and shares the way findings print them: kernel kB or bytes, MiB, GiB, percent. */
public final class Sizes {
  public static final long KIB = 1024;
  public static final long MIB = 1024 * KIB;
  public static final long GIB = 1024 * MIB;

  private Sizes() {}

  /** {@code 32768} → {@code "32.0 MiB"}; under 1 MiB stays in kB. */
  public static String kb(long kb) {
    if (Math.abs(kb) < 1024) {
      return kb + " kB";
    }
    if (Math.abs(kb) < 1024L * 1024) {
      return String.format(Locale.ROOT, "%.1f MiB", kb / 1024.0);
    }
    return String.format(Locale.ROOT, "%.1f GiB", kb / (1024.0 * 1024));
  }

  /** A size in bytes written as {@link #kb} writes kernel kB: {@code 32.0 MiB}, {@code 512 kB}. */
  public static String bytes(long bytes) {
    return kb(bytes / KIB);
  }

  /** The smallest whole number of MiB holding {@code kb}, for Kubernetes quantities. */
  public static long ceilMi(long kb) {
    return Math.max(1, (kb + 1023) / 1024);
  }

  /** {@code part} as a percentage of {@code whole}, one decimal; "?" when whole is 0. */
  public static String percent(long part, long whole) {
    if (whole <= 0) {
      return "?";
    }
    return String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
  }

  /** {@code 512 KiB}, {@code 24.0 MiB}, {@code 1.5 GiB}: one decimal above KiB. */
  public static String human(long bytes) {
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
  public static String quantityMi(long bytes) {
    return Math.ceilDiv(bytes, MIB) + "Mi";
  }

  /** Whole MiB rounded up. */
  public static long ceilMib(long bytes) {
    return Math.ceilDiv(bytes, MIB);
  }

  /** {@code 67%}: a share rounded to whole percent; "?%" when whole is 0. */
  public static String wholePercent(long part, long whole) {
    if (whole <= 0) {
      return "?%";
    }
    return String.format(Locale.ROOT, "%.0f%%", part * 100.0 / whole);
  }

  /** {@code part / whole}, 0 when whole is 0. */
  public static double share(long part, long whole) {
    return whole <= 0 ? 0 : part / (double) whole;
  }
}
