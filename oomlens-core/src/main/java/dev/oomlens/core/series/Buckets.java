package dev.oomlens.core.series;

import java.util.Arrays;

/*
 * Time buckets whose width doubles whenever they would exceed their number: a week at 30 s and an
 * hour at 1 s both end in at most CAPACITY buckets, and the memory a profile holds does not grow
 * with the samples. Each bucket keeps the lowest and highest value in it, which is all the leak
 * test (the lowest: GC peaks and spikes do not move it) and the charts (both) need.
 */

/** Lowest and highest value per time bucket, the width doubling to stay within a capacity. */
final class Buckets {
  private final int capacity;
  private long originMillis;
  private long widthMillis;
  private double[] min;
  private double[] max;
  private int used;

  Buckets(long originMillis, long widthMillis, int capacity) {
    this.capacity = capacity;
    this.originMillis = originMillis;
    this.widthMillis = Math.max(1, widthMillis);
    this.min = new double[Math.min(capacity, 64)];
    this.max = new double[min.length];
    Arrays.fill(min, Double.NaN);
    Arrays.fill(max, Double.NaN);
  }

  void add(long timeMillis, double value) {
    if (Double.isNaN(value)) {
      return;
    }
    while (timeMillis < originMillis) {
      prepend(Math.ceilDiv(originMillis - timeMillis, widthMillis));
    }
    long i = (timeMillis - originMillis) / widthMillis;
    while (i >= capacity) {
      halve();
      i = (timeMillis - originMillis) / widthMillis;
    }
    int b = (int) i;
    if (b >= min.length) {
      int size = Math.min(capacity, Math.max(b + 1, min.length * 2));
      int old = min.length;
      min = Arrays.copyOf(min, size);
      max = Arrays.copyOf(max, size);
      Arrays.fill(min, old, size, Double.NaN);
      Arrays.fill(max, old, size, Double.NaN);
    }
    min[b] = Double.isNaN(min[b]) ? value : Math.min(min[b], value);
    max[b] = Double.isNaN(max[b]) ? value : Math.max(max[b], value);
    used = Math.max(used, b + 1);
  }

  /* An earlier sample (another container's series read after a later one) moves the origin. */
  private void prepend(long buckets) {
    if (used + buckets > capacity) {
      halve();
      // The caller asks again with the doubled width, until the earlier sample fits.
      return;
    }
    int k = (int) buckets;
    int size = Math.min(capacity, Math.max(used + k, min.length));
    double[] lo = new double[size];
    double[] hi = new double[size];
    Arrays.fill(lo, Double.NaN);
    Arrays.fill(hi, Double.NaN);
    System.arraycopy(min, 0, lo, k, used);
    System.arraycopy(max, 0, hi, k, used);
    min = lo;
    max = hi;
    used += k;
    originMillis -= k * widthMillis;
  }

  private void halve() {
    int n = (used + 1) / 2;
    for (int i = 0; i < n; i++) {
      double lo = lower(min, 2 * i);
      double hi = upper(max, 2 * i);
      min[i] = lo;
      max[i] = hi;
    }
    Arrays.fill(min, n, min.length, Double.NaN);
    Arrays.fill(max, n, max.length, Double.NaN);
    used = n;
    widthMillis *= 2;
  }

  private static double lower(double[] a, int i) {
    double x = a[i];
    double y = i + 1 < a.length ? a[i + 1] : Double.NaN;
    return Double.isNaN(x) ? y : Double.isNaN(y) ? x : Math.min(x, y);
  }

  private static double upper(double[] a, int i) {
    double x = a[i];
    double y = i + 1 < a.length ? a[i + 1] : Double.NaN;
    return Double.isNaN(x) ? y : Double.isNaN(y) ? x : Math.max(x, y);
  }

  long widthMillis() {
    return widthMillis;
  }

  /** The filled buckets as {@code {mid-times in seconds}, {lowest}, {highest}}. */
  double[][] points() {
    int n = 0;
    for (int i = 0; i < used; i++) {
      if (!Double.isNaN(min[i])) {
        n++;
      }
    }
    double[][] out = new double[3][n];
    int k = 0;
    for (int i = 0; i < used; i++) {
      if (!Double.isNaN(min[i])) {
        out[0][k] = (originMillis + i * widthMillis + widthMillis / 2.0) / 1000.0;
        out[1][k] = min[i];
        out[2][k] = max[i];
        k++;
      }
    }
    return out;
  }
}
