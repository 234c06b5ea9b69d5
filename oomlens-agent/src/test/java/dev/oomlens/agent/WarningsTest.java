package dev.oomlens.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.oomlens.core.host.KeyedValues;
import dev.oomlens.core.host.PressureStall;
import dev.oomlens.core.host.parse.MeminfoParser;
import dev.oomlens.core.host.parse.PressureParser;
import dev.oomlens.core.model.SeriesWindow;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WarningsTest {
  private static final Instant T0 = Instant.parse("2026-12-05T07:00:00Z");
  private static final long MIB = 1L << 20;
  private static final long LIMIT = 64 * MIB;

  @TempDir Path tmp;
  private History history;
  private Metrics metrics;
  private Warnings warnings;
  private final List<String> said = new ArrayList<>();

  @BeforeEach
  void setUp() {
    history = History.openForAgent(tmp.resolve("h.db"), Clock.fixed(T0, ZoneOffset.UTC));
    metrics = new Metrics();
    warnings = new Warnings(Warnings.Thresholds.DEFAULTS, history, metrics, said::add);
  }

  private static Sampler.Sample sample(int second, long usage) {
    return new Sampler.Sample(
        T0.plusSeconds(second),
        Optional.empty(),
        Optional.empty(),
        OptionalLong.empty(),
        List.of(
            new Sampler.CgroupSample(
                "/leaky",
                "/sys/fs/cgroup/memory/leaky/memory.usage_in_bytes",
                usage,
                LIMIT,
                OptionalLong.empty(),
                OptionalLong.empty())));
  }

  private List<Warnings.Holding> timeToLimit(List<Warnings.Holding> h) {
    return h.stream().filter(w -> w.finding().code().equals("TIME-TO-LIMIT")).toList();
  }

  @Test
  void timeToLimit_linearLeak_forecastsWhenTheLimitIsReached() {
    // 0.5 MiB/s from 8 MiB: the limit of 64 MiB is reached at t = 112 s.
    List<Warnings.Holding> last = List.of();
    for (int t = 0; t <= 30; t += 5) {
      last = warnings.judge(sample(t, 8 * MIB + t * MIB / 2));
    }
    Warnings.Holding w = timeToLimit(last).getFirst();
    assertThat(w.cgroup()).hasValue("/leaky");
    assertThat(w.timeToLimitSeconds().getAsDouble()).isCloseTo(112 - 30, within(1.0));
    assertThat(w.finding().summary())
        .isEqualTo("/leaky grows 30.0 MiB/min and reaches its limit of 64.0 MiB in about 82 s");
    assertThat(w.finding().evidence()).singleElement().isInstanceOf(SeriesWindow.class);
    // Raised once, at t = 25 s, the first sample with six points: 87 s ahead then.
    assertThat(history.warnings(Optional.empty()))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.raisedAt()).isEqualTo(T0.plusSeconds(25));
              assertThat(r.timeToLimitSeconds().getAsDouble()).isCloseTo(87, within(1.0));
            });
    assertThat(said)
        .containsExactly(
            "warning TIME-TO-LIMIT: /leaky grows 30.0 MiB/min and"
                + " reaches its limit of 64.0 MiB in about 87 s");
  }

  @Test
  void timeToLimit_aGcDropInTheMiddle_doesNotBendTheTrend() {
    List<Warnings.Holding> last = List.of();
    for (int t = 0; t <= 60; t += 5) {
      long usage = 8 * MIB + t * MIB / 2;
      if (t == 40) {
        usage -= 20 * MIB; // one collection: usage falls, the leak goes on
      }
      last = warnings.judge(sample(t, usage));
    }
    assertThat(timeToLimit(last).getFirst().timeToLimitSeconds().getAsDouble())
        .isCloseTo(112 - 60, within(3.0));
  }

  @Test
  void timeToLimit_flatOrNoisyUsage_nothing() {
    for (int t = 0; t <= 120; t += 5) {
      long wobble = (t / 5 % 2 == 0 ? 1 : -1) * MIB;
      assertThat(timeToLimit(warnings.judge(sample(t, 40 * MIB + wobble)))).isEmpty();
    }
  }

  @Test
  void timeToLimit_slowGrowthBeyondTheHorizon_nothing_butJustInside_warns() {
    // 1 MiB a minute with 56 MiB of room: an hour away, outside the 30 min horizon.
    for (int t = 0; t <= 300; t += 5) {
      assertThat(timeToLimit(warnings.judge(sample(t, 8 * MIB + t * MIB / 60)))).isEmpty();
    }
    // Near miss the other way: 2 MiB a minute with 50 MiB of room is 25 min away.
    Warnings fresh = new Warnings(Warnings.Thresholds.DEFAULTS, history, metrics, said::add);
    List<Warnings.Holding> last = List.of();
    for (int t = 0; t <= 300; t += 5) {
      last = fresh.judge(sample(t, 4 * MIB + t * 2 * MIB / 60));
    }
    assertThat(timeToLimit(last)).hasSize(1);
  }

  @Test
  void episode_raisedOnce_clearedAfterTwoQuietSamples_andTheCgroupsWindowForgotten() {
    for (int t = 0; t <= 60; t += 5) {
      warnings.judge(sample(t, 8 * MIB + t * MIB / 2));
    }
    assertThat(history.warnings(Optional.empty())).hasSize(1);
    // The cgroup is gone (killed and removed): two samples without it clear the warning.
    Sampler.Sample empty =
        new Sampler.Sample(
            T0.plusSeconds(65),
            Optional.empty(),
            Optional.empty(),
            OptionalLong.empty(),
            List.of());
    warnings.judge(empty);
    assertThat(history.warnings(Optional.empty()).getFirst().clearedAt()).isEmpty();
    warnings.judge(
        new Sampler.Sample(
            T0.plusSeconds(70),
            Optional.empty(),
            Optional.empty(),
            OptionalLong.empty(),
            List.of()));
    assertThat(history.warnings(Optional.empty()).getFirst().clearedAt())
        .hasValue(T0.plusSeconds(70));
    assertThat(said).last().isEqualTo("cleared TIME-TO-LIMIT of /leaky");
  }

  private static Sampler.Sample host(int second, String psi, String meminfo, long highBytes)
      throws Exception {
    PressureStall p = PressureParser.parse(psi, "/proc/pressure/memory");
    KeyedValues m = MeminfoParser.parse(meminfo, "/proc/meminfo");
    return new Sampler.Sample(
        T0.plusSeconds(second),
        Optional.of(p),
        Optional.of(m),
        OptionalLong.of(highBytes),
        List.of());
  }

  private static final String CALM =
      "some avg10=1.00 avg60=0.50 avg300=0.10 total=100\n"
          + "full avg10=0.50 avg60=0.20 avg300=0.00 total=50\n";
  private static final String STALLED =
      "some avg10=80.00 avg60=40.00 avg300=9.00 total=900000\n"
          + "full avg10=65.00 avg60=30.00 avg300=5.00 total=800000\n";
  private static final String MEMINFO =
      "MemTotal:        2000000 kB\n"
          + "MemAvailable:    1000000 kB\nSwapTotal:       1000000 kB\nSwapFree:         500000 kB\n";

  private static List<String> codes(List<Warnings.Holding> h) {
    return h.stream().map(w -> w.finding().code()).toList();
  }

  @Test
  void memoryPressure_firesOnlyAfterTheDuration() throws Exception {
    assertThat(codes(warnings.judge(host(0, STALLED, MEMINFO, 10 * MIB)))).isEmpty();
    assertThat(codes(warnings.judge(host(25, STALLED, MEMINFO, 10 * MIB)))).isEmpty();
    assertThat(codes(warnings.judge(host(30, STALLED, MEMINFO, 10 * MIB))))
        .containsExactly("MEMORY-PRESSURE");
    // A calm sample restarts the clock: near miss.
    warnings.judge(host(35, CALM, MEMINFO, 10 * MIB));
    assertThat(codes(warnings.judge(host(40, STALLED, MEMINFO, 10 * MIB)))).isEmpty();
  }

  @Test
  void memoryPressure_ofACgroupV2_fromItsMemoryPressure() throws Exception {
    PressureStall stalled = PressureParser.parse(STALLED, "/sys/fs/cgroup/web/memory.pressure");
    PressureStall calm = PressureParser.parse(CALM, "/sys/fs/cgroup/web/memory.pressure");
    List<Warnings.Holding> last = List.of();
    for (int t = 0; t <= 30; t += 5) {
      last =
          warnings.judge(
              new Sampler.Sample(
                  T0.plusSeconds(t),
                  Optional.empty(),
                  Optional.empty(),
                  OptionalLong.empty(),
                  List.of(
                      new Sampler.CgroupSample(
                          "/web",
                          "/sys/fs/cgroup/web/memory.current",
                          10 * MIB,
                          100 * MIB,
                          OptionalLong.empty(),
                          OptionalLong.empty(),
                          Optional.of(t == 10 ? calm : stalled)))));
    }
    assertThat(codes(last)).as("a calm sample at 10 s restarted the clock").isEmpty();
    last =
        warnings.judge(
            new Sampler.Sample(
                T0.plusSeconds(45),
                Optional.empty(),
                Optional.empty(),
                OptionalLong.empty(),
                List.of(
                    new Sampler.CgroupSample(
                        "/web",
                        "/sys/fs/cgroup/web/memory.current",
                        10 * MIB,
                        100 * MIB,
                        OptionalLong.empty(),
                        OptionalLong.empty(),
                        Optional.of(stalled)))));
    assertThat(last)
        .singleElement()
        .satisfies(
            h -> {
              assertThat(h.finding().code()).isEqualTo("MEMORY-PRESSURE");
              assertThat(h.cgroup()).hasValue("/web");
              assertThat(h.finding().summary())
                  .startsWith("every task of /web stalled on memory 65.0%");
            });
  }

  @Test
  void swapFilling_andLowMemory_atTheirThresholds() throws Exception {
    String full = MEMINFO.replace("SwapFree:         500000", "SwapFree:          90000");
    String nearly = MEMINFO.replace("SwapFree:         500000", "SwapFree:         110000");
    assertThat(codes(warnings.judge(host(0, CALM, nearly, 10 * MIB)))).isEmpty();
    assertThat(codes(warnings.judge(host(5, CALM, full, 10 * MIB))))
        .containsExactly("SWAP-FILLING");
    // MemAvailable 1000000 kB (976.6 MiB) against 2x the high watermarks.
    assertThat(codes(warnings.judge(host(10, CALM, MEMINFO, 480 * MIB)))).isEmpty();
    assertThat(codes(warnings.judge(host(15, CALM, MEMINFO, 500 * MIB))))
        .containsExactly("LOW-MEMORY");
  }

  @Test
  void highThrottle_eventsClimbingAtMemoryHigh() {
    Sampler.CgroupSample before =
        new Sampler.CgroupSample(
            "/web",
            "/sys/fs/cgroup/web/memory.current",
            99 * MIB,
            Long.MAX_VALUE,
            OptionalLong.of(100 * MIB),
            OptionalLong.of(10));
    Sampler.CgroupSample climbing =
        new Sampler.CgroupSample(
            "/web",
            "/sys/fs/cgroup/web/memory.current",
            99 * MIB,
            Long.MAX_VALUE,
            OptionalLong.of(100 * MIB),
            OptionalLong.of(25));
    Sampler.CgroupSample below =
        new Sampler.CgroupSample(
            "/web",
            "/sys/fs/cgroup/web/memory.current",
            50 * MIB,
            Long.MAX_VALUE,
            OptionalLong.of(100 * MIB),
            OptionalLong.of(30));
    List<Warnings.Holding> h1 =
        warnings.judge(
            new Sampler.Sample(
                T0, Optional.empty(), Optional.empty(), OptionalLong.empty(), List.of(before)));
    assertThat(codes(h1)).isEmpty();
    List<Warnings.Holding> h2 =
        warnings.judge(
            new Sampler.Sample(
                T0.plusSeconds(5),
                Optional.empty(),
                Optional.empty(),
                OptionalLong.empty(),
                List.of(climbing)));
    assertThat(codes(h2)).containsExactly("HIGH-THROTTLE");
    assertThat(h2.getFirst().finding().summary()).contains("throttled 15 times");
    List<Warnings.Holding> h3 =
        warnings.judge(
            new Sampler.Sample(
                T0.plusSeconds(10),
                Optional.empty(),
                Optional.empty(),
                OptionalLong.empty(),
                List.of(below)));
    assertThat(codes(h3)).as("events climbed but usage is far below high").isEmpty();
  }

  @Test
  void duration_inWords() {
    assertThat(Warnings.duration(95)).isEqualTo("95 s");
    assertThat(Warnings.duration(250)).isEqualTo("4 min 10 s");
    assertThat(Warnings.duration(7500)).isEqualTo("2 h 5 min");
    assertThat(Duration.ofSeconds(1)).isPositive();
  }
}
