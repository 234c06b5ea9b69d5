package dev.oomlens.core.series;

import static dev.oomlens.core.series.Workloads.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The VPA recommender's bounds beside its target, with the answers its formulas give by hand
 * (vertical-pod-autoscaler logic/recommender.go and estimator.go): the upper bound is P95 x 1.15 x
 * (1 + 1/confidence), the lower P50 x 1.15 x (1 + 0.001/confidence)^-2, both at least 250 MiB.
 */
class VpaBoundsTest {
  private static final double DAY_MILLIS = 86_400_000.0;

  @Test
  void vpaBounds_oneDay_upperIsTwiceTheMarginedP95() {
    Sizing.VpaBounds b = Sizing.vpaBounds(new double[] {500.0 * MIB}, 1.0);

    assertThat(b.upperBytes()).hasValue(1150 * MIB); // 500 x 1.15 x 2
    assertThat(b.lowerBytes()).hasValue(574 * MIB); // 575 / 1.001^2 = 573.85, up to whole MiB
    assertThat(b.confidenceDays()).isEqualTo(1.0);
  }

  @Test
  void vpaBounds_aWeek_upperOnlyAFewPercentAbove() {
    double[] peaks = new double[7];
    for (int i = 0; i < 7; i++) {
      peaks[i] = (700 - 100 * i) * (double) MIB; // out of order: the bounds sort them
    }

    Sizing.VpaBounds b = Sizing.vpaBounds(peaks, 7.0);

    // P95 of seven is the largest, 700: 805 x 8/7 = 920; P50 the fourth, 400: 460 x 0.99971
    assertThat((double) b.upperBytes().getAsLong() / MIB).isCloseTo(920, within(1.0));
    assertThat((double) b.lowerBytes().getAsLong() / MIB).isCloseTo(460, within(1.0));
    assertThat(peaks[0]).as("the caller's peaks are left as they were").isEqualTo(700.0 * MIB);
  }

  @Test
  void vpaBounds_nothingSeenYet_noUpperBound() {
    Sizing.VpaBounds b = Sizing.vpaBounds(new double[] {500.0 * MIB}, 0);

    assertThat(b.upperBytes()).isEmpty();
    assertThat(b.lowerBytes()).hasValue(Sizing.VPA_FLOOR);
  }

  @Test
  void vpaBounds_smallWorkload_bothAtTheFloor() {
    Sizing.VpaBounds b = Sizing.vpaBounds(new double[] {10.0 * MIB}, 7.0);

    assertThat(b.lowerBytes()).hasValue(250 * MIB);
    assertThat(b.upperBytes()).hasValue(250 * MIB);
  }

  @Test
  void vpaBounds_noSamples_none() {
    Sizing.VpaBounds b = Sizing.vpaBounds(new double[0], 3.0);

    assertThat(b.lowerBytes()).isEmpty();
    assertThat(b.upperBytes()).isEmpty();
  }

  @Test
  void confidence_aGapInTheSeriesDoesNotCount() {
    // One day at 30 s, nothing for two days, one more day: lived four days, seen two.
    int perDay = (int) (DAY_MILLIS / Workloads.STEP);
    long[] t = new long[2 * perDay];
    double[] v = new double[2 * perDay];
    for (int i = 0; i < t.length; i++) {
      long day = i < perDay ? 0 : 3;
      t[i] = Workloads.START + day * (long) DAY_MILLIS + (long) (i % perDay) * Workloads.STEP;
      v[i] = 400.0 * MIB;
    }
    MemoryProfile p =
        Workloads.profile(
            "gappy",
            new Series(
                Series.Role.WORKING_SET,
                "container_memory_working_set_bytes",
                Map.of("namespace", "shop", "pod", "gappy-0", "container", "gappy"),
                t,
                v));

    assertThat(p.lifespanDays()).isCloseTo(4.0, within(0.001));
    assertThat(p.observedDays()).isCloseTo(2.0, within(0.001));
    Sizing.SizePlan plan = Sizing.of(p);
    assertThat(plan.vpaBounds().confidenceDays()).isCloseTo(2.0, within(0.001));
    // 460 x (1 + 1/2)
    assertThat((double) plan.vpaBounds().upperBytes().getAsLong() / MIB)
        .isCloseTo(690, within(1.0));
  }

  @Test
  void confidence_youngWorkload_lifespanBounds() {
    // Six hours at 30 s: seen all the time it lived, a quarter of a day (less one step, between
    // the first sample and the last); the upper bound is about 5x.
    MemoryProfile p =
        Workloads.profile(
            "young", Workloads.series(Series.Role.WORKING_SET, "young", 6, sec -> 400.0 * MIB));

    Sizing.SizePlan plan = Sizing.of(p);

    assertThat(plan.vpaBounds().confidenceDays()).isCloseTo(0.25, within(0.001));
    assertThat((double) plan.vpaBounds().upperBytes().getAsLong() / MIB)
        .isCloseTo(460 * 5, within(5.0));
  }
}
