package dev.oomlens.host.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.host.paths.HostPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Reads the trees captured inside the QEMU lab (Debian's 6.1 kernel), each a {@code before-kill}
 * and an {@code after-kill} snapshot of the same run, whatever scenarios are present.
 */
class VmlabHostsTest {

  private static List<Path> scenarios() throws IOException {
    try (Stream<Path> s = Files.list(Fixtures.hosts())) {
      return s.filter(p -> p.getFileName().toString().startsWith("vmlab-"))
          .filter(
              p ->
                  Files.isDirectory(p.resolve("before-kill"))
                      && Files.isDirectory(p.resolve("after-kill")))
          .sorted()
          .toList();
    }
  }

  @TestFactory
  Stream<DynamicTest> read_vmlabCaptures_areCompleteAndTheKillShows() throws IOException {
    List<Path> scenarios = scenarios();
    Assumptions.assumeFalse(scenarios.isEmpty(), "no vmlab-* host trees in this checkout");
    return scenarios.stream()
        .map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> check(dir)));
  }

  private static void check(Path dir) {
    HostSnapshot before =
        HostReader.read(HostPaths.under(dir.resolve("before-kill")), OptionalLong.empty());
    HostSnapshot after =
        HostReader.read(HostPaths.under(dir.resolve("after-kill")), OptionalLong.empty());

    for (HostSnapshot s : List.of(before, after)) {
      assertThat(s.problems()).isEmpty();
      assertThat(s.meminfo().orElseThrow().get("MemAvailable")).isPresent();
      assertThat(s.memoryPressure()).isPresent();
      if (Files.exists(dir.resolve("after-kill/sys/fs/cgroup/cgroup.controllers"))) {
        s.cgroups()
            .forEach(
                c -> {
                  assertThat(c.version()).isEqualTo(2);
                  assertThat(c.currentBytes()).isPresent();
                });
      }
    }
    long killsBefore = before.vmstat().orElseThrow().get("oom_kill").orElseThrow();
    long killsAfter = after.vmstat().orElseThrow().get("oom_kill").orElseThrow();
    assertThat(killsAfter).as("oom_kill across the kill").isGreaterThan(killsBefore);
    long cgroupKills =
        after.cgroups().stream()
            .flatMap(c -> c.events().stream())
            .mapToLong(e -> e.get("oom_kill").orElse(0))
            .max()
            .orElse(0);
    assertThat(cgroupKills)
        .as("a cgroup counts more kills than the whole host")
        .isLessThanOrEqualTo(killsAfter);
    after.swaps().stream()
        .filter(sw -> sw.isZram())
        .forEach(
            sw ->
                assertThat(after.zram())
                    .extracting(z -> "/dev/" + z.name())
                    .contains(sw.filename()));
  }
}
