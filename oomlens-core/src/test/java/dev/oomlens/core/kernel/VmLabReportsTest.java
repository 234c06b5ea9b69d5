package dev.oomlens.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.model.AllocFailure;
import dev.oomlens.core.model.Constraint;
import dev.oomlens.core.model.GroupKill;
import dev.oomlens.core.model.KiB;
import dev.oomlens.core.model.KilledTask;
import dev.oomlens.core.model.MemcgState;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.model.SourceRange;
import dev.oomlens.core.model.TaskRow;
import dev.oomlens.core.model.Trigger;
import dev.oomlens.core.model.Victim;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden test of the kernel-log reader on OOM reports produced for real by Debian's 6.1 kernel in
 * the vmlab QEMU VM ({@code oomlens-host/src/test/vmlab}).
 *
 * <p>Each {@code vmlab/<scenario>/} resource holds the same kernel log twice, as {@code dmesg} text
 * ({@code dmesg.log}) and as {@code /dev/kmsg} records ({@code kmsg.log}), and the fields of its
 * one OOM report read by hand ({@code expected.json}: the corpus manifest's {@code expected} shape
 * plus {@code trigger_pid}, {@code order} and, for group kills, {@code group_kill_cgroup} and
 * {@code group_kill_pids}). {@code null} means the report does not say.
 */
class VmLabReportsTest {

  /*
   * The scenarios the harness captures; a missing folder is a lost fixture, not a smaller test.
   */
  private static final List<String> SCENARIOS =
      List.of(
          "cgv2-container-limit",
          "cgv2-kube-pod-oom-group",
          "cgv2-memory-high-throttle",
          "cgv2-oom-group",
          "host-oom-no-swap",
          "host-oom-zram",
          "sysrq-oom",
          "thrashing");

  private static final ReaderOptions OPTIONS = new ReaderOptions(LocalDate.of(2026, 11, 23));

  static Stream<String> scenarios() {
    return SCENARIOS.stream();
  }

  @Test
  void resources_holdEveryScenario() throws Exception {
    Path root = resource("");
    try (Stream<Path> dirs = Files.list(root)) {
      assertThat(dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted())
          .containsExactlyElementsOf(SCENARIOS);
    }
    for (String scenario : SCENARIOS) {
      for (String file : List.of("dmesg.log", "kmsg.log", "expected.json", "SOURCE.md")) {
        assertThat(resource(scenario).resolve(file)).as(scenario + "/" + file).isRegularFile();
      }
    }
  }

  @ParameterizedTest
  @MethodSource("scenarios")
  void read_dmesgMatchesExpected(String scenario) throws Exception {
    checkExpected(scenario, "dmesg.log");
  }

  @ParameterizedTest
  @MethodSource("scenarios")
  void read_kmsgMatchesExpected(String scenario) throws Exception {
    checkExpected(scenario, "kmsg.log");
  }

  @ParameterizedTest
  @MethodSource("scenarios")
  void read_dmesgAndKmsgGiveTheSameReport(String scenario) throws Exception {
    Collected dmesg = read(resource(scenario).resolve("dmesg.log"));
    Collected kmsg = read(resource(scenario).resolve("kmsg.log"));
    assertThat(dmesg.reports).hasSize(1);
    assertThat(kmsg.reports).hasSize(1);
    OomReport fromDmesg = dmesg.reports.get(0);
    OomReport fromKmsg = kmsg.reports.get(0);
    // Line numbers and the framed text differ between the two files; every fact must not, except
    // the memcg stat block. The kernel prints it as one multi-line record: /dev/kmsg keeps it
    // whole, but syslog(2), which dmesg reads, formats each record into 1024 bytes with the
    // timestamp repeated on every line and drops the lines that do not fit, so dmesg.log holds
    // only the first keys.
    assertThat(withoutMemcgStat(facts(fromKmsg))).isEqualTo(withoutMemcgStat(facts(fromDmesg)));
    assertThat(fromKmsg.memcg().isPresent()).isEqualTo(fromDmesg.memcg().isPresent());
    if (fromKmsg.memcg().isPresent()) {
      MemcgState whole = fromKmsg.memcg().orElseThrow();
      MemcgState cut = fromDmesg.memcg().orElseThrow();
      // memory.stat of 6.1 ends with the THP event counters
      assertThat(whole.stat()).containsKeys("anon", "pgfault", "thp_collapse_alloc");
      assertThat(cut.stat()).containsKey("anon");
      assertThat(whole.stat()).containsAllEntriesOf(cut.stat());
      assertThat(whole.statByCgroup().keySet()).isEqualTo(cut.statByCgroup().keySet());
    }
  }

  @ParameterizedTest
  @MethodSource("scenarios")
  void read_kmsgKeepsTheWholeMemcgStat(String scenario) throws Exception {
    Path dir = resource(scenario);
    OomReport r = read(dir.resolve("kmsg.log")).reports.get(0);
    if (r.memcg().isEmpty()) {
      assertThat(r.constraint()).as(scenario).contains(Constraint.CONSTRAINT_NONE);
      return;
    }
    // kmsg.log holds the record on one line, \x0a between the keys: count them apart from the
    // reader.
    String record =
        Files.readAllLines(dir.resolve("kmsg.log")).stream()
            .filter(l -> l.contains(";anon "))
            .findFirst()
            .orElseThrow();
    int keys = record.split("\\\\x0a", -1).length;
    assertThat(r.memcg().orElseThrow().stat()).as(scenario).hasSize(keys);
  }

  private static void checkExpected(String scenario, String file) throws Exception {
    Map<String, Object> expected =
        FlatJson.parse(Files.readString(resource(scenario).resolve("expected.json")));
    Collected got = read(resource(scenario).resolve(file));

    assertThat(got.problems).as("problems reading %s/%s", scenario, file).isEmpty();
    assertThat(got.allocFailures).as("allocation failures in %s/%s", scenario, file).isEmpty();
    assertThat(got.reports).as("OOM reports in %s/%s", scenario, file).hasSize(1);
    OomReport r = got.reports.get(0);
    Optional<Victim> v = r.victim();
    Optional<MemcgState> m = r.memcg();

    SoftAssertions soft = new SoftAssertions();
    soft.assertThat(r.complete()).as("complete").isTrue();
    soft.assertThat(r.kernel()).as("kernel").contains("6.1.0-56-cloud-amd64");
    field(soft, expected, "trigger_comm", r.trigger().map(Trigger::comm));
    field(soft, expected, "trigger_pid", boxed(r.trigger().map(Trigger::pid)));
    field(soft, expected, "order", boxedInt(r.order()));
    field(soft, expected, "victim_pid", v.map(Victim::pid));
    field(soft, expected, "victim_comm", v.map(Victim::comm));
    field(soft, expected, "victim_anon_rss_kb", kb(boxed(v.map(Victim::anonRssBytes))));
    field(soft, expected, "victim_file_rss_kb", kb(boxed(v.map(Victim::fileRssBytes))));
    field(soft, expected, "victim_shmem_rss_kb", kb(boxed(v.map(Victim::shmemRssBytes))));
    field(
        soft,
        expected,
        "victim_oom_score_adj",
        v.map(Victim::oomScoreAdj).filter(OptionalInt::isPresent).map(o -> (long) o.getAsInt()));
    field(soft, expected, "constraint", r.constraint().map(Constraint::name));
    field(soft, expected, "oom_memcg", r.oomMemcg());
    field(soft, expected, "task_memcg", r.taskMemcg());
    field(soft, expected, "memcg_usage_kb", m.map(x -> KiB.fromBytes(x.usageBytes())));
    field(soft, expected, "memcg_limit_kb", m.map(x -> KiB.fromBytes(x.limitBytes())));
    field(soft, expected, "kubernetes_pod_uid", r.workload().podUid());
    field(soft, expected, "container_id", r.workload().containerId());
    field(soft, expected, "qos_class", r.workload().qosClass().map(Enum::name));
    field(soft, expected, "reaped", r.reaped());
    if (expected.containsKey("group_kill_pids")) {
      field(soft, expected, "group_kill_cgroup", r.groupKill().map(GroupKill::cgroup));
      List<Long> killedPids =
          r.groupKill().map(g -> g.killed().stream().map(KilledTask::pid).toList()).orElse(null);
      soft.assertThat(killedPids).as("group_kill_pids").isEqualTo(expected.get("group_kill_pids"));
    } else {
      soft.assertThat(r.groupKill()).as("groupKill").isEmpty();
    }
    soft.assertAll();
  }

  /** Bytes as the kB {@code expected.json} was read in. */
  private static Optional<Long> kb(Optional<Long> bytes) {
    return bytes.map(KiB::fromBytes);
  }

  private static void field(
      SoftAssertions soft, Map<String, Object> expected, String key, Optional<?> actual) {
    assertThat(expected).as("expected.json").containsKey(key);
    soft.assertThat(actual.orElse(null)).as(key).isEqualTo(expected.get(key));
  }

  private static Optional<Long> boxed(Optional<OptionalLong> value) {
    return value.filter(OptionalLong::isPresent).map(OptionalLong::getAsLong);
  }

  private static Optional<Long> boxedInt(OptionalInt value) {
    return value.isPresent() ? Optional.of((long) value.getAsInt()) : Optional.empty();
  }

  private static Path resource(String relative) throws URISyntaxException {
    return Path.of(VmLabReportsTest.class.getResource("/vmlab").toURI()).resolve(relative);
  }

  private static Collected read(Path path) throws IOException {
    Collected c = new Collected();
    new KernelLogReader(OPTIONS).read(path, c);
    return c;
  }

  /**
   * A report as plain values, without where its lines stood: {@link SourceLine}, {@link
   * SourceRange} and the quoted {@code lines} are left out, everything else is kept, nested records
   * included.
   */
  private static Object facts(Object value) {
    if (value instanceof SourceLine || value instanceof SourceRange) {
      return "<source>";
    }
    if (value instanceof TaskRow t) {
      // A class with a record's accessors (it keeps its columns as primitives), not a record.
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("pid", t.pid());
      out.put("uid", facts(t.uid()));
      out.put("tgid", facts(t.tgid()));
      out.put("totalVmBytes", t.totalVmBytes());
      out.put("rssBytes", t.rssBytes());
      out.put("rssAnonBytes", facts(t.rssAnonBytes()));
      out.put("rssFileBytes", facts(t.rssFileBytes()));
      out.put("rssShmemBytes", facts(t.rssShmemBytes()));
      out.put("pgtablesBytes", facts(t.pgtablesBytes()));
      out.put("nrPtesBytes", facts(t.nrPtesBytes()));
      out.put("nrPmdsBytes", facts(t.nrPmdsBytes()));
      out.put("swapBytes", facts(t.swapBytes()));
      out.put("oomScoreAdj", t.oomScoreAdj());
      out.put("comm", t.comm());
      out.put("source", facts(t.source()));
      return out;
    }
    if (value instanceof Record rec) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (RecordComponent c : rec.getClass().getRecordComponents()) {
        if (rec instanceof OomReport && c.getName().equals("lines")) {
          continue;
        }
        try {
          out.put(c.getName(), facts(c.getAccessor().invoke(rec)));
        } catch (ReflectiveOperationException e) {
          throw new AssertionError(e);
        }
      }
      return out;
    }
    if (value instanceof Optional<?> o) {
      return o.map(VmLabReportsTest::facts).orElse(null);
    }
    if (value instanceof OptionalLong o) {
      return o.isPresent() ? o.getAsLong() : null;
    }
    if (value instanceof OptionalInt o) {
      return o.isPresent() ? o.getAsInt() : null;
    }
    if (value instanceof OptionalDouble o) {
      return o.isPresent() ? o.getAsDouble() : null;
    }
    if (value instanceof List<?> l) {
      return l.stream().map(VmLabReportsTest::facts).toList();
    }
    if (value instanceof Map<?, ?> map) {
      Map<Object, Object> out = new LinkedHashMap<>();
      map.forEach((k, x) -> out.put(k, facts(x)));
      return out;
    }
    return value;
  }

  @SuppressWarnings("unchecked")
  private static Object withoutMemcgStat(Object reportFacts) {
    Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) reportFacts);
    if (copy.get("memcg") instanceof Map<?, ?> memcg) {
      Map<String, Object> m = new LinkedHashMap<>((Map<String, Object>) memcg);
      m.remove("statBlocks");
      copy.put("memcg", m);
    }
    return copy;
  }

  /** What one read delivered, in order. */
  private static final class Collected implements KernelLogSink {
    final List<OomReport> reports = new ArrayList<>();
    final List<AllocFailure> allocFailures = new ArrayList<>();
    final List<Problem> problems = new ArrayList<>();

    @Override
    public void report(OomReport report) {
      reports.add(report);
    }

    @Override
    public void allocFailure(AllocFailure failure) {
      allocFailures.add(failure);
    }

    @Override
    public void problem(Problem problem) {
      problems.add(problem);
    }
  }

  /**
   * Reader of the flat JSON objects in {@code expected.json}: string, integer, boolean and null
   * values, and arrays of integers.
   */
  private static final class FlatJson {
    private final String s;
    private int i;

    private FlatJson(String s) {
      this.s = s;
    }

    static Map<String, Object> parse(String text) {
      FlatJson p = new FlatJson(text);
      Map<String, Object> out = new LinkedHashMap<>();
      p.expect('{');
      if (p.peek() == '}') {
        p.i++;
        return out;
      }
      do {
        String key = p.string();
        p.expect(':');
        out.put(key, p.value());
      } while (p.comma('}'));
      return out;
    }

    private Object value() {
      char c = peek();
      if (c == '"') {
        return string();
      }
      if (c == '[') {
        i++;
        List<Long> items = new ArrayList<>();
        if (peek() == ']') {
          i++;
          return items;
        }
        do {
          items.add(number());
        } while (comma(']'));
        return items;
      }
      for (String word : List.of("null", "true", "false")) {
        if (s.startsWith(word, i)) {
          i += word.length();
          return word.equals("null") ? null : Boolean.valueOf(word);
        }
      }
      return number();
    }

    private long number() {
      peek();
      int start = i;
      while (i < s.length() && (s.charAt(i) == '-' || Character.isDigit(s.charAt(i)))) {
        i++;
      }
      return Long.parseLong(s.substring(start, i));
    }

    private String string() {
      expect('"');
      StringBuilder b = new StringBuilder();
      while (s.charAt(i) != '"') {
        char c = s.charAt(i++);
        if (c == '\\') {
          c = s.charAt(i++);
        }
        b.append(c);
      }
      i++;
      return b.toString();
    }

    private boolean comma(char close) {
      char c = peek();
      i++;
      if (c == ',') {
        return true;
      }
      if (c != close) {
        throw new IllegalArgumentException("expected ',' or '" + close + "' at " + (i - 1));
      }
      return false;
    }

    private void expect(char c) {
      if (peek() != c) {
        throw new IllegalArgumentException("expected '" + c + "' at " + i);
      }
      i++;
    }

    private char peek() {
      while (Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      return s.charAt(i);
    }
  }
}
