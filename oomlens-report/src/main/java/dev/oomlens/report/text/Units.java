package dev.oomlens.report.text;

import java.util.Locale;

/** Formats sizes and durations the way the text report prints them: MiB with one decimal. */
public final class Units {
  private Units() {}

  /** {@code 512000} kB as {@code "500.0 MiB"}. */
  public static String mibFromKb(long kb) {
    return String.format(Locale.ROOT, "%.1f MiB", kb / 1024.0);
  }

  /** {@code 524288000} bytes as {@code "500.0 MiB"}. */
  public static String mibFromBytes(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }

  /** Seconds since boot as a short human duration: {@code 45s}, {@code 10h 06m}, {@code 3d 04h}. */
  public static String duration(double seconds) {
    long s = (long) Math.floor(Math.max(0, seconds));
    long days = s / 86_400;
    long hours = s % 86_400 / 3_600;
    long minutes = s % 3_600 / 60;
    if (days > 0) {
      return String.format(Locale.ROOT, "%dd %02dh", days, hours);
    }
    if (hours > 0) {
      return String.format(Locale.ROOT, "%dh %02dm", hours, minutes);
    }
    if (minutes > 0) {
      return String.format(Locale.ROOT, "%dm %02ds", minutes, s % 60);
    }
    return s + "s";
  }
}
