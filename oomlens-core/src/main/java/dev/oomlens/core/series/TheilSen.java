package dev.oomlens.core.series;

import java.util.List;

/*
 * Theil-Sen: the median of the slopes between every pair of points. Up to 29% of the points may
 * be anything (a GC peak, a spike, a stuck scrape) without moving the line, which a least-squares
 * fit cannot promise. Pairs are taken only inside one segment (one container's life between
 * restarts), so a leak that restarts at its baseline still shows as the growth it is, and a
 * restart's fall is never read as shrinking. The share of rising pairs says how steady the growth
 * is (Kendall's tau, rescaled to 0..1).
 */

/** A robust straight line through points grouped in segments: Theil-Sen's median slope. */
public final class TheilSen {
  /** The line: slope per second, and the share of pairs that rise. */
  public record Fit(double slopePerSecond, double risingShare, long pairs) {}

  private TheilSen() {}

  /**
   * Pairs beyond this are thinned evenly: the median of 50,000 slopes is sharp enough, and the fit
   * is the CPU oomlens size spends most on per container.
   */
  private static final long MAX_PAIRS = 50_000;

  /**
   * The median slope over the pairs of points of each segment; each segment is {@code {times in
   * seconds}, {values}}. An empty fit (NaN slope, no pairs) when no segment has two points.
   */
  public static Fit fit(List<double[][]> segments) {
    long pairs = 0;
    for (double[][] s : segments) {
      long n = s[0].length;
      pairs += n * (n - 1) / 2;
    }
    if (pairs == 0) {
      return new Fit(Double.NaN, Double.NaN, 0);
    }
    long stride = Math.max(1, (pairs + MAX_PAIRS - 1) / MAX_PAIRS);
    double[] slopes = new double[(int) Math.min(pairs, 2 * MAX_PAIRS)];
    int k = 0;
    long rnd = 0x9E3779B97F4A7C15L;
    long rising = 0;
    Divisibility keep = new Divisibility(stride);
    for (double[][] s : segments) {
      double[] t = s[0];
      double[] v = s[1];
      for (int i = 0; i < t.length; i++) {
        for (int j = i + 1; j < t.length; j++) {
          // Thinned at random (a fixed seed: the same input gives the same line), never by a
          // stride, which would beat against a periodic signal such as GC cycles.
          rnd ^= rnd << 13;
          rnd ^= rnd >>> 7;
          rnd ^= rnd << 17;
          if (!keep.divides(rnd) || t[j] == t[i] || k == slopes.length) {
            continue;
          }
          double slope = (v[j] - v[i]) / (t[j] - t[i]);
          if (slope > 0) {
            rising++;
          }
          slopes[k++] = slope;
        }
      }
    }
    if (k == 0) {
      return new Fit(Double.NaN, Double.NaN, 0);
    }
    double upper = select(slopes, k, k / 2);
    // select leaves every slope below k / 2 no larger than the one there: the lower middle of an
    // even count is the largest of them, found without a second selection.
    double median = k % 2 == 1 ? upper : (max(slopes, k / 2) + upper) / 2;
    return new Fit(median, rising / (double) k, k);
  }

  /*
   * Whether the random draw is a multiple of the stride decides which pairs are kept. A 64-bit
   * division per pair was most of the fit's time (a week of 10,000 containers is billions of
   * pairs), so divisibility is tested by multiplying with the inverse of the stride's odd part
   * (Granlund and Montgomery): n is a multiple of d = 2^s * q (q odd) exactly when its low s bits
   * are zero and (n >>> s) * q^-1 mod 2^64 is at most (2^64 - 1) / q. The same pairs are kept as
   * with the remainder, so the line is the same.
   */
  static final class Divisibility {
    private final int shift;
    private final long lowBits;
    private final long inverse;
    private final long limit;

    Divisibility(long d) {
      if (d < 1) {
        throw new IllegalArgumentException("stride " + d);
      }
      shift = Long.numberOfTrailingZeros(d);
      lowBits = (1L << shift) - 1;
      long q = d >>> shift;
      // Newton's iteration doubles the correct low bits each time: 3, 6, 12, 24, 48, 96.
      long x = q;
      for (int i = 0; i < 5; i++) {
        x *= 2 - q * x;
      }
      inverse = x;
      limit = Long.divideUnsigned(-1L, q);
    }

    boolean divides(long n) {
      return (n & lowBits) == 0 && Long.compareUnsigned((n >>> shift) * inverse, limit) <= 0;
    }
  }

  private static double max(double[] a, int n) {
    double m = a[0];
    for (int i = 1; i < n; i++) {
      m = Math.max(m, a[i]);
    }
    return m;
  }

  /**
   * The {@code n}-th smallest of {@code a[0..k)} (Hoare's selection; reorders {@code a} so that
   * nothing before {@code n} is larger and nothing after it smaller).
   */
  static double select(double[] a, int k, int n) {
    int lo = 0;
    int hi = k - 1;
    while (lo < hi) {
      double pivot = a[(lo + hi) >>> 1];
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (a[i] < pivot) {
          i++;
        }
        while (a[j] > pivot) {
          j--;
        }
        if (i <= j) {
          double t = a[i];
          a[i] = a[j];
          a[j] = t;
          i++;
          j--;
        }
      }
      if (n <= j) {
        hi = j;
      } else if (n >= i) {
        lo = i;
      } else {
        return a[n];
      }
    }
    return a[n];
  }
}
