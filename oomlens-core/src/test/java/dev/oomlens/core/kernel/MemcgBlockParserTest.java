package dev.oomlens.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.model.MemcgState;
import dev.oomlens.core.model.SourceLine;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class MemcgBlockParserTest {

  @Test
  void parse_taskIn_3x() {
    // corpus 026
    assertThat(MemcgBlockParser.parse("Task in /mem2 killed as a result of limit of /mem2", false))
        .hasValue(new MemcgBlockParser.TaskIn("/mem2", "/mem2"));
  }

  @Test
  void parse_counters() {
    // corpus 004 (v1 with swap accounting), 015 (v2 swap:), 026 (3.x unlimited)
    assertThat(
            MemcgBlockParser.parse(
                "memory: usage 1048576kB, limit 1048576kB, failcnt 70428", false))
        .hasValue(
            new MemcgBlockParser.Counter(
                "memory",
                OptionalLong.of(1048576),
                OptionalLong.of(1048576),
                OptionalLong.of(70428)));
    assertThat(
            MemcgBlockParser.parse(
                "memory+swap: usage 2097080kB, limit 2097152kB, failcnt 17", false))
        .hasValue(
            new MemcgBlockParser.Counter(
                "memory+swap",
                OptionalLong.of(2097080),
                OptionalLong.of(2097152),
                OptionalLong.of(17)));
    assertThat(
            MemcgBlockParser.parse("swap: usage 0kB, limit 9007199254740988kB, failcnt 0", false))
        .hasValue(
            new MemcgBlockParser.Counter(
                "swap",
                OptionalLong.of(0),
                OptionalLong.of(9007199254740988L),
                OptionalLong.of(0)));
    assertThat(
            MemcgBlockParser.parse("kmem: usage 0kB, limit 18014398509481983kB, failcnt 0", false))
        .hasValue(
            new MemcgBlockParser.Counter(
                "kmem",
                OptionalLong.of(0),
                OptionalLong.of(18014398509481983L),
                OptionalLong.of(0)));
  }

  @Test
  void parse_counterCut_keepsUsage() {
    assertThat(MemcgBlockParser.parse("memory: usage 512000kB, limit 5120", false))
        .hasValue(
            new MemcgBlockParser.Counter(
                "memory", OptionalLong.of(512000), OptionalLong.empty(), OptionalLong.empty()));
  }

  @Test
  void parse_v1OneLineStats_inBytes() {
    // corpus 026 (3.13)
    MemcgBlockParser.Stats s =
        (MemcgBlockParser.Stats)
            MemcgBlockParser.parse(
                    "Memory cgroup stats for /mem2: cache:0KB rss:980KB rss_huge:0KB mapped_file:0KB"
                        + " writeback:20KB inactive_anon:560KB active_anon:420KB inactive_file:0KB"
                        + " active_file:0KB unevictable:0KB",
                    false)
                .orElseThrow();
    assertThat(s.cgroup()).isEqualTo("/mem2");
    assertThat(s.inline()).isTrue();
    assertThat(s.stat())
        .containsEntry("rss", 980L * 1024)
        .containsEntry("writeback", 20L * 1024)
        .containsEntry("cache", 0L)
        .hasSize(10);
  }

  @Test
  void parse_v2StatsHeaderAndValues() {
    // corpus 015 (5.15): header, then one "key value" per line, bytes as printed
    MemcgBlockParser.Stats s =
        (MemcgBlockParser.Stats)
            MemcgBlockParser.parse(
                    "Memory cgroup stats for /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod47"
                        + "9f327f_a27b_4eda_8523_90bdabcf0a27.slice:",
                    false)
                .orElseThrow();
    assertThat(s.inline()).isFalse();
    assertThat(s.cgroup()).endsWith("90bdabcf0a27.slice");
    assertThat(MemcgBlockParser.parse("anon 484630528", true))
        .hasValue(new MemcgBlockParser.StatValue("anon", 484630528));
    assertThat(MemcgBlockParser.parse("anon 484630528", false)).isEmpty();
  }

  @Test
  void isCount_eventCountersAreCounts_everyOtherKeyASizeInBytes() {
    // corpus 015 (5.15) memory.stat keys; the event names of memory_stat_format() and the v1
    // total_ ones of memcg_stat_show()
    for (String size :
        "anon file kernel_stack pagetables percpu sock shmem file_mapped file_dirty".split(" ")) {
      assertThat(MemcgState.isCount(size)).as(size).isFalse();
    }
    for (String size : "anon_thp slab_unreclaimable total_rss total_cache".split(" ")) {
      assertThat(MemcgState.isCount(size)).as(size).isFalse();
    }
    for (String count :
        ("pgfault pgmajfault pgscan pgsteal workingset_refault_anon"
                + " workingset_nodereclaim thp_fault_alloc zswpout total_pgpgin total_pgfault")
            .split(" ")) {
      assertThat(MemcgState.isCount(count)).as(count).isTrue();
    }
  }

  @Test
  void builder_collectsEveryStatsBlock() {
    // corpus 006 (4.15, k3s): one stats line per cgroup of the pod
    MemcgStateBuilder b = new MemcgStateBuilder();
    SourceLine src = new SourceLine("t", 1, "x");
    for (String l :
        new String[] {
          "Task in /kubepods/burstable/pod1/c1 killed as a result of limit of /kubepods/burstable/pod1",
          "memory: usage 125952kB, limit 125952kB, failcnt 3632",
          "memory+swap: usage 0kB, limit 9007199254740988kB, failcnt 0",
          "kmem: usage 2352kB, limit 9007199254740988kB, failcnt 0",
          "Memory cgroup stats for /kubepods/burstable/pod1: cache:0KB rss:0KB shmem:0KB",
          "Memory cgroup stats for /kubepods/burstable/pod1/p: cache:0KB rss:48KB shmem:0KB",
          "Memory cgroup stats for /kubepods/burstable/pod1/c1: cache:0KB rss:123552KB shmem:0KB"
        }) {
      assertThat(b.accept(l, src)).as(l).isTrue();
    }
    MemcgState m = b.build().orElseThrow();
    assertThat(m.usageBytes()).isEqualTo(125952 * 1024L);
    assertThat(m.limitBytes()).isEqualTo(125952 * 1024L);
    assertThat(m.failcnt()).hasValue(3632);
    assertThat(m.memswUsageBytes()).hasValue(0);
    assertThat(MemcgState.isUnlimited(m.memswLimitBytes().getAsLong())).isTrue();
    assertThat(m.kmemUsageBytes()).hasValue(2352 * 1024L);
    assertThat(m.swapUsageBytes()).isEmpty();
    assertThat(m.statCgroup()).hasValue("/kubepods/burstable/pod1");
    assertThat(m.stat()).isEqualTo(Map.of("cache", 0L, "rss", 0L, "shmem", 0L));
    assertThat(m.statByCgroup().keySet())
        .containsExactly(
            "/kubepods/burstable/pod1",
            "/kubepods/burstable/pod1/p",
            "/kubepods/burstable/pod1/c1");
    assertThat(m.statByCgroup().get("/kubepods/burstable/pod1/c1"))
        .containsEntry("rss", 123552L * 1024);
    assertThat(b.taskIn())
        .hasValue(
            new MemcgBlockParser.TaskIn("/kubepods/burstable/pod1/c1", "/kubepods/burstable/pod1"));
  }

  @Test
  void builder_multiLineStatsEndAtFirstOtherLine() {
    MemcgStateBuilder b = new MemcgStateBuilder();
    SourceLine src = new SourceLine("t", 1, "x");
    b.accept("memory: usage 512000kB, limit 512000kB, failcnt 37", src);
    b.accept("swap: usage 0kB, limit 9007199254740988kB, failcnt 0", src);
    b.accept("Memory cgroup stats for /a:", src);
    assertThat(b.accept("anon 484630528", src)).isTrue();
    assertThat(b.accept("file 37752832", src)).isTrue();
    assertThat(b.accept("Tasks state (memory values in pages):", src)).isFalse();
    assertThat(b.accept("sock 0", src)).isFalse();
    MemcgState m = b.build().orElseThrow();
    assertThat(m.stat()).isEqualTo(Map.of("anon", 484630528L, "file", 37752832L));
    assertThat(m.swapUsageBytes()).hasValue(0);
  }
}
