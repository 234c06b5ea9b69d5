package dev.oomlens.core.kernel;

import static dev.oomlens.core.kernel.ReportTestLines.assemble;
import static dev.oomlens.core.kernel.ReportTestLines.resource;
import static dev.oomlens.core.kernel.ReportTestLines.unframed;

import dev.oomlens.core.model.AllocFailure;
import dev.oomlens.core.model.Constraint;
import dev.oomlens.core.model.KiB;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.OomScope;
import dev.oomlens.core.model.Victim;
import dev.oomlens.core.model.Workload;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every corpus file checked against the hand-read {@code expected} fields of {@code
 * corpus/manifest.json}: read byte for byte through {@link KernelLogReader} (framer, filter and
 * assembler together), and fed unframed to the assembler alone.
 */
class CorpusTest {

  @SuppressWarnings("unchecked")
  static Stream<Arguments> manifest() {
    List<Object> entries = (List<Object>) ReportTestJson.parse(resource("corpus/manifest.json"));
    return entries.stream()
        .map(
            e -> {
              Map<String, Object> entry = (Map<String, Object>) e;
              return Arguments.of(entry.get("file"), entry);
            });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("manifest")
  void read_corpusFile_matchesManifest(String file, Map<String, Object> entry) throws Exception {
    ReportTestLines.Collected out = new ReportTestLines.Collected();
    new KernelLogReader(new ReaderOptions(LocalDate.of(2026, 11, 23))).read(corpusPath(file), out);
    check(entry, out);
  }

  /**
   * The same files with their framing stripped by the test support code, fed to the assembler as
   * bare lines through the reader's oom/ill/failure filter: the assembler alone must agree.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("manifest")
  void accept_unframedCorpusFile_matchesManifest(String file, Map<String, Object> entry) {
    check(entry, assemble(unframed(file, resource("corpus/" + file))));
  }

  @SuppressWarnings("unchecked")
  private static void check(Map<String, Object> entry, ReportTestLines.Collected out) {
    Map<String, Object> expected = (Map<String, Object>) entry.get("expected");
    SoftAssertions soft = new SoftAssertions();
    soft.assertThat(out.problems).as("problems").isEmpty();
    if ("alloc-failure".equals(entry.get("scope"))) {
      soft.assertThat(out.reports).as("reports").isEmpty();
      soft.assertThat(out.allocFailures).as("alloc failures").hasSize(1);
      if (!out.allocFailures.isEmpty()) {
        AllocFailure a = out.allocFailures.getFirst();
        soft.assertThat(a.comm()).as("comm").isEqualTo(expected.get("trigger_comm"));
        soft.assertThat(a.hostMemory()).as("show_mem").isPresent();
      }
      soft.assertAll();
      return;
    }
    OomReport r =
        out.reports.stream()
            .filter(x -> x.trigger().isPresent())
            .findFirst()
            .orElseThrow(() -> new AssertionError("no report with a trigger: " + out.reports));
    soft.assertThat(r.complete()).as("complete").isTrue();
    soft.assertThat(r.trigger().map(t -> t.comm()))
        .as("trigger_comm")
        .isEqualTo(Optional.ofNullable(expected.get("trigger_comm")));
    Optional<Victim> v = r.victim();
    soft.assertThat(v.map(Victim::pid))
        .as("victim_pid")
        .isEqualTo(Optional.ofNullable(expected.get("victim_pid")));
    soft.assertThat(v.map(Victim::comm))
        .as("victim_comm")
        .isEqualTo(Optional.ofNullable(expected.get("victim_comm")));
    soft.assertThat(kb(v.map(Victim::anonRssBytes)))
        .as("victim_anon_rss_kb")
        .isEqualTo(optLong(expected.get("victim_anon_rss_kb")));
    soft.assertThat(kb(v.map(Victim::fileRssBytes)))
        .as("victim_file_rss_kb")
        .isEqualTo(optLong(expected.get("victim_file_rss_kb")));
    soft.assertThat(kb(v.map(Victim::shmemRssBytes)))
        .as("victim_shmem_rss_kb")
        .isEqualTo(optLong(expected.get("victim_shmem_rss_kb")));
    Object adj = expected.get("victim_oom_score_adj");
    soft.assertThat(v.map(Victim::oomScoreAdj).orElse(OptionalInt.empty()))
        .as("victim_oom_score_adj")
        .isEqualTo(adj == null ? OptionalInt.empty() : OptionalInt.of(((Long) adj).intValue()));
    soft.assertThat(r.constraint().map(Constraint::name))
        .as("constraint")
        .isEqualTo(Optional.ofNullable(expected.get("constraint")));
    soft.assertThat(r.oomMemcg())
        .as("oom_memcg")
        .isEqualTo(Optional.ofNullable(expected.get("oom_memcg")));
    soft.assertThat(r.taskMemcg())
        .as("task_memcg")
        .isEqualTo(Optional.ofNullable(expected.get("task_memcg")));
    soft.assertThat(r.memcg().map(m -> KiB.fromBytes(m.usageBytes())))
        .as("memcg_usage_kb")
        .isEqualTo(Optional.ofNullable(expected.get("memcg_usage_kb")));
    soft.assertThat(r.memcg().map(m -> KiB.fromBytes(m.limitBytes())))
        .as("memcg_limit_kb")
        .isEqualTo(Optional.ofNullable(expected.get("memcg_limit_kb")));
    soft.assertThat(r.reaped()).as("reaped").isEqualTo(Optional.ofNullable(expected.get("reaped")));
    soft.assertThat(r.scope())
        .as("scope")
        .isEqualTo(Optional.of(scope((String) entry.get("scope"))));
    {
      Workload w = r.workload();
      soft.assertThat(w.podUid())
          .as("kubernetes_pod_uid")
          .isEqualTo(Optional.ofNullable(expected.get("kubernetes_pod_uid")));
      soft.assertThat(w.containerId())
          .as("container_id")
          .isEqualTo(Optional.ofNullable(expected.get("container_id")));
      soft.assertThat(w.qosClass().map(Enum::name))
          .as("qos_class")
          .isEqualTo(Optional.ofNullable(expected.get("qos_class")));
    }
    Map<String, Object> tail = (Map<String, Object>) entry.get("earlier_kill_tail");
    if (tail != null) {
      OomReport t = out.reports.getFirst();
      soft.assertThat(t.complete()).as("tail complete").isFalse();
      soft.assertThat(t.victim().map(Victim::pid))
          .as("tail victim_pid")
          .isEqualTo(Optional.of(tail.get("victim_pid")));
      soft.assertThat(t.victim().map(Victim::comm))
          .as("tail victim_comm")
          .isEqualTo(Optional.of(tail.get("victim_comm")));
      soft.assertThat(kb(t.victim().map(Victim::anonRssBytes)))
          .as("tail victim_anon_rss_kb")
          .isEqualTo(optLong(tail.get("victim_anon_rss_kb")));
      soft.assertThat(t.reaped())
          .as("tail reaped")
          .isEqualTo(Optional.ofNullable(tail.get("reaped")));
    }
    soft.assertAll();
  }

  private static Path corpusPath(String file) throws URISyntaxException {
    return Path.of(CorpusTest.class.getResource("/corpus/" + file).toURI());
  }

  private static OomScope scope(String manifestScope) {
    return switch (manifestScope) {
      case "memcg" -> OomScope.MEMCG;
      case "cpuset" -> OomScope.CPUSET;
      default -> OomScope.GLOBAL;
    };
  }

  /** Bytes as the kB the manifest was read in. */
  private static OptionalLong kb(Optional<OptionalLong> bytes) {
    OptionalLong b = bytes.orElse(OptionalLong.empty());
    return b.isPresent() ? OptionalLong.of(KiB.fromBytes(b.getAsLong())) : OptionalLong.empty();
  }

  private static OptionalLong optLong(Object o) {
    return o == null ? OptionalLong.empty() : OptionalLong.of((Long) o);
  }
}
