package dev.oomlens.core.series;

import static dev.oomlens.core.series.Workloads.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.diagnosis.Diagnosis;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.LimitChange;
import dev.oomlens.core.model.SeriesWindow;
import dev.oomlens.core.rules.EvidenceSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * The series rules through the one pipeline: each fires on its shape and on no other, cites the
 * window it relied on, and its limit fix proposes what {@code oomlens size} proposes.
 */
class SeriesAnalyzersTest {
  private static final double DAY = 24;

  private static MemoryProfile profile(
      String c, long limit, LongToDoubleFunction ws, Series... more) {
    MemoryProfile p =
        Workloads.profile(
            c,
            Workloads.series(Series.Role.WORKING_SET, c, DAY, ws),
            Workloads.limit(c, DAY, limit));
    for (Series s : more) {
      p.add(s);
    }
    return p;
  }

  private static List<Finding> findings(MemoryProfile... profiles) {
    EvidenceSet.Builder b = EvidenceSet.builder();
    for (MemoryProfile p : profiles) {
      b.memory(p);
    }
    return Diagnosis.of(b.build()).findings();
  }

  static MemoryProfile spiky() {
    return profile(
        "spiky",
        1024 * MIB,
        t -> (300 + Workloads.noise(t) * 300) * MIB + (t % 21600 < 120 ? 400 * MIB : 0));
  }

  static MemoryProfile gc() {
    return profile("gc", 1024 * MIB, t -> (400 + (t % 600) * 200.0 / 600) * MIB);
  }

  static MemoryProfile tight() {
    return profile("tight", 512 * MIB, t -> (460 + Workloads.noise(t) * 200) * MIB);
  }

  static MemoryProfile files() {
    return profile(
        "files",
        1024 * MIB,
        t -> (450 + Workloads.noise(t) * 100) * MIB,
        Workloads.series(Series.Role.RSS, "files", DAY, t -> 120.0 * MIB),
        Workloads.series(Series.Role.CACHE, "files", DAY, t -> 600.0 * MIB));
  }

  static MemoryProfile idle() {
    return profile("idle", 2048 * MIB, t -> (200 + Workloads.noise(t) * 100) * MIB);
  }

  static MemoryProfile steady() {
    return profile("steady", 400 * MIB, t -> (200 + Workloads.noise(t) * 100) * MIB);
  }

  @Test
  void eachShape_firesItsCodeOnly() {
    assertThat(findings(spiky())).extracting(Finding::code).containsExactly("SPIKE");
    assertThat(findings(gc())).extracting(Finding::code).containsExactly("SAWTOOTH");
    assertThat(findings(tight())).extracting(Finding::code).containsExactly("NEAR-LIMIT");
    assertThat(findings(files())).extracting(Finding::code).containsExactly("CACHE-HEAVY");
    assertThat(findings(idle())).extracting(Finding::code).containsExactly("OVERSIZED");
    // Near miss of them all: steady, with room, not oversized.
    assertThat(findings(steady())).isEmpty();
  }

  @Test
  void findings_citeTheirWindow_andFixesMatchSize() {
    for (MemoryProfile p : List.of(spiky(), gc(), tight(), files(), idle())) {
      Finding f = findings(p).getFirst();
      assertThat(f.evidence())
          .singleElement()
          .isInstanceOfSatisfying(
              SeriesWindow.class,
              w -> {
                assertThat(w.labels()).containsEntry("container", p.id().container());
                assertThat(w.samples()).isNotEmpty().hasSizeLessThanOrEqualTo(60);
                assertThat(w.from()).isEqualTo(p.from().get());
              });
      Sizing.Recommendation ours = Sizing.of(p).ours();
      List<LimitChange> limits =
          f.fixes().stream().map(Fix::limit).flatMap(Optional::stream).toList();
      assertThat(limits)
          .singleElement()
          .satisfies(
              l -> {
                assertThat(l.newBytes()).isEqualTo(ours.limitBytes().getAsLong());
                assertThat(l.currentBytes()).isEqualTo(p.limitBytes());
                assertThat(l.cgroup()).isEqualTo(p.id().name());
              });
    }
  }

  /** A sawtooth of a JVM with its metrics: the JVM fix is the flags `size` prints for it. */
  @Test
  void sawtooth_ofAJvm_quotesTheSizePlansFlags() {
    MemoryProfile p =
        profile(
            "gc",
            1024 * MIB,
            t -> (400 + (t % 600) * 200.0 / 600) * MIB,
            Workloads.series(Series.Role.JVM_CLASSES, "gc", DAY, t -> 12000),
            Workloads.series(Series.Role.JVM_THREADS, "gc", DAY, t -> 80));
    Finding f = findings(p).getFirst();
    assertThat(f.code()).isEqualTo("SAWTOOTH");
    Sizing.JvmPlan plan = Sizing.of(p).jvm().orElseThrow();
    assertThat(plan.flags()).first().asString().startsWith("-XX:MaxRAMPercentage=");
    assertThat(plan.flags().getFirst()).isNotEqualTo("-XX:MaxRAMPercentage=75.0");
    assertThat(f.fixes())
        .filteredOn(x -> x.layer() == Layer.JVM)
        .singleElement()
        .satisfies(x -> assertThat(x.snippet()).hasValue(plan.summary()));
  }

  /** Near miss: nothing says the sawtooth is a JVM, so the JVM advice is the generic one. */
  @Test
  void sawtooth_notKnownAsJvm_getsTheGenericHint() {
    Finding f = findings(gc()).getFirst();
    assertThat(Sizing.of(gc()).jvm()).isEmpty();
    assertThat(f.fixes())
        .filteredOn(x -> x.layer() == Layer.JVM)
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.action()).startsWith("If this is a JVM");
              assertThat(x.snippet()).hasValue("-XX:MaxRAMPercentage=75.0");
            });
  }

  @Test
  void leak_fromSeries_seed004Arithmetic_noLimitFix() {
    MemoryProfile p = Workloads.profile("leaky", MemoryShapeTest.leak().toArray(Series[]::new));
    Finding f = findings(p).getFirst();
    assertThat(f.code()).isEqualTo("LEAK");
    assertThat(f.summary()).isEqualTo("shop/leaky-0/leaky grows 128.0 MiB per hour: a leak");
    assertThat(f.reasoning())
        .contains(
            "across 42 container lives",
            "From empty it fills its 512 MiB limit in 4.0 h",
            "512 MiB \u2192 4.0 h, 1 GiB \u2192 8.0 h, 2 GiB \u2192 16.0 h");
    assertThat(f.fixes()).allMatch(x -> x.limit().isEmpty());
    assertThat(f.fixes().get(1).snippet().get()).contains("container=\"leaky\"");
  }

  /** Near miss: a working set with no limit is never called near its limit or oversized. */
  @Test
  void noLimit_noLimitShapes() {
    MemoryProfile p =
        Workloads.profile(
            "free",
            Workloads.series(
                Series.Role.WORKING_SET, "free", DAY, t -> (200 + Workloads.noise(t) * 100) * MIB));
    assertThat(findings(p)).isEmpty();
    assertThat(p.shape().shape()).isEqualTo(MemoryShape.Shape.STEADY);
  }

  @Test
  void labelsWithoutKubernetes_nameTheWorkloadByInstance() {
    assertThat(MemoryProfile.Id.of(Map.of("instance", "db1:9100"), "f").name())
        .isEqualTo("db1:9100");
    assertThat(MemoryProfile.Id.of(Map.of(), "rss.log").name()).isEqualTo("rss.log");
  }
}
