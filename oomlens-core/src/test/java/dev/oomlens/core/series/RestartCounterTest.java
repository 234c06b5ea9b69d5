package dev.oomlens.core.series;

import static dev.oomlens.core.series.Workloads.MIB;
import static dev.oomlens.core.series.Workloads.START;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.oomlens.core.series.MemoryShape.Shape;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** kube-state-metrics' restart counter: restarts counted across resets and gaps, lives split. */
class RestartCounterTest {
  private static final long MIN5 = 300_000;
  private static final Map<String, String> LABELS =
      Map.of("namespace", "shop", "pod", "leaky-0", "container", "leaky");

  /** A counter series: value {@code v[i]} at START + {@code minutes[i]} minutes. */
  private static Series counter(Map<String, String> labels, long[] minutes, double... v) {
    long[] t = new long[minutes.length];
    for (int i = 0; i < t.length; i++) {
      t[i] = START + minutes[i] * 60_000;
    }
    return new Series(
        Series.Role.RESTARTS, "kube_pod_container_status_restarts_total", labels, t, v);
  }

  private static MemoryProfile profile(Series... all) {
    return Workloads.profile("leaky", all);
  }

  @Test
  void noCounter_noRestartCount() {
    MemoryProfile p = profile(Workloads.series(Series.Role.WORKING_SET, "leaky", 1, s -> MIB));
    assertThat(p.restarts()).isEmpty();
    assertThat(p.shape().restarts()).isEmpty();
  }

  @Test
  void steps_areRestarts_theFirstSampleIsTheBaseline() {
    // 7 restarts before the window; 1, then 2 at once, in it
    MemoryProfile p = profile(counter(LABELS, new long[] {0, 5, 10, 15, 20}, 7, 7, 8, 8, 10));
    assertThat(p.restarts()).isEqualTo(OptionalLong.of(3));
    assertThat(p.restartSteps())
        .extracting(MemoryProfile.RestartStep::restarts)
        .containsExactly(1L, 2L);
    assertThat(p.restartSteps().get(1).afterMillis()).isEqualTo(START + 15 * 60_000);
    assertThat(p.restartSteps().get(1).atMillis()).isEqualTo(START + 20 * 60_000);
  }

  @Test
  void aFall_isAReset_notNegativeRestarts() {
    // 2 -> 3 is one; 3 -> 0 a reset (the pod recreated) with none since; 0 -> 1 one; 1 -> 0 -> 2
    // a reset then two; 2 -> 1 a reset after which the counter counted one
    MemoryProfile p =
        profile(counter(LABELS, new long[] {0, 5, 10, 15, 20, 25, 30}, 2, 3, 0, 1, 0, 2, 1));
    assertThat(p.restarts()).isEqualTo(OptionalLong.of(1 + 1 + 2 + 1));
  }

  @Test
  void aGap_losesNoRestart_andStretchesContinueTheSeries() {
    // a scrape gap of 3 hours over two restarts; the series arrives in two stretches, the second
    // repeating the last sample of the first (not counted twice), and with a NaN
    MemoryProfile p =
        profile(
            counter(LABELS, new long[] {0, 5, 10}, 0, 0, 1),
            counter(LABELS, new long[] {10, 190, 195, 200}, 1, 3, Double.NaN, 4));
    assertThat(p.restarts()).isEqualTo(OptionalLong.of(4));
    assertThat(p.restartSteps().get(1).afterMillis()).isEqualTo(START + 10 * 60_000);
    assertThat(p.restartSteps().get(1).atMillis()).isEqualTo(START + 190 * 60_000);
  }

  @Test
  void eachSeries_isCountedOnItsOwn() {
    // a recreated pod's new series (a new uid) starts from its own first sample
    Map<String, String> old = new java.util.HashMap<>(LABELS);
    old.put("uid", "a");
    Map<String, String> recreated = new java.util.HashMap<>(LABELS);
    recreated.put("uid", "b");
    MemoryProfile p =
        profile(
            counter(old, new long[] {0, 5, 10}, 4, 5, 6),
            counter(recreated, new long[] {15, 20, 25}, 0, 0, 1));
    assertThat(p.restarts()).isEqualTo(OptionalLong.of(3));
  }

  /*
   * 50 MiB/h from 300 MiB, restarted every 4 hours for a week, in a series with no container ID
   * (a saved file): each restart falls to 60% of the level before it, not to half, so the working
   * set alone does not show the restarts, and its lowest level over the week does not grow.
   */
  private static Series idlessLeak() {
    return Workloads.series(
        Series.Role.WORKING_SET,
        "leaky",
        7 * 24,
        s -> 300 * MIB + 50.0 * MIB * (s % 14_400) / 3600 + (s % 60) * 0.1 * MIB);
  }

  private static Series leakCounter() {
    int n = (int) (7 * 24 * 3600_000L / MIN5);
    long[] t = new long[n];
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      t[i] = START + i * MIN5;
      v[i] = (i * MIN5) / 14_400_000;
    }
    return new Series(
        Series.Role.RESTARTS, "kube_pod_container_status_restarts_total", LABELS, t, v);
  }

  @Test
  void withoutCounter_anIdlessLeakThatFallsLessThanHalf_isNotSeen() {
    MemoryShape s = profile(idlessLeak()).shape();
    assertThat(s.lives()).isEqualTo(1);
    assertThat(s.shape()).isNotEqualTo(Shape.LEAK);
  }

  @Test
  void counterSteps_endIdlessLives_readBeforeOrAfterTheWorkingSet() {
    MemoryShape after = profile(idlessLeak(), leakCounter()).shape();
    MemoryShape before = profile(leakCounter(), idlessLeak()).shape();
    for (MemoryShape s : new MemoryShape[] {after, before}) {
      assertThat(s.shape()).isEqualTo(Shape.LEAK);
      assertThat(s.restarts()).isEqualTo(OptionalLong.of(41));
      assertThat(s.slopeBytesPerHour() / MIB).isCloseTo(50, within(2.0));
      assertThat(s.risingShare()).isGreaterThan(0.95);
    }
    assertThat(before.slopeBytesPerHour()).isEqualTo(after.slopeBytesPerHour());
  }

  @Test
  void aRestartSeenByBothAFallAndTheCounter_isOneRestart() {
    // falls to 40%: a fall to half begins each life; the counter's steps then add no cut
    Series ws =
        Workloads.series(
            Series.Role.WORKING_SET,
            "leaky",
            7 * 24,
            s -> 200 * MIB + 75.0 * MIB * (s % 14_400) / 3600 + (s % 60) * 0.1 * MIB);
    MemoryShape s = profile(ws, leakCounter()).shape();
    assertThat(s.lives()).isEqualTo(42);
    assertThat(s.shape()).isEqualTo(Shape.LEAK);
    assertThat(s.slopeBytesPerHour() / MIB).isCloseTo(75, within(3.0));
    assertThat(s.risingShare()).isGreaterThan(0.95);
  }
}
