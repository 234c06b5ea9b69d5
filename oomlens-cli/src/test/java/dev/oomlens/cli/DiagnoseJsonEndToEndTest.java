package dev.oomlens.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code oomlens diagnose --format json} over every corpus file at once (real reports of kernels
 * 3.10 to 6.8, from oomlens-core's test resources), read back with databind and checked against the
 * fields the corpus manifest gives for each file's first report (the first with a trigger).
 */
class DiagnoseJsonEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;

  static JsonNode manifest;
  static List<String> files = new ArrayList<>();

  @BeforeAll
  static void copyCorpus() throws IOException {
    try (InputStream in = resource("manifest.json")) {
      manifest = JSON.readTree(in);
    }
    for (JsonNode entry : manifest) {
      String name = entry.get("file").asText();
      Path copy = dir.resolve(name);
      try (InputStream in = resource(name)) {
        Files.copy(in, copy);
      }
      files.add(copy.toString());
    }
  }

  private static InputStream resource(String name) {
    InputStream in = DiagnoseJsonEndToEndTest.class.getResourceAsStream("/corpus/" + name);
    assertThat(in).as("corpus resource %s (oomlens-core test-jar)", name).isNotNull();
    return in;
  }

  private static JsonNode diagnose(List<String> args) throws IOException {
    List<String> all = new ArrayList<>(List.of("diagnose", "--format", "json"));
    all.addAll(args);
    CliTest.Run r = CliTest.run(all.toArray(String[]::new));
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isEqualTo(ExitCodes.OK);
    return JSON.readTree(r.out());
  }

  @Test
  void diagnose_wholeCorpus_firstReportOfEachFileHasTheManifestFields() throws IOException {
    JsonNode doc = diagnose(files);
    assertThat(doc.get("schema_version").asInt()).isEqualTo(1);
    assertThat(doc.get("problems")).isEmpty();
    Map<String, JsonNode> firstReport = new TreeMap<>();
    for (JsonNode report : doc.get("reports")) {
      // The manifest describes the first report with a trigger line; a file may open with the
      // tail of an earlier one (#010 begins at its kill line).
      if (!report.get("trigger").isNull()) {
        firstReport.putIfAbsent(report.at("/source/file").asText(), report);
      }
    }
    int checked = 0;
    for (JsonNode entry : manifest) {
      Path file = dir.resolve(entry.get("file").asText());
      JsonNode expected = entry.get("expected");
      if (entry.get("scope").asText().equals("alloc-failure")) {
        assertThat(firstReport).doesNotContainKey(file.toString());
        assertThat(doc.get("alloc_failures"))
            .anySatisfy(
                f -> {
                  assertThat(f.at("/source/file").asText()).isEqualTo(file.toString());
                  assertThat(f.get("comm").asText())
                      .isEqualTo(expected.get("trigger_comm").asText());
                });
        continue;
      }
      JsonNode r = firstReport.get(file.toString());
      assertThat(r).as("a report from %s", file.getFileName()).isNotNull();
      String what = entry.get("file").asText();
      assertThat(r.at("/trigger/comm").asText())
          .as(what)
          .isEqualTo(expected.get("trigger_comm").asText());
      assertField(what, "victim pid", r.at("/victim/pid"), expected.get("victim_pid"));
      assertField(what, "victim comm", r.at("/victim/comm"), expected.get("victim_comm"));
      assertField(
          what, "anon rss", r.at("/victim/anon_rss_kb"), expected.get("victim_anon_rss_kb"));
      assertField(
          what, "file rss", r.at("/victim/file_rss_kb"), expected.get("victim_file_rss_kb"));
      assertField(what, "oom_memcg", r.get("oom_memcg"), expected.get("oom_memcg"));
      assertField(what, "task_memcg", r.get("task_memcg"), expected.get("task_memcg"));
      assertField(what, "pod uid", r.at("/workload/pod_uid"), expected.get("kubernetes_pod_uid"));
      assertField(
          what, "container id", r.at("/workload/container_id"), expected.get("container_id"));
      checked++;
    }
    assertThat(checked).isEqualTo(manifest.size() - 1);
  }

  @Test
  void diagnose_missingFileAmongGoodOnes_isExit3AndAProblemInTheDocument() throws IOException {
    String missing = dir.resolve("big.log").toString();
    CliTest.Run r = CliTest.run("diagnose", "--format", "json", missing, files.get(0));
    assertThat(r.code()).isEqualTo(ExitCodes.INPUT);
    assertThat(r.err())
        .isEqualTo("oomlens: cannot read " + missing + ": No such file or directory\n");
    JsonNode doc = JSON.readTree(r.out());
    assertThat(doc.get("reports")).hasSize(1);
    assertThat(doc.at("/problems/0/file").asText()).isEqualTo(missing);
    assertThat(doc.at("/problems/0/line").asLong()).isZero();
  }

  private static void assertField(String file, String name, JsonNode actual, JsonNode expected) {
    if (expected == null || expected.isNull()) {
      return;
    }
    assertThat(actual.isMissingNode() ? null : actual.asText())
        .as(file + ": " + name)
        .isEqualTo(expected.asText());
  }
}
