package dev.oomlens.core.calc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oomlens.core.calc.KubevirtOverhead.HarvesterLayout;
import dev.oomlens.core.calc.KubevirtOverhead.Version;
import dev.oomlens.core.calc.KubevirtOverhead.Vm;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KubevirtOverheadTest {
  private static final long MI = 1024L * 1024;
  private static final long GI = 1024 * MI;

  /** The 240Mi the Harvester matrix starts from: a 1 vCPU, 2Gi VM without graphics (v1.5-v1.9). */
  private static final long BASE_2GI =
      KubevirtOverhead.overheadBytes(Vm.basic(2 * GI, 1, Version.V1_5_TO_1_9, false));

  @Test
  void overheadBytes_harvesterDocsVm_is240Mi() {
    // 2048Mi/512 + 220 + 8 + 8
    assertThat(BASE_2GI).isEqualTo(240 * MI);
    assertThat(KubevirtOverhead.overheadBytes(Vm.basic(2 * GI, 1, Version.V1_5_TO_1_9, true)))
        .isEqualTo(272 * MI);
  }

  /** algorithms.md's worked example: v1.9, amd64, 4 vCPU, 8GiB, graphics on. */
  @Test
  void overheadBytes_workedExample_308MiThen462AtRatio1_5Then654OnArm64() {
    Vm vm = Vm.basic(8 * GI, 4, Version.V1_5_TO_1_9, true);
    assertThat(KubevirtOverhead.overheadBytes(vm)).isEqualTo(308 * MI);
    assertThat(KubevirtOverhead.overheadBytes(vm, 1.5)).isEqualTo(462 * MI);
    Vm arm = new Vm(8 * GI, 4, Version.V1_5_TO_1_9, true, true, false, false, false, false, 0);
    assertThat(KubevirtOverhead.overheadBytes(arm, 1.5)).isEqualTo(654 * MI);
  }

  @ParameterizedTest
  @CsvSource({
    "V0_50,        2048, 1, 4 + 138 + 16 + 16",
    "V0_59_TO_1_4, 2048, 1, 4 + 210 + 16 + 32",
    "MAIN,         2048, 1, 4 + 240 + 16 + 32",
    "MAIN,        16384, 4, 32 + 240 + 40 + 32",
  })
  void overheadBytes_perVersion(Version version, long memMi, int vcpus, String sumMi) {
    long expected = 0;
    for (String term : sumMi.split("\\+")) {
      expected += Long.parseLong(term.strip());
    }
    assertThat(KubevirtOverhead.overheadBytes(Vm.basic(memMi * MI, vcpus, version, true)))
        .isEqualTo(expected * MI);
  }

  /**
   * Seed 001's "Best Practices & Configuration Matrix" (Harvester blog, OOM Killers): a 2Gi VM. The
   * blog rounds the two reserved-memory totals (~500Mi, ~620Mi); exact values are 496 and 616.
   */
  @ParameterizedTest
  @CsvSource({
    // reservedMi (-1 = not configured), ratio, guestMi, podLimitMi, totalOverheadMi
    "-1,  '0.0', 1948, 2288, 340",
    "256, '0.0', 1792, 2288, 496",
    "-1,  '1.0', 2048, 2288, 240",
    "-1,  '3.0', 2048, 2768, 720",
    "-1,  '1.5', 2048, 2408, 360",
    "256, '1.5', 1792, 2408, 616",
  })
  void harvester_seedMatrix(
      long reservedMi, String ratio, long guestMi, long podLimitMi, long totalOverheadMi) {
    OptionalLong reserved =
        reservedMi < 0 ? OptionalLong.empty() : OptionalLong.of(reservedMi * MI);
    HarvesterLayout l = KubevirtOverhead.harvester(2 * GI, BASE_2GI, reserved, ratio);
    assertThat(l.guestBytes()).isEqualTo(guestMi * MI);
    assertThat(l.podLimitBytes()).isEqualTo(podLimitMi * MI);
    assertThat(l.totalOverheadBytes()).isEqualTo(totalOverheadMi * MI);
    assertThat(l.legacy()).isEqualTo(ratio.equals("0.0"));
  }

  @Test
  void parseHarvesterRatio_emptyIsDefault_outOfRangeRejected() {
    assertThat(KubevirtOverhead.parseHarvesterRatio("")).isEqualTo(1.5);
    assertThat(KubevirtOverhead.parseHarvesterRatio("0")).isZero();
    assertThat(KubevirtOverhead.parseHarvesterRatio("10.0")).isEqualTo(10.0);
    assertThatThrownBy(() -> KubevirtOverhead.parseHarvesterRatio("0.5"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KubevirtOverhead.parseHarvesterRatio("11"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KubevirtOverhead.parseHarvesterRatio("x"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ratioCovering_smallestTenthThatCovers() {
    assertThat(KubevirtOverhead.ratioCovering(240 * MI, 480 * MI)).hasValue(2.0);
    assertThat(KubevirtOverhead.ratioCovering(240 * MI, 481 * MI)).hasValue(2.1);
    assertThat(KubevirtOverhead.ratioCovering(240 * MI, 100 * MI)).hasValue(1.0);
    assertThat(KubevirtOverhead.ratioCovering(240 * MI, 2401 * MI)).isEmpty();
  }
}
