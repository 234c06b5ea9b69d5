package dev.oomlens.core.series;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TheilSenTest {
  /** The multiply-by-inverse test keeps exactly the pairs the remainder kept. */
  @Test
  void divisibilityAgreesWithTheRemainder() {
    SplittableRandom random = new SplittableRandom(7);
    long[] strides = {1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 17, 96, 1000, 1 << 20, 3L << 40, 999_983};
    for (long d : strides) {
      TheilSen.Divisibility test = new TheilSen.Divisibility(d);
      for (int i = 0; i < 20_000; i++) {
        // Multiples (and their neighbours) are rare among random draws, so half are made so.
        long n = i % 2 == 0 ? random.nextLong() : random.nextLong() / d * d + (i % 4 == 1 ? 0 : 1);
        assertThat(test.divides(n))
            .as("%s divides %s", d, Long.toUnsignedString(n))
            .isEqualTo(Long.remainderUnsigned(n, d) == 0);
      }
      assertThat(test.divides(0)).isTrue();
      assertThat(test.divides(-1L)).isEqualTo(Long.remainderUnsigned(-1L, d) == 0);
    }
  }

  /** Seven lives of 256 points (thinned: more than 50,000 pairs) on a known line, with noise. */
  @Test
  void thinnedFitFindsTheLine() {
    SplittableRandom random = new SplittableRandom(3);
    List<double[][]> segments = new ArrayList<>();
    for (int life = 0; life < 7; life++) {
      double[] t = new double[256];
      double[] v = new double[256];
      for (int i = 0; i < 256; i++) {
        t[i] = life * 86_400 + i * 337.5;
        v[i] = 1e8 + 50.0 * (t[i] - life * 86_400) + (random.nextDouble() - 0.5) * 2e5;
      }
      segments.add(new double[][] {t, v});
    }
    TheilSen.Fit fit = TheilSen.fit(segments);
    assertThat(fit.pairs()).isBetween(40_000L, 100_000L);
    assertThat(fit.slopePerSecond()).isCloseTo(50.0, within(1.0));
    assertThat(fit.risingShare()).isGreaterThan(0.9);
  }
}
