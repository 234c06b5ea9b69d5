package dev.oomlens.core.series;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.model.SeriesWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongToDoubleFunction;
import org.junit.jupiter.api.Test;

/** Tests of {@link HostSeries}; its {@link #series} builds host series for the rules' tests. */
public class HostSeriesTest {
  static final long T0 = Instant.parse("2026-02-10T00:00:00Z").toEpochMilli();

  /** A host series of {@code role}, one sample every {@code stepSeconds} for {@code count}. */
  public static Series series(
      Series.Role role, String instance, int count, long stepSeconds, LongToDoubleFunction v) {
    long[] t = new long[count];
    double[] x = new double[count];
    for (int i = 0; i < count; i++) {
      t[i] = T0 + i * stepSeconds * 1000;
      x[i] = v.applyAsDouble(i);
    }
    return new Series(role, "q", Map.of("instance", instance), t, x);
  }

  @Test
  void hostOf_dropsAPortOnly() {
    assertThat(HostSeries.hostOf("testvm03:9100")).isEqualTo("testvm03");
    assertThat(HostSeries.hostOf("testvm03")).isEqualTo("testvm03");
    assertThat(HostSeries.hostOf("[::1]:9100")).isEqualTo("[::1]");
    assertThat(HostSeries.hostOf("fe80::1")).isEqualTo("fe80::1");
    assertThat(HostSeries.hostOf("node:metrics")).isEqualTo("node:metrics");
  }

  @Test
  void add_keepsLowestHighestLatest_andIgnoresWorkloadRoles() {
    HostSeries h = new HostSeries("a:9100");
    h.add(series(Series.Role.HOST_MEM_AVAILABLE, "a:9100", 100, 60, i -> 1000 - i));
    h.add(series(Series.Role.WORKING_SET, "a:9100", 10, 60, i -> 5));
    assertThat(h.min(Series.Role.HOST_MEM_AVAILABLE).getAsDouble()).isEqualTo(901);
    assertThat(h.max(Series.Role.HOST_MEM_AVAILABLE).getAsDouble()).isEqualTo(1000);
    assertThat(h.last(Series.Role.HOST_MEM_AVAILABLE).getAsDouble()).isEqualTo(901);
    assertThat(h.samples(Series.Role.HOST_MEM_AVAILABLE)).isEqualTo(100);
    assertThat(h.samples(Series.Role.WORKING_SET)).isZero();
    assertThat(h.max(Series.Role.HOST_SWAP_TOTAL)).isEmpty();
    assertThat(h.chart(Series.Role.HOST_MEM_AVAILABLE)[0]).isNotEmpty();
  }

  @Test
  void longestStall_isTheLongestRunAtOrAboveTenPercent() {
    HostSeries h = new HostSeries("a");
    // a 3-minute blip at 50 %, then 20 minutes at 12-30 %, at 1-minute steps
    h.add(
        series(
            Series.Role.HOST_PSI_FULL,
            "a",
            120,
            60,
            i ->
                i >= 10 && i < 13 ? 0.5 : i >= 40 && i <= 60 ? 0.12 + (i == 50 ? 0.18 : 0) : 0.01));
    HostSeries.Stall s = h.longestStall().orElseThrow();
    assertThat(s.from()).isEqualTo(Instant.ofEpochMilli(T0 + 40 * 60_000L));
    assertThat(s.duration()).isEqualTo(Duration.ofMinutes(20));
    assertThat(s.peakShare()).isCloseTo(0.30, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void longestStall_aGapOfMoreThanFiveMinutesEndsIt_andAStallAcrossStretchesIsOne() {
    HostSeries h = new HostSeries("a");
    h.add(series(Series.Role.HOST_PSI_FULL, "a", 10, 60, i -> 0.2));
    // the next stretch goes on a minute later: the same stall
    long[] t = {T0 + 10 * 60_000L, T0 + 11 * 60_000L};
    h.add(new Series(Series.Role.HOST_PSI_FULL, "q", Map.of(), t, new double[] {0.2, 0.2}));
    assertThat(h.longestStall().orElseThrow().duration()).isEqualTo(Duration.ofMinutes(11));
    // after a 10-minute gap a new run starts
    long[] later = {T0 + 21 * 60_000L, T0 + 22 * 60_000L};
    h.add(new Series(Series.Role.HOST_PSI_FULL, "q", Map.of(), later, new double[] {0.2, 0.2}));
    assertThat(h.longestStall().orElseThrow().duration()).isEqualTo(Duration.ofMinutes(11));
  }

  @Test
  void longestStall_underTenPercent_isNone() {
    HostSeries h = new HostSeries("a");
    h.add(series(Series.Role.HOST_PSI_FULL, "a", 100, 60, i -> 0.099));
    assertThat(h.longestStall()).isEmpty();
  }

  @Test
  void window_citesTheInstanceAndAtMostTheGivenPoints() {
    HostSeries h = new HostSeries("a:9100");
    h.add(series(Series.Role.HOST_SWAP_TOTAL, "a:9100", 1000, 60, i -> 0));
    SeriesWindow w =
        h.window(Series.Role.HOST_SWAP_TOTAL, Optional.empty(), Optional.empty(), 60).orElseThrow();
    assertThat(w.labels()).containsEntry("instance", "a:9100");
    assertThat(w.samples()).hasSizeBetween(1, 60);
    assertThat(w.from()).isEqualTo(Instant.ofEpochMilli(T0));
    assertThat(w.to()).isEqualTo(Instant.ofEpochMilli(T0 + 999 * 60_000L));
  }
}
