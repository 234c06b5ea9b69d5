package dev.oomlens.host.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.host.paths.HostPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The one test that reads this machine's real /proc and /sys. It checks only what holds on any
 * Linux machine; the values themselves are checked on fixture trees.
 */
class LiveHostTest {
  @Test
  void read_thisMachine_isSane() {
    assumeTrue(Files.isReadable(Path.of("/proc/meminfo")), "not a Linux machine with /proc");

    long t0 = System.nanoTime();
    HostSnapshot s = HostReader.read(HostPaths.DEFAULT, OptionalLong.empty());
    long millis = (System.nanoTime() - t0) / 1_000_000;

    var meminfo = s.meminfo().orElseThrow();
    long total = meminfo.get("MemTotal").orElseThrow();
    assertThat(total).isPositive();
    assertThat(meminfo.get("MemFree").orElseThrow()).isBetween(0L, total);
    meminfo.get("MemAvailable").ifPresent(a -> assertThat(a).isBetween(0L, total));
    assertThat(s.vmstat().orElseThrow().values()).isNotEmpty();
    assertThat(s.kernelRelease()).isPresent();
    assertThat(s.cgroups()).hasSizeLessThanOrEqualTo(HostReader.MAX_CGROUPS);
    s.cgroups().forEach(c -> assertThat(c.path()).startsWith("/"));
    s.swaps().forEach(sw -> assertThat(sw.usedKb()).isBetween(0L, sw.sizeKb()));
    assertThat(millis).as("read time in ms").isLessThan(5_000);
  }
}
