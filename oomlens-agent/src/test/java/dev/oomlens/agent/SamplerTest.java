package dev.oomlens.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.host.paths.HostPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sampler on fake /proc and /sys trees laid out the way v1 and v2 hosts lay them out. */
class SamplerTest {
  @TempDir Path tmp;

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }

  private static void host(Path root) throws IOException {
    write(
        root.resolve("proc/meminfo"),
        "MemTotal:        2000000 kB\nMemAvailable:    1000000 kB\n"
            + "SwapTotal:             0 kB\nSwapFree:              0 kB\n");
    write(
        root.resolve("proc/pressure/memory"),
        "some avg10=1.50 avg60=0.50 avg300=0.10"
            + " total=100\nfull avg10=0.50 avg60=0.20 avg300=0.00 total=50\n");
    write(
        root.resolve("proc/zoneinfo"),
        "Node 0, zone   Normal\n  pages free     1000\n"
            + "        min      100\n        low      125\n        high     150\n"
            + "Node 0, zone    DMA32\n        high     50\n");
  }

  @Test
  void v1_limitedCgroupsOnly_atAnyDepth() throws IOException {
    host(tmp);
    Path mem = tmp.resolve("sys/fs/cgroup/memory");
    write(mem.resolve("memory.limit_in_bytes"), "9223372036854771712\n");
    write(mem.resolve("memory.usage_in_bytes"), "1000000\n");
    Path pod = mem.resolve("kubepods/burstable/pod1");
    write(pod.resolve("memory.limit_in_bytes"), "9223372036854771712\n");
    write(pod.resolve("memory.usage_in_bytes"), "5000\n");
    write(pod.resolve("c1/memory.limit_in_bytes"), "67108864\n");
    write(pod.resolve("c1/memory.usage_in_bytes"), "1048576\n");
    Sampler.Sample s = new Sampler(HostPaths.under(tmp), new Metrics()).sample(Instant.EPOCH);
    assertThat(s.cgroups())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.path()).isEqualTo("/kubepods/burstable/pod1/c1");
              assertThat(c.limitBytes()).isEqualTo(64L << 20);
              assertThat(c.usageBytes()).isEqualTo(1L << 20);
            });
    assertThat(s.psi().orElseThrow().full().orElseThrow().avg10()).isEqualTo(0.5);
    assertThat(s.highWatermarkBytes()).hasValue(200 * 4096L);
  }

  @Test
  void v2_maxAndHigh_andEvents() throws IOException {
    host(tmp);
    Path cg = tmp.resolve("sys/fs/cgroup");
    write(cg.resolve("cgroup.controllers"), "cpu memory\n");
    write(cg.resolve("system.slice/memory.max"), "max\n");
    write(cg.resolve("system.slice/memory.high"), "max\n");
    write(cg.resolve("system.slice/memory.current"), "100\n");
    Path web = cg.resolve("system.slice/web.service");
    write(web.resolve("memory.max"), "209715200\n");
    write(web.resolve("memory.high"), "104857600\n");
    write(web.resolve("memory.current"), "104000000\n");
    write(web.resolve("memory.events"), "low 0\nhigh 42\nmax 0\noom 0\noom_kill 0\n");
    write(
        web.resolve("memory.pressure"),
        "some avg10=70.00 avg60=1.00 avg300=0.00 total=9\n"
            + "full avg10=61.00 avg60=1.00 avg300=0.00 total=8\n");
    Sampler.Sample s = new Sampler(HostPaths.under(tmp), new Metrics()).sample(Instant.EPOCH);
    assertThat(s.cgroups())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.path()).isEqualTo("/system.slice/web.service");
              assertThat(c.highBytes()).isEqualTo(OptionalLong.of(100L << 20));
              assertThat(c.highEvents()).isEqualTo(OptionalLong.of(42));
              assertThat(c.psi().orElseThrow().full().orElseThrow().avg10()).isEqualTo(61.0);
            });
  }

  @Test
  void cgroupThatVanishesOrIsHalfGone_leftOutWithoutError() throws IOException {
    host(tmp);
    Path mem = tmp.resolve("sys/fs/cgroup/memory");
    write(mem.resolve("memory.limit_in_bytes"), "9223372036854771712\n");
    // Listed, but its usage file is already gone: a container that just exited.
    write(mem.resolve("gone/memory.limit_in_bytes"), "1048576\n");
    write(mem.resolve("kept/memory.limit_in_bytes"), "1048576\n");
    write(mem.resolve("kept/memory.usage_in_bytes"), "1024\n");
    Metrics metrics = new Metrics();
    Sampler.Sample s = new Sampler(HostPaths.under(tmp), metrics).sample(Instant.EPOCH);
    assertThat(s.cgroups()).extracting(Sampler.CgroupSample::path).containsExactly("/kept");
    assertThat(metrics.sourceUp.labelValues("cgroups").get()).isEqualTo(1.0);
  }

  @Test
  void psiTotals_countedAsStalledSeconds_acrossSamples() throws IOException {
    host(tmp);
    Metrics metrics = new Metrics();
    Sampler sampler = new Sampler(HostPaths.under(tmp), metrics);
    sampler.sample(Instant.EPOCH);
    write(
        tmp.resolve("proc/pressure/memory"),
        "some avg10=1.50 avg60=0.50 avg300=0.10"
            + " total=2500100\nfull avg10=0.50 avg60=0.20 avg300=0.00 total=1000050\n");
    sampler.sample(Instant.EPOCH.plusSeconds(5));
    assertThat(metrics.pressureStalled.labelValues("some").get()).isEqualTo(2.5001);
    assertThat(metrics.pressureStalled.labelValues("full").get()).isEqualTo(1.00005);
  }

  @Test
  void noPsiNoCgroups_stillASample() throws IOException {
    write(tmp.resolve("proc/meminfo"), "MemTotal:        2000000 kB\n");
    Metrics metrics = new Metrics();
    Sampler.Sample s = new Sampler(HostPaths.under(tmp), metrics).sample(Instant.EPOCH);
    assertThat(s.psi()).isEmpty();
    assertThat(s.cgroups()).isEmpty();
    assertThat(metrics.sourceUp.labelValues("meminfo").get()).isEqualTo(1.0);
  }
}
