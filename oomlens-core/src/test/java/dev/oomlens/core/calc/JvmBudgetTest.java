package dev.oomlens.core.calc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JvmBudgetTest {
  private static final long M = 1024L * 1024;

  /**
   * The calculator README's example: a 1G limit with 250 threads leaves 524M for heap and metaspace
   * together (1024 - 10 direct - 240 code cache - 250 x 1M stacks); a Spring Boot app with 100M of
   * metaspace gets a 424M heap.
   */
  @ParameterizedTest
  @CsvSource({
    // totalMiB, threads, metaspaceMiB, heapMiB
    "1024, 250,   0, 524",
    "1024, 250, 100, 424",
    "1024,  50, 100, 624",
    "2048, 250, 100, 1448",
    " 512, 250, 100, -88",
  })
  void calculate_readmeTable(long totalMib, int threads, long metaspaceMib, long heapMib) {
    JvmBudget b =
        JvmBudget.calculate(
            totalMib * M, JvmBudget.Regions.defaults(metaspaceMib * M).withThreadCount(threads));
    assertThat(b.heapBytes()).isEqualTo(heapMib * M);
    assertThat(b.overheadBytes() + b.heapBytes()).isEqualTo(totalMib * M);
    assertThat(b.fits()).isEqualTo(heapMib > 0);
  }

  @Test
  void flags_readmeExample_capEveryRegion() {
    JvmBudget b = JvmBudget.calculate(1024 * M, JvmBudget.Regions.defaults(100 * M));
    assertThat(b.flags())
        .containsExactly(
            "-XX:MaxRAMPercentage=41.4",
            "-XX:MaxMetaspaceSize=100M",
            "-XX:ReservedCodeCacheSize=240M",
            "-XX:MaxDirectMemorySize=10M",
            "-Xss1M");
    assertThat(b.xmxFlag()).isEqualTo("-Xmx424M");
    assertThat(b.maxRamPercentage()).isEqualTo(41.4);
  }

  @Test
  void flags_halfMegabyteStack_printedInKilobytes() {
    JvmBudget b =
        JvmBudget.calculate(
            1024 * M,
            JvmBudget.Regions.defaults(100 * M)
                .withStackBytes(512 * 1024)
                .withCodeCacheBytes(64 * M));
    // 1024 - 10 - 100 - 64 - 250 x 0.5 = 725
    assertThat(b.heapBytes()).isEqualTo(725 * M);
    assertThat(b.flags()).contains("-Xss512K", "-XX:ReservedCodeCacheSize=64M");
  }

  @Test
  void metaspaceForClasses_buildpackFormula() {
    assertThat(JvmBudget.metaspaceForClasses(0)).isEqualTo(14_000_000L);
    assertThat(JvmBudget.metaspaceForClasses(20_000)).isEqualTo(130_000_000L);
  }

  @Test
  void headroom_isTakenFromTheTotal() {
    JvmBudget b =
        JvmBudget.calculate(1000 * M, new JvmBudget.Regions(10, 10 * M, 100 * M, 240 * M, M, 250));
    assertThat(b.headroomBytes()).isEqualTo(100 * M);
    assertThat(b.heapBytes()).isEqualTo(300 * M);
  }

  @Test
  void flags_whenRegionsExceedTheTotal_refuse() {
    JvmBudget b = JvmBudget.calculate(128 * M, JvmBudget.Regions.defaults(100 * M));
    assertThat(b.fits()).isFalse();
    assertThat(b.maxRamPercentage()).isZero();
    assertThatThrownBy(b::flags).isInstanceOf(IllegalStateException.class);
  }
}
