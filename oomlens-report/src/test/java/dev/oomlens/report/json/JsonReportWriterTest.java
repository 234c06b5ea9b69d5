package dev.oomlens.report.json;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oomlens.core.model.AllocFailure;
import dev.oomlens.core.model.Constraint;
import dev.oomlens.core.model.FactLines;
import dev.oomlens.core.model.GroupKill;
import dev.oomlens.core.model.HostMemory;
import dev.oomlens.core.model.KilledTask;
import dev.oomlens.core.model.LogTime;
import dev.oomlens.core.model.MemcgState;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.OomScope;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.model.SourceRange;
import dev.oomlens.core.model.TaskRow;
import dev.oomlens.core.model.Trigger;
import dev.oomlens.core.model.Victim;
import dev.oomlens.core.model.Workload;
import java.io.ByteArrayOutputStream;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class JsonReportWriterTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String FILE = "kern.log";

  /** The model holds bytes; these fixtures are written in the units the kernel printed. */
  private static final long KB = 1024;

  private static final long PAGE = 4096;
  private static final String POD_UID = "479f327f-a27b-4eda-8523-90bdabcf0a27";
  private static final String CONTAINER_ID =
      "679f9845995b4ae4812789eb3c3d1df88040a1bc3f0c046a05c9aa9b5b5f93be";
  private static final String POD_CGROUP =
      "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
          + POD_UID.replace('-', '_')
          + ".slice";
  private static final String TASK_CGROUP =
      POD_CGROUP + "/cri-containerd-" + CONTAINER_ID + ".scope";

  private static SourceLine line(long n, String text) {
    return new SourceLine(FILE, n, text);
  }

  /** A cgroup v2 memcg report from a 6.8 kernel with every field the model has set. */
  static OomReport fullMemcgReport() {
    Map<String, Long> stat = new LinkedHashMap<>();
    stat.put("anon", 523_988_992L);
    stat.put("file", 675_840L);
    stat.put("shmem", 65_536L);
    stat.put("pgfault", 129_531L);
    MemcgState memcg =
        new MemcgState(
            512_000 * KB,
            512_000 * KB,
            OptionalLong.of(3184),
            OptionalLong.of(0),
            OptionalLong.of(0),
            OptionalLong.of(0),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            List.of(
                new MemcgState.StatBlock(
                    POD_CGROUP,
                    stat,
                    Map.of(),
                    line(21, "Memory cgroup stats for " + POD_CGROUP + ":"))),
            line(20, "memory: usage 512000kB, limit 512000kB, failcnt 3184"),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    TaskRow pause =
        new TaskRow(
            716_120,
            OptionalLong.of(65_535),
            OptionalLong.of(716_120),
            243 * PAGE,
            PAGE,
            OptionalLong.of(0),
            OptionalLong.of(PAGE),
            OptionalLong.of(0),
            OptionalLong.of(28_672),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.of(0),
            -998,
            "pause",
            line(40, "[ 716120] 65535 716120 243 1 0 1 0 28672 0 -998 pause"));
    TaskRow hog =
        new TaskRow(
            716_580,
            OptionalLong.of(0),
            OptionalLong.of(716_580),
            134_225 * PAGE,
            118_439 * PAGE,
            OptionalLong.of(118_262 * PAGE),
            OptionalLong.of(161 * PAGE),
            OptionalLong.of(16 * PAGE),
            OptionalLong.of(1_040_384),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.of(0),
            1000,
            "stress-ng-vm",
            line(41, "[ 716580]     0 716580 134225 118439 ... 1000 stress-ng-vm"));
    Victim victim =
        new Victim(
            716_580,
            "stress-ng-vm",
            OptionalLong.of(536_900 * KB),
            OptionalLong.of(473_048 * KB),
            OptionalLong.of(644 * KB),
            OptionalLong.of(64 * KB),
            OptionalLong.of(0),
            OptionalLong.of(1016 * KB),
            OptionalInt.of(1000),
            OptionalLong.empty(),
            line(43, "Memory cgroup out of memory: Killed process 716580 (stress-ng-vm) ..."));
    GroupKill groupKill =
        new GroupKill(
            TASK_CGROUP,
            List.of(
                new KilledTask(716_581, "stress-ng", OptionalLong.of(2_048 * KB), line(44, "k"))),
            line(42, "Tasks in ... are going to be killed due to memory.oom.group set"));
    Trigger trigger =
        new Trigger(
            "stress-ng-vm",
            OptionalLong.of(716_580),
            Optional.of("0xcc0(GFP_KERNEL)"),
            OptionalInt.of(0),
            OptionalInt.of(1000),
            line(
                10,
                "stress-ng-vm invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, "
                    + "oom_score_adj=1000"));
    Workload workload =
        new Workload(
            Workload.Kind.CONTAINER,
            Optional.of(TASK_CGROUP),
            Optional.of(POD_UID),
            Optional.of(CONTAINER_ID),
            Optional.of("containerd"),
            Optional.of(Workload.QosClass.Burstable),
            Optional.of("cri-containerd-" + CONTAINER_ID + ".scope"),
            true);
    return new OomReport(
        new SourceRange(FILE, 10, 45),
        Optional.of("aks-node-0"),
        new LogTime(OptionalDouble.of(36370.036881), Optional.of("2025-12-13T07:23:21"), true),
        Optional.of("6.8.0-1021-azure"),
        true,
        Optional.of(trigger),
        Optional.of(Constraint.CONSTRAINT_MEMCG),
        Optional.of(OomScope.MEMCG),
        Optional.of("cri-containerd-" + CONTAINER_ID + ".scope"),
        Optional.of("0"),
        Optional.of(POD_CGROUP),
        Optional.of(TASK_CGROUP),
        Optional.of(memcg),
        Optional.empty(),
        List.of(pause, hog),
        Optional.of(victim),
        Optional.of(groupKill),
        Optional.of(true),
        Optional.empty(),
        false,
        Optional.of("Microsoft Corporation Virtual Machine/Virtual Machine"),
        workload,
        List.of(trigger.source(), victim.source()),
        Optional.empty(),
        Optional.empty(),
        FactLines.NONE,
        PAGE);
  }

  static HostMemory hostMemory() {
    Map<String, Long> counters = new LinkedHashMap<>();
    counters.put("active_anon", 3_905_431 * PAGE);
    counters.put("inactive_anon", 1_045 * PAGE);
    counters.put("free", 32_787 * PAGE);
    HostMemory.ZoneMemory zone =
        new HostMemory.ZoneMemory(
            0,
            "Normal",
            OptionalLong.of(44_620 * KB),
            OptionalLong.of(44_684 * KB),
            OptionalLong.of(60_628 * KB),
            OptionalLong.of(76_572 * KB),
            OptionalLong.of(16_252_928 * KB),
            OptionalLong.empty(),
            line(60, "Node 0 Normal free:44620kB ..."));
    HostMemory.Hugepages huge =
        new HostMemory.Hugepages(0, 0, 0, 0, 2048 * KB, line(62, "Node 0 hugepages_total=0 ..."));
    HostMemory.SlabEntry slab =
        new HostMemory.SlabEntry(
            "kmalloc-2k", 30_112 * KB, 30_240 * KB, line(65, "kmalloc-2k 30112KB"));
    return new HostMemory(
        counters,
        List.of(zone),
        List.of(huge),
        OptionalLong.of(11_432 * PAGE),
        OptionalLong.of(0),
        OptionalLong.of(0),
        OptionalLong.of(0),
        OptionalLong.of(4_194_174 * PAGE),
        OptionalLong.of(88_123 * PAGE),
        OptionalLong.empty(),
        OptionalLong.empty(),
        OptionalLong.empty(),
        List.of(slab),
        line(55, "Mem-Info:"),
        Map.of(),
        Map.of(),
        Optional.empty(),
        Optional.empty(),
        List.of());
  }

  /** A pre-4.19 host report with nothing but a kill line: every optional part empty. */
  static OomReport sparseReport(long firstLine) {
    Victim victim =
        new Victim(
            6576,
            "mysqld",
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalInt.empty(),
            OptionalLong.empty(),
            line(firstLine, "Killed process 6576 (mysqld)"));
    return new OomReport(
        new SourceRange(FILE, firstLine, firstLine),
        Optional.empty(),
        LogTime.UNKNOWN,
        Optional.empty(),
        false,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        List.of(),
        Optional.of(victim),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        false,
        Optional.empty(),
        Workload.UNKNOWN,
        List.of(victim.source()),
        Optional.empty(),
        Optional.empty(),
        FactLines.NONE,
        PAGE);
  }

  static AllocFailure allocFailure() {
    return new AllocFailure(
        new SourceRange(FILE, 70, 90),
        Optional.of("hv1"),
        new LogTime(OptionalDouble.of(12.5), Optional.empty(), false),
        "kworker/0:1",
        OptionalLong.of(12),
        9,
        Optional.of("0x400cc0(GFP_KERNEL_ACCOUNT)"),
        "vmemmap alloc",
        Optional.of(hostMemory()),
        line(70, "kworker/0:1: vmemmap alloc failure: order:9"),
        PAGE);
  }

  private static String write(boolean pretty, java.util.function.Consumer<JsonReportWriter> body) {
    StringWriter out = new StringWriter();
    JsonReportWriter writer = new JsonReportWriter(out, pretty);
    body.accept(writer);
    writer.close();
    return out.toString();
  }

  private static JsonNode parse(String json) throws Exception {
    return MAPPER.readTree(json);
  }

  private static List<String> keys(JsonNode node) {
    List<String> names = new ArrayList<>();
    Iterator<String> it = node.fieldNames();
    it.forEachRemaining(names::add);
    return names;
  }

  @Test
  void report_everyFieldOfAFullMemcgReport() throws Exception {
    JsonNode root = parse(write(true, w -> w.report(fullMemcgReport())));
    assertThat(root.get("schema_version").asInt()).isEqualTo(1);
    assertThat(root.get("reports")).hasSize(1);
    JsonNode r = root.get("reports").get(0);

    assertThat(r.at("/source/file").asText()).isEqualTo(FILE);
    assertThat(r.at("/source/first_line").asLong()).isEqualTo(10);
    assertThat(r.at("/source/last_line").asLong()).isEqualTo(45);
    assertThat(r.get("host").asText()).isEqualTo("aks-node-0");
    assertThat(r.at("/time/monotonic_s").isNumber()).isTrue();
    assertThat(r.at("/time/monotonic_s").decimalValue()).isEqualByComparingTo("36370.036881");
    assertThat(r.at("/time/wallclock").asText()).isEqualTo("2025-12-13T07:23:21");
    assertThat(r.at("/time/year_inferred").asBoolean()).isTrue();
    assertThat(r.get("kernel").asText()).isEqualTo("6.8.0-1021-azure");
    assertThat(r.get("hardware").asText())
        .isEqualTo("Microsoft Corporation Virtual Machine/Virtual Machine");
    assertThat(r.get("complete").asBoolean()).isTrue();

    assertThat(r.at("/trigger/comm").asText()).isEqualTo("stress-ng-vm");
    assertThat(r.at("/trigger/pid").asLong()).isEqualTo(716_580);
    assertThat(r.at("/trigger/gfp_mask").asText()).isEqualTo("0xcc0(GFP_KERNEL)");
    assertThat(r.at("/trigger/order").asInt()).isZero();
    assertThat(r.at("/trigger/oom_score_adj").asInt()).isEqualTo(1000);

    assertThat(r.get("constraint").asText()).isEqualTo("CONSTRAINT_MEMCG");
    assertThat(r.get("scope").asText()).isEqualTo("memcg");
    assertThat(r.get("cpuset").asText()).isEqualTo("cri-containerd-" + CONTAINER_ID + ".scope");
    assertThat(r.get("mems_allowed").asText()).isEqualTo("0");
    assertThat(r.get("oom_memcg").asText()).isEqualTo(POD_CGROUP);
    assertThat(r.get("task_memcg").asText()).isEqualTo(TASK_CGROUP);

    JsonNode memcg = r.get("memcg");
    assertThat(memcg.get("usage_kb").asLong()).isEqualTo(512_000);
    assertThat(memcg.get("limit_kb").asLong()).isEqualTo(512_000);
    assertThat(memcg.get("failcnt").asLong()).isEqualTo(3184);
    assertThat(memcg.get("swap_usage_kb").asLong()).isZero();
    assertThat(memcg.get("swap_limit_kb").asLong()).isZero();
    assertThat(memcg.get("swap_failcnt").asLong()).isZero();
    assertThat(memcg.get("memsw_usage_kb").isNull()).isTrue();
    assertThat(memcg.get("memsw_limit_kb").isNull()).isTrue();
    assertThat(memcg.get("memsw_failcnt").isNull()).isTrue();
    assertThat(memcg.get("kmem_usage_kb").isNull()).isTrue();
    assertThat(memcg.get("kmem_limit_kb").isNull()).isTrue();
    assertThat(memcg.get("kmem_failcnt").isNull()).isTrue();
    assertThat(memcg.get("stat_cgroup").asText()).isEqualTo(POD_CGROUP);
    assertThat(keys(memcg.get("stat"))).containsExactly("anon", "file", "pgfault", "shmem");
    assertThat(memcg.at("/stat/anon").asLong()).isEqualTo(523_988_992L);
    assertThat(memcg.at("/stat/shmem").asLong()).isEqualTo(65_536L);
    assertThat(keys(memcg.get("stat_by_cgroup"))).containsExactly(POD_CGROUP);
    assertThat(memcg.get("stat_by_cgroup").get(POD_CGROUP).get("pgfault").asLong())
        .isEqualTo(129_531L);

    assertThat(r.get("host_memory").isNull()).isTrue();

    assertThat(r.get("tasks")).hasSize(2);
    JsonNode pause = r.get("tasks").get(0);
    assertThat(pause.get("pid").asLong()).isEqualTo(716_120);
    assertThat(pause.get("uid").asLong()).isEqualTo(65_535);
    assertThat(pause.get("oom_score_adj").asInt()).isEqualTo(-998);
    assertThat(pause.get("comm").asText()).isEqualTo("pause");
    JsonNode hog = r.get("tasks").get(1);
    assertThat(hog.get("pid").asLong()).isEqualTo(716_580);
    assertThat(hog.get("tgid").asLong()).isEqualTo(716_580);
    assertThat(hog.get("total_vm_pages").asLong()).isEqualTo(134_225);
    assertThat(hog.get("rss_pages").asLong()).isEqualTo(118_439);
    assertThat(hog.get("rss_anon_pages").asLong()).isEqualTo(118_262);
    assertThat(hog.get("rss_file_pages").asLong()).isEqualTo(161);
    assertThat(hog.get("rss_shmem_pages").asLong()).isEqualTo(16);
    assertThat(hog.get("pgtables_bytes").asLong()).isEqualTo(1_040_384);
    assertThat(hog.get("nr_ptes_pages").isNull()).isTrue();
    assertThat(hog.get("nr_pmds_pages").isNull()).isTrue();
    assertThat(hog.get("swapents").asLong()).isZero();
    assertThat(hog.get("oom_score_adj").asInt()).isEqualTo(1000);
    assertThat(hog.get("comm").asText()).isEqualTo("stress-ng-vm");

    JsonNode victim = r.get("victim");
    assertThat(victim.get("pid").asLong()).isEqualTo(716_580);
    assertThat(victim.get("comm").asText()).isEqualTo("stress-ng-vm");
    assertThat(victim.get("total_vm_kb").asLong()).isEqualTo(536_900);
    assertThat(victim.get("anon_rss_kb").asLong()).isEqualTo(473_048);
    assertThat(victim.get("file_rss_kb").asLong()).isEqualTo(644);
    assertThat(victim.get("shmem_rss_kb").asLong()).isEqualTo(64);
    assertThat(victim.get("uid").asLong()).isZero();
    assertThat(victim.get("pgtables_kb").asLong()).isEqualTo(1016);
    assertThat(victim.get("oom_score_adj").asInt()).isEqualTo(1000);
    assertThat(victim.get("score").isNull()).isTrue();

    assertThat(r.at("/group_kill/cgroup").asText()).isEqualTo(TASK_CGROUP);
    assertThat(r.at("/group_kill/killed")).hasSize(1);
    assertThat(r.at("/group_kill/killed/0/pid").asLong()).isEqualTo(716_581);
    assertThat(r.at("/group_kill/killed/0/comm").asText()).isEqualTo("stress-ng");
    assertThat(r.at("/group_kill/killed/0/anon_rss_kb").asLong()).isEqualTo(2_048);

    assertThat(r.get("reaped").asBoolean()).isTrue();
    assertThat(r.get("panic").isNull()).isTrue();
    assertThat(r.get("no_killable_processes").asBoolean()).isFalse();

    JsonNode workload = r.get("workload");
    assertThat(workload.get("kind").asText()).isEqualTo("container");
    assertThat(workload.get("cgroup").asText()).isEqualTo(TASK_CGROUP);
    assertThat(workload.get("pod_uid").asText()).isEqualTo(POD_UID);
    assertThat(workload.get("container_id").asText()).isEqualTo(CONTAINER_ID);
    assertThat(workload.get("runtime").asText()).isEqualTo("containerd");
    assertThat(workload.get("qos_class").asText()).isEqualTo("Burstable");
    assertThat(workload.get("unit").asText())
        .isEqualTo("cri-containerd-" + CONTAINER_ID + ".scope");
    assertThat(workload.get("kubevirt").asBoolean()).isTrue();
  }

  @Test
  void report_keyOrderIsFixed() throws Exception {
    List<String> expected =
        List.of(
            "source",
            "host",
            "time",
            "kernel",
            "hardware",
            "complete",
            "trigger",
            "constraint",
            "scope",
            "cpuset",
            "mems_allowed",
            "oom_memcg",
            "task_memcg",
            "memcg",
            "host_memory",
            "tasks",
            "victim",
            "group_kill",
            "reaped",
            "panic",
            "no_killable_processes",
            "workload");
    JsonNode full = parse(write(false, w -> w.report(fullMemcgReport()))).at("/reports/0");
    JsonNode sparse = parse(write(false, w -> w.report(sparseReport(3)))).at("/reports/0");
    assertThat(keys(full)).containsExactlyElementsOf(expected);
    assertThat(keys(sparse)).containsExactlyElementsOf(expected);
    assertThat(keys(full.get("workload")))
        .containsExactly(
            "kind",
            "cgroup",
            "pod_uid",
            "container_id",
            "runtime",
            "qos_class",
            "unit",
            "kubevirt");
    assertThat(keys(full.get("time"))).containsExactly("monotonic_s", "wallclock", "year_inferred");
  }

  @Test
  void report_emptyPartsAreNullNotMissing() throws Exception {
    JsonNode r = parse(write(false, w -> w.report(sparseReport(7)))).at("/reports/0");
    for (String key :
        List.of(
            "host",
            "kernel",
            "hardware",
            "trigger",
            "constraint",
            "scope",
            "cpuset",
            "mems_allowed",
            "oom_memcg",
            "task_memcg",
            "memcg",
            "host_memory",
            "group_kill",
            "reaped",
            "panic")) {
      assertThat(r.get(key)).as(key).isNotNull();
      assertThat(r.get(key).isNull()).as(key).isTrue();
    }
    assertThat(r.at("/time/monotonic_s").isNull()).isTrue();
    assertThat(r.at("/time/wallclock").isNull()).isTrue();
    assertThat(r.get("complete").asBoolean()).isFalse();
    assertThat(r.get("tasks").isArray()).isTrue();
    assertThat(r.get("tasks")).isEmpty();
    JsonNode victim = r.get("victim");
    assertThat(victim.get("pid").asLong()).isEqualTo(6576);
    for (String key :
        List.of(
            "total_vm_kb",
            "anon_rss_kb",
            "file_rss_kb",
            "shmem_rss_kb",
            "uid",
            "pgtables_kb",
            "oom_score_adj",
            "score")) {
      assertThat(victim.get(key).isNull()).as(key).isTrue();
    }
    JsonNode workload = r.get("workload");
    assertThat(workload.get("kind").asText()).isEqualTo("other");
    for (String key :
        List.of("cgroup", "pod_uid", "container_id", "runtime", "qos_class", "unit")) {
      assertThat(workload.get(key).isNull()).as(key).isTrue();
    }
    assertThat(workload.get("kubevirt").asBoolean()).isFalse();
  }

  @Test
  void report_monotonicSecondsKeepSixDecimals() {
    OomReport base = sparseReport(1);
    OomReport r =
        new OomReport(
            base.source(),
            base.host(),
            new LogTime(OptionalDouble.of(12.5), Optional.empty(), false),
            base.kernel(),
            base.complete(),
            base.trigger(),
            base.constraint(),
            base.scope(),
            base.cpuset(),
            base.memsAllowed(),
            base.oomMemcg(),
            base.taskMemcg(),
            base.memcg(),
            base.hostMemory(),
            base.tasks(),
            base.victim(),
            base.groupKill(),
            base.reaped(),
            base.panic(),
            base.noKillableProcesses(),
            base.hardware(),
            base.workload(),
            base.lines(),
            base.nodemask(),
            base.workFunction(),
            base.factLines(),
            base.pageSizeBytes());
    assertThat(write(false, w -> w.report(r))).contains("\"monotonic_s\":12.500000,");
    assertThat(write(false, w -> w.report(fullMemcgReport())))
        .contains("\"monotonic_s\":36370.036881,");
  }

  @Test
  void report_constraintOnlyAPatchedKernelPrints_writtenAsPrinted() throws Exception {
    OomReport base = sparseReport(1);
    OomReport r =
        new OomReport(
            base.source(),
            base.host(),
            base.time(),
            base.kernel(),
            base.complete(),
            base.trigger(),
            Optional.of(new Constraint("CONSTRAINT_BPF_PSI_MEM")),
            Optional.of(OomScope.MEMCG),
            base.cpuset(),
            base.memsAllowed(),
            base.oomMemcg(),
            base.taskMemcg(),
            base.memcg(),
            base.hostMemory(),
            base.tasks(),
            base.victim(),
            base.groupKill(),
            base.reaped(),
            base.panic(),
            base.noKillableProcesses(),
            base.hardware(),
            base.workload(),
            base.lines(),
            base.nodemask(),
            base.workFunction(),
            base.factLines(),
            base.pageSizeBytes());
    JsonNode report = parse(write(true, w -> w.report(r))).at("/reports/0");
    assertThat(report.get("constraint").asText()).isEqualTo("CONSTRAINT_BPF_PSI_MEM");
    assertThat(report.get("scope").asText()).isEqualTo("memcg");
  }

  @Test
  void report_hostMemoryObject() throws Exception {
    OomReport base = sparseReport(1);
    OomReport r =
        new OomReport(
            base.source(),
            base.host(),
            base.time(),
            base.kernel(),
            base.complete(),
            base.trigger(),
            Optional.of(Constraint.CONSTRAINT_NONE),
            Optional.of(OomScope.GLOBAL),
            base.cpuset(),
            base.memsAllowed(),
            base.oomMemcg(),
            base.taskMemcg(),
            base.memcg(),
            Optional.of(hostMemory()),
            base.tasks(),
            base.victim(),
            base.groupKill(),
            base.reaped(),
            Optional.of("Out of memory: system-wide panic_on_oom is enabled"),
            true,
            base.hardware(),
            base.workload(),
            base.lines(),
            base.nodemask(),
            base.workFunction(),
            base.factLines(),
            base.pageSizeBytes());
    JsonNode report = parse(write(true, w -> w.report(r))).at("/reports/0");
    assertThat(report.get("scope").asText()).isEqualTo("global");
    assertThat(report.get("panic").asText())
        .isEqualTo("Out of memory: system-wide panic_on_oom is enabled");
    assertThat(report.get("no_killable_processes").asBoolean()).isTrue();
    JsonNode h = report.get("host_memory");
    assertThat(keys(h))
        .containsExactly(
            "counters_pages",
            "zones",
            "hugepages",
            "pagecache_pages",
            "swap_cache_pages",
            "free_swap_kb",
            "total_swap_kb",
            "ram_pages",
            "reserved_pages",
            "cma_reserved_pages",
            "highmem_pages",
            "hwpoisoned_pages",
            "unreclaimable_slab");
    assertThat(keys(h.get("counters_pages")))
        .containsExactly("active_anon", "free", "inactive_anon");
    assertThat(h.at("/counters_pages/active_anon").asLong()).isEqualTo(3_905_431L);
    assertThat(h.at("/zones/0/node").asInt()).isZero();
    assertThat(h.at("/zones/0/zone").asText()).isEqualTo("Normal");
    assertThat(h.at("/zones/0/free_kb").asLong()).isEqualTo(44_620);
    assertThat(h.at("/zones/0/min_kb").asLong()).isEqualTo(44_684);
    assertThat(h.at("/zones/0/low_kb").asLong()).isEqualTo(60_628);
    assertThat(h.at("/zones/0/high_kb").asLong()).isEqualTo(76_572);
    assertThat(h.at("/zones/0/present_kb").asLong()).isEqualTo(16_252_928);
    assertThat(h.at("/zones/0/managed_kb").isNull()).isTrue();
    assertThat(h.at("/hugepages/0/size_kb").asLong()).isEqualTo(2048);
    assertThat(h.at("/hugepages/0/total").asLong()).isZero();
    assertThat(h.get("pagecache_pages").asLong()).isEqualTo(11_432);
    assertThat(h.get("swap_cache_pages").asLong()).isZero();
    assertThat(h.get("free_swap_kb").asLong()).isZero();
    assertThat(h.get("total_swap_kb").asLong()).isZero();
    assertThat(h.get("ram_pages").asLong()).isEqualTo(4_194_174);
    assertThat(h.get("reserved_pages").asLong()).isEqualTo(88_123);
    assertThat(h.get("cma_reserved_pages").isNull()).isTrue();
    assertThat(h.at("/unreclaimable_slab/0/name").asText()).isEqualTo("kmalloc-2k");
    assertThat(h.at("/unreclaimable_slab/0/used_kb").asLong()).isEqualTo(30_112);
    assertThat(h.at("/unreclaimable_slab/0/total_kb").asLong()).isEqualTo(30_240);
  }

  @Test
  void close_writesAllocFailuresAndProblemsAfterReports() throws Exception {
    String json =
        write(
            false,
            w -> {
              w.problem(new Problem(FILE, 3, "unreadable task row"));
              w.allocFailure(allocFailure());
              w.report(sparseReport(5));
              w.problem(new Problem(FILE, 0, "input ended inside a report"));
            });
    JsonNode root = parse(json);
    assertThat(keys(root))
        .containsExactly(
            "schema_version",
            "reports",
            "alloc_failures",
            "alloc_failures_dropped",
            "problems",
            "problems_dropped");
    assertThat(root.get("reports")).hasSize(1);
    JsonNode f = root.at("/alloc_failures/0");
    assertThat(f.at("/source/first_line").asLong()).isEqualTo(70);
    assertThat(f.at("/source/last_line").asLong()).isEqualTo(90);
    assertThat(f.get("host").asText()).isEqualTo("hv1");
    assertThat(f.at("/time/monotonic_s").decimalValue()).isEqualByComparingTo("12.5");
    assertThat(f.get("comm").asText()).isEqualTo("kworker/0:1");
    assertThat(f.get("pid").asLong()).isEqualTo(12);
    assertThat(f.get("order").asInt()).isEqualTo(9);
    assertThat(f.get("gfp_mask").asText()).isEqualTo("0x400cc0(GFP_KERNEL_ACCOUNT)");
    assertThat(f.get("kind").asText()).isEqualTo("vmemmap alloc");
    assertThat(f.at("/host_memory/ram_pages").asLong()).isEqualTo(4_194_174);
    assertThat(root.get("alloc_failures_dropped").asLong()).isZero();
    assertThat(root.get("problems")).hasSize(2);
    assertThat(root.at("/problems/0/file").asText()).isEqualTo(FILE);
    assertThat(root.at("/problems/0/line").asLong()).isEqualTo(3);
    assertThat(root.at("/problems/0/message").asText()).isEqualTo("unreadable task row");
    assertThat(root.at("/problems/1/line").asLong()).isZero();
    assertThat(root.get("problems_dropped").asLong()).isZero();
  }

  @Test
  void close_withNothingFed_writesAnEmptyDocument() throws Exception {
    String json = write(false, w -> {});
    assertThat(json)
        .isEqualTo(
            "{\"schema_version\":1,\"reports\":[],\"alloc_failures\":[],"
                + "\"alloc_failures_dropped\":0,\"problems\":[],\"problems_dropped\":0}\n");
  }

  @Test
  void report_isFlushedToTheStreamBeforeClose() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    JsonReportWriter writer = new JsonReportWriter(out, false);
    writer.report(sparseReport(11));
    String soFar = out.toString(UTF_8);
    assertThat(soFar).contains("\"first_line\":11").contains("\"comm\":\"mysqld\"");
    writer.problem(new Problem(FILE, 12, "late"));
    assertThat(out.toString(UTF_8)).isEqualTo(soFar);
    writer.report(sparseReport(13));
    assertThat(out.toString(UTF_8)).startsWith(soFar).contains("\"first_line\":13");
    writer.close();
    assertThat(parse(out.toString(UTF_8)).get("reports")).hasSize(2);
  }

  @Test
  void problem_keepsTheFirstTenThousandAndCountsTheRest() throws Exception {
    int fed = JsonReportWriter.MAX_BUFFERED + 1234;
    JsonNode root =
        parse(
            write(
                false,
                w -> {
                  for (int i = 1; i <= fed; i++) {
                    w.problem(new Problem(FILE, i, "bad line " + i));
                  }
                }));
    assertThat(root.get("problems")).hasSize(JsonReportWriter.MAX_BUFFERED);
    assertThat(root.at("/problems/0/line").asLong()).isEqualTo(1);
    assertThat(root.at("/problems/9999/line").asLong()).isEqualTo(10_000);
    assertThat(root.at("/problems/9999/message").asText()).isEqualTo("bad line 10000");
    assertThat(root.get("problems_dropped").asLong()).isEqualTo(1234);
  }

  @Test
  void allocFailure_keepsTheFirstTenThousandAndCountsTheRest() throws Exception {
    AllocFailure failure = allocFailure();
    JsonNode root =
        parse(
            write(
                false,
                w -> {
                  for (int i = 0; i < JsonReportWriter.MAX_BUFFERED + 3; i++) {
                    w.allocFailure(failure);
                  }
                }));
    assertThat(root.get("alloc_failures")).hasSize(JsonReportWriter.MAX_BUFFERED);
    assertThat(root.get("alloc_failures_dropped").asLong()).isEqualTo(3);
  }

  @Test
  void close_twiceIsHarmlessAndFeedingAfterCloseFails() {
    StringWriter out = new StringWriter();
    JsonReportWriter writer = new JsonReportWriter(out, true);
    writer.close();
    String once = out.toString();
    writer.close();
    assertThat(out.toString()).isEqualTo(once);
    assertThatThrownBy(() -> writer.report(sparseReport(1)))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> writer.problem(new Problem(FILE, 1, "x")))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void write_prettyAndCompactHoldTheSameDocument() throws Exception {
    java.util.function.Consumer<JsonReportWriter> body =
        w -> {
          w.report(fullMemcgReport());
          w.allocFailure(allocFailure());
          w.problem(new Problem(FILE, 9, "x"));
        };
    String pretty = write(true, body);
    String compact = write(false, body);
    assertThat(pretty).contains("\n  \"reports\": [\n");
    assertThat(compact).doesNotContain("\n  ");
    assertThat(parse(pretty)).isEqualTo(parse(compact));
    assertThat(write(true, body)).isEqualTo(pretty);
  }

  @Test
  void report_escapesCommNames() throws Exception {
    OomReport base = sparseReport(1);
    Victim v = base.victim().orElseThrow();
    Victim odd =
        new Victim(
            v.pid(),
            "a\"b\\c\u0001 (x)",
            v.totalVmBytes(),
            v.anonRssBytes(),
            v.fileRssBytes(),
            v.shmemRssBytes(),
            v.uid(),
            v.pgtablesBytes(),
            v.oomScoreAdj(),
            v.score(),
            v.source());
    OomReport r =
        new OomReport(
            base.source(),
            base.host(),
            base.time(),
            base.kernel(),
            base.complete(),
            base.trigger(),
            base.constraint(),
            base.scope(),
            base.cpuset(),
            base.memsAllowed(),
            base.oomMemcg(),
            base.taskMemcg(),
            base.memcg(),
            base.hostMemory(),
            base.tasks(),
            Optional.of(odd),
            base.groupKill(),
            base.reaped(),
            base.panic(),
            base.noKillableProcesses(),
            base.hardware(),
            base.workload(),
            base.lines(),
            base.nodemask(),
            base.workFunction(),
            base.factLines(),
            base.pageSizeBytes());
    JsonNode node = parse(write(false, w -> w.report(r)));
    assertThat(node.at("/reports/0/victim/comm").asText()).isEqualTo("a\"b\\c\u0001 (x)");
  }

  @Test
  void write_controlBidiAndInvisibleCharacters_escapedAndReadBackExactly() throws Exception {
    String hostile =
        "x\u001b[31m\u007f\u0085\u202e\u2028\ufeff\u200b\udb40\udc41\ud83d\ude00\u00e9";
    String escaped =
        "x\\u001B[31m\\u007F\\u0085\\u202E\\u2028\\uFEFF\\u200B\\uDB40\\uDC41"
            + "\\uD83D\\uDE00\u00e9";
    String text = write(false, w -> w.problem(new Problem("f\u009b.log", 3, hostile)));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    JsonReportWriter binary = new JsonReportWriter(bytes, false);
    binary.problem(new Problem("f\u009b.log", 3, hostile));
    binary.close();

    for (String doc : List.of(text, bytes.toString(UTF_8))) {
      assertThat(doc).contains("\"" + escaped + "\"").contains("\"f\\u009B.log\"");
      JsonNode problem = parse(doc).at("/problems/0");
      assertThat(problem.get("message").asText()).isEqualTo(hostile);
      assertThat(problem.get("file").asText()).isEqualTo("f\u009b.log");
    }
  }
}
