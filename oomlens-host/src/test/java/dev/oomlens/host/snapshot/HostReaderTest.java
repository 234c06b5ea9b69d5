package dev.oomlens.host.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.host.CgroupMemory;
import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.core.host.SwapDevice;
import dev.oomlens.core.host.ZramDevice;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.model.Workload;
import dev.oomlens.host.paths.HostPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostReaderTest {
  private static final long GIB = 1L << 30;

  private static HostSnapshot read(String scenario) {
    return HostReader.read(Fixtures.paths(scenario), OptionalLong.empty());
  }

  private static CgroupMemory cgroup(HostSnapshot s, String path) {
    return s.cgroups().stream()
        .filter(c -> c.path().equals(path))
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    path + " not in " + s.cgroups().stream().map(CgroupMemory::path).toList()));
  }

  @Test
  void read_thisMachineCgroupV1_readsEveryFileItHas() {
    HostSnapshot s = read("this-machine-cgroupv1");

    assertThat(s.problems()).isEmpty();
    assertThat(s.hostname()).contains("vm");
    assertThat(s.kernelRelease()).contains("6.18.44-fc-v595");
    assertThat(s.meminfo().orElseThrow().get("MemTotal")).hasValue(24684096);
    assertThat(s.meminfo().orElseThrow().get("MemAvailable")).isPresent();
    assertThat(s.vmstat().orElseThrow().get("oom_kill")).isPresent();
    assertThat(s.memoryPressure().orElseThrow().full()).isPresent();
    assertThat(s.swaps()).isEmpty();
    assertThat(s.zram())
        .singleElement()
        .satisfies(
            z -> {
              assertThat(z.name()).isEqualTo("zram0");
              assertThat(z.diskSizeBytes()).isZero();
              assertThat(z.algorithm()).contains("lzo-rle");
              assertThat(z.origDataBytes()).hasValue(0);
            });
    assertThat(s.zswapEnabled()).contains(false);
    assertThat(s.virtioBalloon()).contains(true);
    assertThat(s.cgroups())
        .extracting(CgroupMemory::path)
        .containsExactly("/oomlens-capture.slice", "/oomlens-capture.slice/hog.service");
    CgroupMemory hog = cgroup(s, "/oomlens-capture.slice/hog.service");
    assertThat(hog.version()).isEqualTo(1);
    assertThat(hog.limitBytes()).hasValue(64L << 20);
    assertThat(hog.peakBytes()).hasValue(64L << 20);
    assertThat(hog.currentBytes()).hasValue(28188672);
    assertThat(hog.failcnt()).hasValue(168);
    assertThat(hog.memswLimitBytes()).isEmpty();
    assertThat(hog.events().orElseThrow().get("oom_kill")).hasValue(2);
    assertThat(hog.stat().orElseThrow().get("rss")).hasValue(28033024);
    assertThat(hog.workload().kind()).isEqualTo(Workload.Kind.SYSTEMD_UNIT);
    assertThat(hog.source().file())
        .endsWith(
            "hosts/this-machine-cgroupv1/sys/fs/cgroup/memory/oomlens-capture.slice/hog.service/"
                + "memory.limit_in_bytes");
    assertThat(cgroup(s, "/oomlens-capture.slice").limitBytes()).hasValue(256L << 20);
  }

  @Test
  void read_noMemAvailable_olderKernelFieldsStayEmpty() {
    HostSnapshot s = read("no-memavailable");

    assertThat(s.problems()).isEmpty();
    assertThat(s.kernelRelease()).contains("3.13.0-170-generic");
    assertThat(s.meminfo().orElseThrow().get("MemAvailable")).isEmpty();
    assertThat(s.meminfo().orElseThrow().get("MemFree")).hasValue(142660);
    assertThat(s.vmstat().orElseThrow().get("oom_kill")).isEmpty();
    assertThat(s.vmstat().orElseThrow().get("pswpout")).hasValue(10764);
    assertThat(s.memoryPressure()).isEmpty();
    assertThat(s.swaps()).extracting(SwapDevice::filename).containsExactly("/dev/sda5");
    assertThat(s.zram()).isEmpty();
    assertThat(s.zswapEnabled()).isEmpty();
    assertThat(s.virtioBalloon()).isEmpty();
    assertThat(s.cgroups()).isEmpty();
  }

  @Test
  void read_noPsi_cgroupWithoutPressureIsStillRead() {
    HostSnapshot s = read("no-psi");

    assertThat(s.problems()).isEmpty();
    assertThat(s.memoryPressure()).isEmpty();
    CgroupMemory pg = cgroup(s, "/system.slice/postgresql@15-main.service");
    assertThat(pg.version()).isEqualTo(2);
    assertThat(pg.pressure()).isEmpty();
    assertThat(pg.limitBytes()).hasValue(4 * GIB);
    assertThat(pg.highBytes()).isEmpty();
    assertThat(pg.peakBytes()).hasValue(2 * GIB);
    assertThat(pg.workload().unit()).contains("postgresql@15-main.service");
  }

  @Test
  void read_bigHost_freeLowAvailableHigh() {
    HostSnapshot s = read("big-host-free-low-available-high");

    var m = s.meminfo().orElseThrow();
    long total = m.get("MemTotal").orElseThrow();
    assertThat(m.get("MemFree").orElseThrow()).isLessThan(total / 100);
    assertThat(m.get("MemAvailable").orElseThrow()).isGreaterThan(total * 3 / 4);
    assertThat(m.get("Cached").orElseThrow()).isGreaterThan(total * 7 / 10);
    assertThat(s.memoryPressure().orElseThrow().some().avg10()).isZero();
    assertThat(s.problems()).isEmpty();
  }

  @Test
  void read_ballooned_memTotalFarBelowTheConfiguredSize() {
    HostSnapshot s = HostReader.read(Fixtures.paths("ballooned"), OptionalLong.of(4 * GIB));

    assertThat(s.problems()).isEmpty();
    assertThat(s.virtioBalloon()).contains(true);
    assertThat(s.configuredVmMemoryBytes()).hasValue(4 * GIB);
    long memTotalBytes = s.meminfo().orElseThrow().get("MemTotal").orElseThrow() * 1024;
    assertThat(memTotalBytes).isLessThan(2 * GIB);
    assertThat(s.meminfo().orElseThrow().get("Balloon")).hasValue(2359296);
    assertThat(s.memoryPressure().orElseThrow().full().orElseThrow().avg10()).isEqualTo(30.02);
    assertThat(s.zswapEnabled()).contains(false);
  }

  @Test
  void read_zramSwap_deviceAndSwapRow() {
    HostSnapshot s = read("zram-swap");

    assertThat(s.problems()).isEmpty();
    assertThat(s.swaps())
        .singleElement()
        .satisfies(
            sw -> {
              assertThat(sw.isZram()).isTrue();
              assertThat(sw.sizeKb()).isEqualTo(2009084);
              assertThat(sw.usedKb()).isEqualTo(812344);
              assertThat(sw.priority()).isEqualTo(100);
            });
    ZramDevice z = s.zram().get(0);
    assertThat(z.diskSizeBytes()).isEqualTo(2057302016L);
    assertThat(z.algorithm()).contains("zstd");
    assertThat(z.origDataBytes()).hasValue(831840256L);
    assertThat(z.comprDataBytes()).hasValue(205627392L);
    assertThat(z.memUsedTotalBytes()).hasValue(212897792L);
    assertThat(z.memLimitBytes()).hasValue(0);
    assertThat(z.source().file()).endsWith("sys/block/zram0/mm_stat");
    assertThat(s.vmstat().orElseThrow().get("pswpout")).hasValue(412877);
  }

  @Test
  void read_cgroupV2PodOomKilled_keepsWorkloadLevelsAndSkipsTheRest() {
    HostSnapshot s = read("cgroupv2-pod-oomkilled");

    assertThat(s.problems()).isEmpty();
    String pod =
        "/kubepods.slice/kubepods-burstable.slice/"
            + "kubepods-burstable-pod5d2c1f7a_8b3e_4f9a_b6c1_2e7d9a4f3b10.slice";
    String app =
        pod
            + "/cri-containerd-4b1f0e2a9c7d3e5f8a6b2c4d1e3f5a7b9c0d2e4f6a8b1c3d5e7f9a0b2c4d6e8f.scope";
    assertThat(s.cgroups())
        .extracting(CgroupMemory::path)
        .containsExactly(
            "/kubepods.slice",
            "/system.slice",
            "/kubepods.slice/kubepods-burstable.slice",
            "/system.slice/containerd.service",
            pod,
            app,
            pod
                + "/cri-containerd-9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d"
                + ".scope");
    CgroupMemory container = cgroup(s, app);
    assertThat(container.events().orElseThrow().get("oom_kill")).hasValue(3);
    assertThat(container.events().orElseThrow().get("max")).hasValue(1432);
    assertThat(container.oomGroup()).contains(true);
    assertThat(container.limitBytes()).hasValue(512L << 20);
    assertThat(container.workload().kind()).isEqualTo(Workload.Kind.CONTAINER);
    assertThat(container.workload().podUid()).contains("5d2c1f7a-8b3e-4f9a-b6c1-2e7d9a4f3b10");
    assertThat(container.stat().orElseThrow().get("anon")).hasValue(525336576);
    assertThat(container.pressure().orElseThrow().some().avg10()).isEqualTo(3.90);
    assertThat(cgroup(s, "/kubepods.slice").workload().kind()).isEqualTo(Workload.Kind.KUBEPODS);
    assertThat(cgroup(s, "/kubepods.slice").limitBytes()).hasValue(7548768256L);
    assertThat(cgroup(s, "/system.slice/containerd.service").limitBytes()).isEmpty();
  }

  @Test
  void read_missingRoot_isEmptyWithoutProblems(@TempDir Path dir) {
    HostSnapshot s = HostReader.read(HostPaths.under(dir.resolve("nothing")), OptionalLong.empty());

    assertThat(s.meminfo()).isEmpty();
    assertThat(s.cgroups()).isEmpty();
    assertThat(s.virtioBalloon()).isEmpty();
    assertThat(s.problems()).isEmpty();
  }

  @Test
  void read_malformedFiles_becomeProblemsWithFileAndLine(@TempDir Path dir) throws IOException {
    write(dir, "proc/meminfo", "MemTotal:        8131220 kB\nMemFree:   garbage kB\n");
    write(dir, "proc/pressure/memory", "some avg10=0.00\n");
    write(dir, "proc/vmstat", "oom_kill 4\n");
    write(dir, "sys/module/zswap/parameters/enabled", "maybe\n");
    write(dir, "sys/fs/cgroup/cgroup.controllers", "cpu memory pids\n");
    write(dir, "sys/fs/cgroup/system.slice/a.service/memory.max", "536870912\n");
    write(dir, "sys/fs/cgroup/system.slice/a.service/memory.events", "oom 1\noom_kill x\n");
    write(dir, "sys/fs/cgroup/system.slice/a.service/memory.current", "1048576\n");
    Files.createDirectories(dir.resolve("sys/fs/cgroup/system.slice/a.service/memory.stat"));

    HostSnapshot s = HostReader.read(HostPaths.under(dir), OptionalLong.empty());

    assertThat(s.meminfo()).isEmpty();
    assertThat(s.vmstat().orElseThrow().get("oom_kill")).hasValue(4);
    assertThat(s.memoryPressure()).isEmpty();
    assertThat(s.zswapEnabled()).isEmpty();
    CgroupMemory a = cgroup(s, "/system.slice/a.service");
    assertThat(a.currentBytes()).hasValue(1048576);
    assertThat(a.events()).isEmpty();
    List<String> problems = s.problems().stream().map(Problem::toString).toList();
    assertThat(problems).hasSize(5);
    assertThat(problems)
        .anySatisfy(
            p -> assertThat(p).endsWith("proc/meminfo:2: MemFree is not a number: 'garbage'"));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("proc/pressure/memory:1:"));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("enabled:1: expected Y or N"));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("a.service/memory.events:2:"));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("memory.stat: is a directory"));
  }

  @Test
  void read_tooDeepCgroups_stopAtTheDepthBound(@TempDir Path dir) throws IOException {
    write(dir, "sys/fs/cgroup/cgroup.controllers", "memory\n");
    StringBuilder rel = new StringBuilder("sys/fs/cgroup");
    for (int depth = 1; depth <= HostReader.MAX_DEPTH + 2; depth++) {
      rel.append("/l").append(depth);
      write(dir, rel + "/memory.max", "1048576\n");
      write(dir, rel + "/memory.current", "4096\n");
    }

    HostSnapshot s = HostReader.read(HostPaths.under(dir), OptionalLong.empty());

    assertThat(s.cgroups()).hasSize(HostReader.MAX_DEPTH);
    assertThat(s.cgroups().get(HostReader.MAX_DEPTH - 1).path()).endsWith("/l8");
  }

  @Test
  void read_cgroupWithoutTheMemoryController_isSkipped(@TempDir Path dir) throws IOException {
    write(dir, "sys/fs/cgroup/cgroup.controllers", "cpu memory\n");
    write(dir, "sys/fs/cgroup/system.slice/cgroup.controllers", "cpu\n");
    write(dir, "sys/fs/cgroup/system.slice/cron.service/cgroup.procs", "812\n");

    assertThat(HostReader.read(HostPaths.under(dir), OptionalLong.empty()).cgroups()).isEmpty();
  }

  @Test
  void read_hybridLayout_memoryControllerOnV1Wins(@TempDir Path dir) throws IOException {
    write(dir, "sys/fs/cgroup/unified/cgroup.controllers", "\n");
    write(dir, "sys/fs/cgroup/unified/system.slice/memory.max", "1048576\n");
    write(dir, "sys/fs/cgroup/unified/system.slice/memory.current", "4096\n");
    write(dir, "sys/fs/cgroup/memory/system.slice/memory.limit_in_bytes", "9223372036854771712\n");
    write(dir, "sys/fs/cgroup/memory/system.slice/memory.usage_in_bytes", "8192\n");
    write(dir, "sys/fs/cgroup/memory/user.slice/memory.stat", "cache 0\n");

    HostSnapshot s = HostReader.read(HostPaths.under(dir), OptionalLong.empty());

    assertThat(s.cgroups())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.version()).isEqualTo(1);
              assertThat(c.path()).isEqualTo("/system.slice");
              assertThat(c.limitBytes()).isEmpty();
            });
  }

  static void write(Path root, String rel, String text) throws IOException {
    Path p = root.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }
}
