package dev.oomlens.core.series;

import static dev.oomlens.core.series.Workloads.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.oomlens.core.series.MemoryShape.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class MemoryShapeTest {
  private static final double WEEK = 7 * 24;

  /** 128 MiB/h from 0 under 512 MiB: killed and restarted (new container id) every 4 h. */
  static List<Series> leak() {
    List<Series> out = new ArrayList<>();
    int n = (int) (WEEK * 3600_000 / Workloads.STEP);
    int per = (int) (4 * 3600_000 / Workloads.STEP);
    for (int life = 0; life * per < n; life++) {
      int len = Math.min(per, n - life * per);
      long[] t = new long[len];
      double[] v = new double[len];
      for (int i = 0; i < len; i++) {
        long sec = (long) i * Workloads.STEP / 1000;
        t[i] = Workloads.START + (long) (life * per + i) * Workloads.STEP;
        // GC on top of the growth: up to 40 MiB more, every 5 minutes.
        v[i] = 8 * MIB + 128.0 * MIB * sec / 3600 + (sec % 300) * 40.0 * MIB / 300;
      }
      out.add(
          new Series(
              Series.Role.WORKING_SET,
              "container_memory_working_set_bytes",
              Map.of(
                  "namespace",
                  "shop",
                  "pod",
                  "leaky-0",
                  "container",
                  "leaky",
                  "id",
                  "/kubepods/pod1/c" + life),
              t,
              v));
    }
    out.add(Workloads.limit("leaky", WEEK, 512 * MIB));
    return out;
  }

  @Test
  void leak_acrossRestarts_rateAndLifetimes() {
    MemoryShape s = Workloads.profile("leaky", leak().toArray(Series[]::new)).shape();

    assertThat(s.shape()).isEqualTo(Shape.LEAK);
    assertThat(s.slopeBytesPerHour() / MIB).isCloseTo(128, within(1.0));
    assertThat(s.lives()).isEqualTo(42);
    assertThat(s.hoursTo(512 * MIB)).isCloseTo(4.0, within(0.05));
    assertThat(s.hoursTo(2048 * MIB)).isCloseTo(16.0, within(0.2));
  }

  @Test
  void seal_keepsTheShapeAndChart_andRefusesMoreSeries() {
    Series[] all = leak().toArray(Series[]::new);
    MemoryProfile open = Workloads.profile("leaky", all);
    MemoryProfile sealed = Workloads.profile("leaky", all);

    assertThat(sealed.seal()).isEqualTo(open.shape());
    assertThat(sealed.chart()).isDeepEqualTo(open.chart());
    assertThat(sealed.livesById()).isEqualTo(open.livesById());
    assertThat(Sizing.of(sealed)).isEqualTo(Sizing.of(open));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> sealed.add(all[0]))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("sealed");
  }

  @Test
  void spike_rarePeaks() {
    Series ws =
        Workloads.series(
            Series.Role.WORKING_SET,
            "spiky",
            WEEK,
            sec ->
                (300 + 3 * Workloads.noise(sec) * 300) * MIB + (sec % 86400 < 120 ? 400 * MIB : 0));
    MemoryShape s =
        Workloads.profile("spiky", ws, Workloads.limit("spiky", WEEK, 1024 * MIB)).shape();
    assertThat(s.shape()).isEqualTo(Shape.SPIKE);
    assertThat(s.peakBytes()).isGreaterThan(690 * MIB);
    assertThat(s.p95Bytes()).isLessThan(320 * MIB);
  }

  @Test
  void sawtooth_gcCycles() {
    Series ws =
        Workloads.series(
            Series.Role.WORKING_SET, "gc", WEEK, sec -> (400 + (sec % 600) * 200.0 / 600) * MIB);
    MemoryShape s = Workloads.profile("gc", ws, Workloads.limit("gc", WEEK, 1024 * MIB)).shape();
    assertThat(s.shape()).isEqualTo(Shape.SAWTOOTH);
    assertThat(s.slopeBytesPerHour()).isCloseTo(0, within(1.0 * MIB));
  }

  @Test
  void cache_mostlyPageCache() {
    Series ws =
        Workloads.series(
            Series.Role.WORKING_SET,
            "files",
            WEEK,
            sec -> (450 + Workloads.noise(sec) * 100) * MIB);
    Series rss = Workloads.series(Series.Role.RSS, "files", WEEK, sec -> 120.0 * MIB);
    Series cache = Workloads.series(Series.Role.CACHE, "files", WEEK, sec -> 600.0 * MIB);
    MemoryShape s =
        Workloads.profile("files", ws, rss, cache, Workloads.limit("files", WEEK, 512 * MIB))
            .shape();
    assertThat(s.shape()).isEqualTo(Shape.CACHE);
  }

  @Test
  void nearLimit_steadyAt90Percent() {
    Series ws =
        Workloads.series(
            Series.Role.WORKING_SET,
            "tight",
            WEEK,
            sec -> (460 + Workloads.noise(sec) * 200) * MIB);
    MemoryShape s =
        Workloads.profile("tight", ws, Workloads.limit("tight", WEEK, 512 * MIB)).shape();
    assertThat(s.shape()).isEqualTo(Shape.NEAR_LIMIT);
  }

  @Test
  void oversized_andSteady() {
    Series ws =
        Workloads.series(
            Series.Role.WORKING_SET, "idle", WEEK, sec -> (200 + Workloads.noise(sec) * 100) * MIB);
    assertThat(
            Workloads.profile("idle", ws, Workloads.limit("idle", WEEK, 2048 * MIB))
                .shape()
                .shape())
        .isEqualTo(Shape.OVERSIZED);
    assertThat(
            Workloads.profile("idle", ws, Workloads.limit("idle", WEEK, 400 * MIB)).shape().shape())
        .isEqualTo(Shape.STEADY);
  }

  /** Near miss: a step up (a cache warmed once) then flat is not a leak. */
  @Test
  void stepThenFlat_isNotALeak() {
    Series ws =
        Workloads.series(
            Series.Role.WORKING_SET,
            "warm",
            WEEK,
            sec -> (sec < 3600 ? 200 : 300 + Workloads.noise(sec) * 100) * MIB);
    assertThat(Workloads.profile("warm", ws).shape().shape()).isNotEqualTo(Shape.LEAK);
  }

  @Test
  void tooLittle_isUnknown_andNotSized() {
    Series ws = Workloads.series(Series.Role.WORKING_SET, "new", 0.2, sec -> 100.0 * MIB);
    MemoryProfile p = Workloads.profile("new", ws);
    assertThat(p.shape().shape()).isEqualTo(Shape.UNKNOWN);
    assertThat(Sizing.of(p, OptionalLong.empty()).ours().limitBytes()).isEmpty();
  }

  @Test
  void sizing_oursVpaKrr() {
    Series ws =
        Workloads.series(
            Series.Role.WORKING_SET,
            "spiky",
            WEEK,
            sec -> 300.0 * MIB + (sec % 86400 < 120 ? 400 * MIB : 0));
    MemoryProfile p = Workloads.profile("spiky", ws, Workloads.limit("spiky", WEEK, 512 * MIB));
    Sizing.SizePlan plan = Sizing.of(p, OptionalLong.empty());
    assertThat(plan.ours().requestBytes()).hasValue(300 * MIB);
    assertThat(plan.ours().limitBytes()).hasValue(1400 * MIB); // 2 x 700
    assertThat(plan.krr().limitBytes()).hasValue(805 * MIB); // 700 x 1.15
    assertThat(plan.vpa().requestBytes()).hasValue(805 * MIB); // P90 of 7 daily peaks x 1.15
    // The kernel saw it hold more than any scrape: that is the peak the limit is sized on.
    assertThat(Sizing.of(p, OptionalLong.of(1500 * MIB)).ours().limitBytes()).hasValue(3000 * MIB);
    assertThat(Sizing.of(p, OptionalLong.of(500 * MIB)).ours().limitBytes()).hasValue(1400 * MIB);
  }

  /** The GC sawtooth up to 590 MiB: ours limits it at 885 MiB, 1.5 x 590. */
  private static MemoryProfile gc(Series... jvm) {
    MemoryProfile p =
        Workloads.profile(
            "gc",
            Workloads.series(
                Series.Role.WORKING_SET,
                "gc",
                WEEK,
                sec -> (400 + (sec % 600) * 200.0 / 600) * MIB),
            Workloads.limit("gc", WEEK, 1024 * MIB));
    for (Series s : jvm) {
      p.add(s);
    }
    return p;
  }

  @Test
  void jvm_killedAsJava_withoutMetrics_getsMaxRamPercentage() {
    MemoryProfile p = gc();
    assertThat(Sizing.of(p).jvm()).isEmpty();
    p.jvm();
    Sizing.SizePlan plan = Sizing.of(p);
    assertThat(plan.ours().limitBytes()).hasValue(885 * MIB); // 1.5 x the 590 MiB top
    Sizing.JvmPlan jvm = plan.jvm().orElseThrow();
    assertThat(jvm.basis()).isEqualTo(Sizing.JvmBasis.KERNEL_REPORT);
    assertThat(jvm.budget()).isEmpty();
    assertThat(jvm.flags()).containsExactly("-XX:MaxRAMPercentage=75.0");
    assertThat(jvm.summary())
        .isEqualTo(
            "-XX:MaxRAMPercentage=75.0   # a kernel report showed java killed; no JVM metrics"
                + " came: heap up to 664 MiB of the 885 MiB limit; check the rest with oomlens"
                + " jvm --limit 885Mi --classes N");
  }

  /*
   * At the 885 MiB limit: metaspace 5800 B x 12,000 + 14,000,000 B = 83,600,000 B (80 MiB rounded
   * up), stacks 80 x 1 MiB, code cache 240 MiB, direct 1.5 x the 20 MiB used = 30 MiB; 450,601,600
   * B besides the heap, which gets 927,989,760 - 450,601,600 = 477,388,160 B (455 MiB), 51.4% of
   * the limit rounded down.
   */
  @Test
  void jvm_withItsMetrics_isBudgetedAtTheProposedLimit() {
    MemoryProfile p =
        gc(
            Workloads.series(Series.Role.JVM_CLASSES, "gc", WEEK, sec -> sec < 3600 ? 9000 : 12000),
            Workloads.series(Series.Role.JVM_THREADS, "gc", WEEK, sec -> 40 + sec % 41),
            Workloads.series(
                Series.Role.JVM_DIRECT, "gc", WEEK, sec -> sec % 7200 == 0 ? 20 * MIB : 4 * MIB));
    assertThat(p.isJvm()).isTrue();
    assertThat(p.killedAsJava()).isFalse();
    Sizing.JvmPlan jvm = Sizing.of(p).jvm().orElseThrow();
    assertThat(jvm.basis()).isEqualTo(Sizing.JvmBasis.METRICS);
    assertThat(jvm.budget().orElseThrow().heapBytes()).isEqualTo(477_388_160L);
    assertThat(jvm.flags())
        .containsExactly(
            "-XX:MaxRAMPercentage=51.4",
            "-XX:MaxMetaspaceSize=80M",
            "-XX:ReservedCodeCacheSize=240M",
            "-XX:MaxDirectMemorySize=30M",
            "-Xss1M");
    assertThat(jvm.measured())
        .containsExactly("12000 loaded classes", "80 threads", "direct buffers up to 20 MiB");
    assertThat(jvm.defaults()).containsExactly("code cache 240 MiB", "stacks of 1 MiB");
    assertThat(jvm.summary())
        .startsWith(
            "-XX:MaxRAMPercentage=51.4 -XX:MaxMetaspaceSize=80M -XX:ReservedCodeCacheSize=240M"
                + " -XX:MaxDirectMemorySize=30M -Xss1M   # heap 455 MiB (-Xmx455M) of the 885 MiB"
                + " limit after metaspace 80 MiB + code cache 240 MiB + stacks 1 MiB x 80 +"
                + " direct 30 MiB = 430 MiB");
  }

  /** Classes alone: threads (250) and direct memory (10 MiB) are the calculator's defaults. */
  @Test
  void jvm_unmeasuredInputsAreTheCalculatorsDefaults() {
    MemoryProfile p = gc(Workloads.series(Series.Role.JVM_CLASSES, "gc", WEEK, sec -> 12000));
    Sizing.JvmPlan jvm = Sizing.of(p).jvm().orElseThrow();
    // 885 MiB - (83,600,000 B + 250 MiB + 240 MiB + 10 MiB) = 320,101,760 B, 34.4%
    assertThat(jvm.budget().orElseThrow().heapBytes()).isEqualTo(320_101_760L);
    assertThat(jvm.flags()).first().isEqualTo("-XX:MaxRAMPercentage=34.4");
    assertThat(jvm.measured()).containsExactly("12000 loaded classes");
    assertThat(jvm.defaults())
        .containsExactly(
            "250 threads", "direct memory 10 MiB", "code cache 240 MiB", "stacks of 1 MiB");
  }

  /** 30,000 classes and 600 threads need 1,029 MiB besides the heap: more than 885 MiB. */
  @Test
  void jvm_budgetThatDoesNotFit_printsNoFlags() {
    MemoryProfile p =
        gc(
            Workloads.series(Series.Role.JVM_CLASSES, "gc", WEEK, sec -> 30000),
            Workloads.series(Series.Role.JVM_THREADS, "gc", WEEK, sec -> 600));
    Sizing.JvmPlan jvm = Sizing.of(p).jvm().orElseThrow();
    assertThat(jvm.flags()).isEmpty();
    assertThat(jvm.budget().orElseThrow().fits()).isFalse();
    assertThat(jvm.summary())
        .startsWith(
            "no heap flags fit: metaspace 179 MiB + code cache 240 MiB + stacks 1 MiB x 600 +"
                + " direct 10 MiB = 1029 MiB besides the heap, more than the 885 MiB limit");
  }

  /** Threads without classes: a JVM, but metaspace cannot be budgeted. */
  @Test
  void jvm_metricsWithoutClasses_fallBackToMaxRamPercentage_andSaySo() {
    MemoryProfile p = gc(Workloads.series(Series.Role.JVM_THREADS, "gc", WEEK, sec -> 50));
    Sizing.JvmPlan jvm = Sizing.of(p).jvm().orElseThrow();
    assertThat(jvm.basis()).isEqualTo(Sizing.JvmBasis.METRICS);
    assertThat(jvm.flags()).containsExactly("-XX:MaxRAMPercentage=75.0");
    assertThat(jvm.summary()).contains("its JVM metrics give no loaded-class count");
  }

  @Test
  void leak_keepsItsLimit() {
    MemoryProfile p = Workloads.profile("leaky", leak().toArray(Series[]::new));
    assertThat(Sizing.of(p, OptionalLong.empty()).ours().limitBytes()).hasValue(512 * MIB);
  }

  @Test
  void theilSen_ignoresOutliers() {
    double[] t = new double[100];
    double[] v = new double[100];
    for (int i = 0; i < 100; i++) {
      t[i] = i;
      v[i] = 2 * i + (i % 10 == 0 ? 1000 : 0);
    }
    List<double[][]> one = new ArrayList<>();
    one.add(new double[][] {t, v});
    TheilSen.Fit fit = TheilSen.fit(one);
    assertThat(fit.slopePerSecond()).isCloseTo(2, within(1e-9));
  }

  @Test
  void theilSen_selectFindsTheNthSmallest() {
    java.util.Random r = new java.util.Random(7);
    for (int round = 0; round < 200; round++) {
      int k = 1 + r.nextInt(300);
      double[] a = new double[k + 5];
      for (int i = 0; i < a.length; i++) {
        a[i] = r.nextInt(20) - 10;
      }
      double[] sorted = java.util.Arrays.copyOf(a, k);
      java.util.Arrays.sort(sorted);
      int n = r.nextInt(k);
      assertThat(TheilSen.select(a, k, n)).isEqualTo(sorted[n]);
    }
  }

  @Test
  void logHistogram_quantilesWithin2Percent() {
    LogHistogram h = new LogHistogram();
    for (int i = 1; i <= 1000; i++) {
      h.add(i * MIB);
    }
    assertThat(h.quantile(0.5) / MIB).isCloseTo(500, within(10.0));
    assertThat(h.quantile(0.95) / MIB).isCloseTo(950, within(19.0));
    assertThat(h.max()).isEqualTo(1000.0 * MIB);
  }
}
