package dev.oomlens.core.series;

import java.util.Arrays;

/*
 * Quantiles of millions of samples in a few kilobytes: buckets grow by 2%, so any quantile is
 * known to within 2% of its value, whatever the spread (the VPA recommender keeps its peaks the
 * same way, with 5% buckets). Values below 1 MiB share the first bucket: no limit is sized in KiB.
 */

/** A histogram of byte values in buckets 2% wide, from 1 MiB up: quantiles to within 2%. */
public final class LogHistogram {
  private static final double FIRST = 1 << 20;
  private static final double GROWTH = 1.02;
  private static final double LOG_GROWTH = Math.log(GROWTH);
  private long[] counts = new long[64];
  private double[] highest = new double[64];
  private long total;
  private double max = Double.NEGATIVE_INFINITY;
  private double min = Double.POSITIVE_INFINITY;

  /** Counts one value. */
  public void add(double value) {
    if (Double.isNaN(value)) {
      return;
    }
    int i = index(value);
    if (i >= counts.length) {
      counts = Arrays.copyOf(counts, Math.max(i + 1, counts.length * 2));
      highest = Arrays.copyOf(highest, counts.length);
    }
    counts[i]++;
    highest[i] = Math.max(highest[i], value);
    total++;
    max = Math.max(max, value);
    min = Math.min(min, value);
  }

  private static int index(double value) {
    return value <= FIRST ? 0 : 1 + (int) (Math.log(value / FIRST) / LOG_GROWTH);
  }

  /** How many values were counted. */
  public long count() {
    return total;
  }

  /** The largest value counted, exactly; NaN when none was. */
  public double max() {
    return total == 0 ? Double.NaN : max;
  }

  /** The smallest value counted, exactly; NaN when none was. */
  public double min() {
    return total == 0 ? Double.NaN : min;
  }

  /**
   * The value below which a share {@code q} of the values lie: the highest value counted in its
   * bucket, so never above the true quantile by more than 2%, and exact when the values repeat; NaN
   * when empty.
   */
  public double quantile(double q) {
    if (total == 0) {
      return Double.NaN;
    }
    long rank = (long) Math.ceil(q * total);
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= Math.max(1, rank)) {
        return highest[i];
      }
    }
    return max;
  }
}
