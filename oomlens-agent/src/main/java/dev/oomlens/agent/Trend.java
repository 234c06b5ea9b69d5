package dev.oomlens.agent;

import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;

/*
 * Theil–Sen: the slope is the median of the slopes between every pair of points, the intercept
 * the median of what each point leaves. Up to 29% of the points can be anything (a GC that drops
 * the heap, a burst of page cache) without moving the line, where least squares would follow
 * them. Pairs are O(n²): the window is capped at MAX_POINTS (60 points, 1,770 pairs), older
 * points thinned evenly, which is microseconds per cgroup.
 */

/** A robust straight line through a cgroup's usage samples, and when it reaches a level. */
final class Trend {
  static final int MAX_POINTS = 60;

  /** Seconds and bytes. */
  record Point(double t, double y) {}

  private final double slope;
  private final double intercept;

  private Trend(double slope, double intercept) {
    this.slope = slope;
    this.intercept = intercept;
  }

  /** The Theil–Sen line through {@code points} (time order); null for fewer than two. */
  static Trend fit(List<Point> points) {
    List<Point> p = thin(points);
    int n = p.size();
    if (n < 2) {
      return null;
    }
    double[] slopes = new double[n * (n - 1) / 2];
    int k = 0;
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        double dt = p.get(j).t() - p.get(i).t();
        if (dt > 0) {
          slopes[k++] = (p.get(j).y() - p.get(i).y()) / dt;
        }
      }
    }
    if (k == 0) {
      return null;
    }
    double slope = median(Arrays.copyOf(slopes, k));
    double[] rest = new double[n];
    for (int i = 0; i < n; i++) {
      rest[i] = p.get(i).y() - slope * p.get(i).t();
    }
    return new Trend(slope, median(rest));
  }

  /** Bytes per second. */
  double slope() {
    return slope;
  }

  /** The line's value at {@code t}. */
  double at(double t) {
    return intercept + slope * t;
  }

  /** Seconds from {@code t} until the line reaches {@code level}; empty when it never will. */
  OptionalDouble secondsUntil(double t, double level) {
    if (slope <= 0) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(Math.max(0, (level - at(t)) / slope));
  }

  private static List<Point> thin(List<Point> points) {
    if (points.size() <= MAX_POINTS) {
      return points;
    }
    Point[] out = new Point[MAX_POINTS];
    for (int i = 0; i < MAX_POINTS; i++) {
      out[i] = points.get((int) Math.round(i * (points.size() - 1) / (double) (MAX_POINTS - 1)));
    }
    return List.of(out);
  }

  private static double median(double[] v) {
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }
}
