package dev.oomlens.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.host.it.DiagnosisScenarios.ContainerAtItsLimit;
import dev.oomlens.host.it.DiagnosisScenarios.JvmXmxAboveLimit;
import dev.oomlens.host.it.DiagnosisScenarios.KubepodsBestEffortFirst;
import dev.oomlens.host.it.DiagnosisScenarios.PodSidecarGrows;
import dev.oomlens.host.it.DiagnosisScenarios.TmpfsFillsTheCgroup;
import dev.oomlens.host.it.DiagnosisScenarios.VirtLauncherHelperGrows;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/**
 * The root-cause engine on the reports {@link RealKernelDiagnosisTest} saved from real kills (Linux
 * 6.18, cgroup v1; see {@code kmsg/SOURCE.md}), with the same expectations: the diagnosis is
 * checked on every machine, also where the test cannot make cgroups. No root needed.
 */
class RealDiagnosisFixturesTest {
  private static Diagnosis diagnose(String fixture) throws IOException {
    try (InputStream in = RealDiagnosisFixturesTest.class.getResourceAsStream("/kmsg/" + fixture)) {
      assertThat(in).as("fixture %s", fixture).isNotNull();
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return Diagnosis.of(fixture, text, LocalDate.of(2026, 11, 23));
    }
  }

  @Test
  void diagnose_containerAtItsOwnLimit() throws IOException {
    ContainerAtItsLimit.check(diagnose(ContainerAtItsLimit.FIXTURE));
  }

  @Test
  void diagnose_podLimitWithGrowingSidecar() throws IOException {
    PodSidecarGrows.check(diagnose(PodSidecarGrows.FIXTURE));
  }

  @Test
  void diagnose_tmpfsFilledCgroup() throws IOException {
    TmpfsFillsTheCgroup.check(diagnose(TmpfsFillsTheCgroup.FIXTURE));
  }

  @Test
  void diagnose_jvmWithXmxAboveItsLimit() throws IOException {
    JvmXmxAboveLimit.check(diagnose(JvmXmxAboveLimit.FIXTURE));
  }

  @Test
  void diagnose_kubepodsLimitBestEffortFirst() throws IOException {
    KubepodsBestEffortFirst.check(diagnose(KubepodsBestEffortFirst.FIXTURE));
  }

  @Test
  void diagnose_virtLauncherHelperGrows() throws IOException {
    VirtLauncherHelperGrows.check(diagnose(VirtLauncherHelperGrows.FIXTURE));
  }
}
