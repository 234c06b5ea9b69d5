package dev.oomlens.core.host.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oomlens.core.host.CgroupMemory;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.model.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CgroupMemoryParsersTest {
  private static final String CONTAINER =
      "/kubepods.slice/kubepods-burstable.slice/"
          + "kubepods-burstable-pod7f3c2a1e_5b9d_4c8e_9a2f_1d6e8b4c3a70.slice/"
          + "cri-containerd-3f9a1c7e5b2d4086a1e9c3b7d5f2a4e6c8b0d1f3a5c7e9b2d4f6a8c0e1b3d5f7.scope";

  @Test
  void v2_parse_containerAfterItsKill() {
    // The files of a container killed at its 64 MiB limit, as a 6.1 kernel wrote them.
    Map<String, String> files =
        Map.of(
            "memory.max", "67108864\n",
            "memory.high", "max\n",
            "memory.current", "8568832\n",
            "memory.peak", "67108864\n",
            "memory.swap.max", "0\n",
            "memory.swap.current", "0\n",
            "memory.oom.group", "0\n",
            "memory.events", "low 0\nhigh 0\nmax 18\noom 1\noom_kill 1\noom_group_kill 0\n",
            "memory.pressure",
                """
            some avg10=0.00 avg60=0.00 avg300=0.00 total=69411
            full avg10=0.00 avg60=0.00 avg300=0.00 total=69411
            """,
            "memory.stat",
                "anon 8474624\nfile 8192\nkernel 81920\nshmem 8192\nslab 8800\nsock 0\n");
    List<Problem> problems = new ArrayList<>();

    CgroupMemory c =
        CgroupV2MemoryParser.parse(
            new CgroupFiles(CONTAINER, "/sys/fs/cgroup" + CONTAINER, files), problems);

    assertThat(problems).isEmpty();
    assertThat(c.version()).isEqualTo(2);
    assertThat(c.limitBytes()).hasValue(67108864);
    assertThat(c.highBytes()).isEmpty();
    assertThat(c.currentBytes()).hasValue(8568832);
    assertThat(c.peakBytes()).hasValue(67108864);
    assertThat(c.swapLimitBytes()).hasValue(0);
    assertThat(c.events().orElseThrow().get("oom_kill")).hasValue(1);
    assertThat(c.stat().orElseThrow().get("anon")).hasValue(8474624);
    assertThat(c.pressure().orElseThrow().some().totalMicros()).isEqualTo(69411);
    assertThat(c.oomGroup()).contains(false);
    assertThat(c.workload().kind()).isEqualTo(Workload.Kind.CONTAINER);
    assertThat(c.workload().qosClass()).contains(Workload.QosClass.Burstable);
    assertThat(c.source().file()).isEqualTo("/sys/fs/cgroup" + CONTAINER + "/memory.max");
    assertThat(c.source().text()).isEqualTo("67108864");
  }

  @Test
  void v2_parse_malformedFileIsAProblemAndTheRestIsRead() {
    List<Problem> problems = new ArrayList<>();
    CgroupMemory c =
        CgroupV2MemoryParser.parse(
            new CgroupFiles(
                "/system.slice/a.service",
                "/sys/fs/cgroup/system.slice/a.service",
                Map.of(
                    "memory.max", "lots\n", "memory.current", "4096\n", "memory.oom.group", "2\n")),
            problems);

    assertThat(c.limitBytes()).isEmpty();
    assertThat(c.currentBytes()).hasValue(4096);
    assertThat(problems)
        .extracting(Problem::file)
        .containsExactlyInAnyOrder(
            "/sys/fs/cgroup/system.slice/a.service/memory.max",
            "/sys/fs/cgroup/system.slice/a.service/memory.oom.group");
    assertThat(c.workload().unit()).contains("a.service");
  }

  @Test
  void v2_parseLimit_maxIsNoLimit() throws ParseException {
    assertThat(CgroupV2MemoryParser.parseLimit("max\n", "m")).isEmpty();
    assertThat(CgroupV2MemoryParser.parseLimit("536870912\n", "m")).hasValue(536870912);
    assertThatThrownBy(() -> CgroupV2MemoryParser.parseLimit("-1\n", "m"))
        .isInstanceOf(ParseException.class);
  }

  @Test
  void v1_parse_serviceThatWasOomKilled() {
    // Captured on a 6.18 host (see oomlens-host's this-machine-cgroupv1 fixture).
    Map<String, String> files =
        Map.of(
            "memory.limit_in_bytes", "67108864\n",
            "memory.usage_in_bytes", "28188672\n",
            "memory.max_usage_in_bytes", "67108864\n",
            "memory.failcnt", "168\n",
            "memory.memsw.limit_in_bytes", "9223372036854771712\n",
            "memory.memsw.usage_in_bytes", "28188672\n",
            "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n",
            "memory.stat", "cache 0\nrss 28033024\nrss_huge 0\nshmem 0\nmapped_file 0\n");
    List<Problem> problems = new ArrayList<>();

    CgroupMemory c =
        CgroupV1MemoryParser.parse(
            new CgroupFiles(
                "/oomlens-capture.slice/hog.service",
                "/sys/fs/cgroup/memory/oomlens-capture.slice/hog.service",
                files),
            problems);

    assertThat(problems).isEmpty();
    assertThat(c.version()).isEqualTo(1);
    assertThat(c.limitBytes()).hasValue(67108864);
    assertThat(c.currentBytes()).hasValue(28188672);
    assertThat(c.peakBytes()).hasValue(67108864);
    assertThat(c.failcnt()).hasValue(168);
    assertThat(c.memswLimitBytes()).isEmpty();
    assertThat(c.memswUsageBytes()).hasValue(28188672);
    assertThat(c.events().orElseThrow().get("oom_kill")).hasValue(2);
    assertThat(c.stat().orElseThrow().get("rss")).hasValue(28033024);
    assertThat(c.workload().unit()).contains("hog.service");
  }

  @Test
  void v1_parseLimit_unlimitedOnEveryPageSize() throws ParseException {
    assertThat(CgroupV1MemoryParser.parseLimit("9223372036854771712\n", "l")).isEmpty();
    assertThat(CgroupV1MemoryParser.parseLimit("9223372036854710272\n", "l")).isEmpty();
    assertThat(CgroupV1MemoryParser.parseLimit("268435456\n", "l")).hasValue(268435456);
  }

  @Test
  void v1_parseOomControl_beforeOomKillCounter() throws ParseException {
    assertThat(
            CgroupV1MemoryParser.parseOomControl("oom_kill_disable 0\nunder_oom 1\n", "o")
                .get("under_oom"))
        .hasValue(1);
    assertThatThrownBy(() -> CgroupV1MemoryParser.parseOomControl("oom_kill 3\n", "o"))
        .isInstanceOf(ParseException.class);
  }
}
