package dev.oomlens.core.series;

import java.util.Arrays;
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

  /** Pairs beyond this are thinned evenly; the median of 400,000 slopes is sharp enough. */
  private static final long MAX_PAIRS = 400_000;

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
    double[] slopes = new double[(int) Math.min(pairs, MAX_PAIRS + segments.size())];
    int k = 0;
    long seen = 0;
    long rising = 0;
    for (double[][] s : segments) {
      double[] t = s[0];
      double[] v = s[1];
      for (int i = 0; i < t.length; i++) {
        for (int j = i + 1; j < t.length; j++) {
          if (seen++ % stride != 0 || t[j] == t[i] || k == slopes.length) {
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
    double[] used = Arrays.copyOf(slopes, k);
    Arrays.sort(used);
    double median = k % 2 == 1 ? used[k / 2] : (used[k / 2 - 1] + used[k / 2]) / 2;
    return new Fit(median, rising / (double) k, k);
  }
}
