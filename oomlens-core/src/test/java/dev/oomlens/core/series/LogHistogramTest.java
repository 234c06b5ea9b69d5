package dev.oomlens.core.series;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LogHistogramTest {
  private static final double MIB = 1 << 20;

  /**
   * The histogram as it was before it held only the buckets seen: one array from the first bucket
   * up. The held range must give exactly its answers.
   */
  private static final class Dense {
    long[] counts = new long[64];
    double[] highest = new double[64];
    long total;
    double max = Double.NEGATIVE_INFINITY;

    void add(double value) {
      int i = value <= MIB ? 0 : 1 + (int) (Math.log(value / MIB) / Math.log(1.02));
      if (i >= counts.length) {
        counts = Arrays.copyOf(counts, Math.max(i + 1, counts.length * 2));
        highest = Arrays.copyOf(highest, counts.length);
      }
      counts[i]++;
      highest[i] = Math.max(highest[i], value);
      total++;
      max = Math.max(max, value);
    }

    double quantile(double q) {
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

  @Test
  void quantile_sameAsOneArrayFromTheFirstBucket() {
    SplittableRandom random = new SplittableRandom(11);
    double[] qs = {0, 0.01, 0.05, 0.25, 0.5, 0.9, 0.95, 0.99, 1};
    for (int round = 0; round < 500; round++) {
      LogHistogram h = new LogHistogram();
      Dense d = new Dense();
      // A level somewhere from 0 to 8 GiB, a spread from none to a factor of 50, rising,
      // falling or at random, so the held range grows at either end.
      double level = Math.pow(2, random.nextDouble(0, 33));
      double spread = random.nextDouble(0, 50);
      int n = 1 + random.nextInt(2000);
      int order = random.nextInt(3);
      for (int i = 0; i < n; i++) {
        double f =
            order == 0 ? i / (double) n : order == 1 ? 1 - i / (double) n : random.nextDouble();
        double v = Math.floor(level * (1 + spread * f));
        h.add(v);
        d.add(v);
      }
      for (double q : qs) {
        assertThat(h.quantile(q)).as("round %d, q %s", round, q).isEqualTo(d.quantile(q));
      }
      assertThat(h.max()).isEqualTo(d.max);
      assertThat(h.count()).isEqualTo(n);
    }
  }

  @Test
  void add_infinityAndNaN() {
    LogHistogram h = new LogHistogram();
    h.add(Double.NaN);
    assertThat(h.count()).isZero();
    assertThat(h.quantile(0.5)).isNaN();
    h.add(100 * MIB);
    h.add(Double.POSITIVE_INFINITY);
    assertThat(h.count()).isEqualTo(2);
    assertThat(h.quantile(0.5)).isEqualTo(100 * MIB);
    assertThat(h.max()).isInfinite();
  }
}
