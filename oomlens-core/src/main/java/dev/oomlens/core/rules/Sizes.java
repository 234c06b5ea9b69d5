package dev.oomlens.core.rules;

import java.util.Locale;

/** Formats kernel sizes for people: kB as the kernel prints them, rounded to MiB or GiB. */
public final class Sizes {
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
}
