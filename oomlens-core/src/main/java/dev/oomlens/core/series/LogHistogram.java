package dev.oomlens.core.series;

import java.util.Arrays;

/*
 * Quantiles of millions of samples in a few kilobytes: buckets grow by 2%, so any quantile is
 * known to within 2% of its value, whatever the spread (the VPA recommender keeps its peaks the
 * same way, with 5% buckets). Values below 1 MiB share the first bucket: no limit is sized in KiB.
 *
 * Only the buckets from the lowest to the highest one seen are held: a workload's working set
 * spans tens of buckets, while a dense array up to a 3 GiB value would hold 400 (8 KiB, three
 * times per workload, ten thousand workloads).
 */

/** A histogram of byte values in buckets 2% wide, from 1 MiB up: quantiles to within 2%. */
public final class LogHistogram {
  private static final double FIRST = 1 << 20;
  private static final double GROWTH = 1.02;
  private static final double LOG_GROWTH = Math.log(GROWTH);
  private static final long[] NO_COUNTS = new long[0];
  private static final double[] NO_VALUES = new double[0];

  /** The bucket index of {@code counts[0]}. */
  private int lowest;

  private long[] counts = NO_COUNTS;
  private double[] highest = NO_VALUES;
  private long total;
  private double max = Double.NEGATIVE_INFINITY;
  private double min = Double.POSITIVE_INFINITY;

  /** Counts one value. */
  public void add(double value) {
    if (Double.isNaN(value)) {
      return;
    }
    int i = index(value);
    if (counts.length == 0) {
      lowest = i;
      counts = new long[4];
      highest = new double[4];
    } else if (i < lowest) {
      int grow = Math.max(lowest - i, counts.length / 2);
      grow = Math.min(grow, lowest);
      long[] c = new long[counts.length + grow];
      double[] h = new double[c.length];
      System.arraycopy(counts, 0, c, grow, counts.length);
      System.arraycopy(highest, 0, h, grow, highest.length);
      counts = c;
      highest = h;
      lowest -= grow;
    } else if (i - lowest >= counts.length) {
      int size = Math.max(i - lowest + 1, counts.length + counts.length / 2);
      counts = Arrays.copyOf(counts, size);
      highest = Arrays.copyOf(highest, size);
    }
    int b = i - lowest;
    counts[b]++;
    highest[b] = Math.max(highest[b], value);
    total++;
    max = Math.max(max, value);
    min = Math.min(min, value);
  }

  private static int index(double value) {
    // (int) of an infinite logarithm is Integer.MAX_VALUE: capped, so +Inf lands in a bucket.
    return value <= FIRST ? 0 : 1 + (int) Math.min(Math.log(value / FIRST) / LOG_GROWTH, 1 << 16);
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
