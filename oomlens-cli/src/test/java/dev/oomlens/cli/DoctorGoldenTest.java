package dev.oomlens.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code oomlens doctor --path.rootfs <host tree> --kernel-log <log>} on real captures, pinned as
 * golden text and JSON in {@code src/test/resources/golden/doctor/}; {@code -Dgolden.update=true}
 * rewrites them. The QEMU-lab scenarios pair the /proc and /sys captured after the kill with the
 * same run's /dev/kmsg; this-machine-cgroupv1 pairs a 6.18 cgroup-v1 host tree with a 6.18 report
 * of that machine. Every line a finding cites must stand, word for word, in its file.
 */
class DoctorGoldenTest {
  private static final Path GOLDEN = Path.of("src", "test", "resources", "golden", "doctor");
  private static final Path HOSTS =
      Path.of("..", "oomlens-host", "src", "test", "resources", "hosts");
  private static final Path VMLAB =
      Path.of("..", "oomlens-core", "src", "test", "resources", "vmlab");
  private static final Path KMSG =
      Path.of("..", "oomlens-host", "src", "test", "resources", "kmsg");
  private static final ObjectMapper JSON = new ObjectMapper();

  static Stream<Arguments> scenarios() {
    List<Arguments> out = new ArrayList<>();
    for (String s :
        List.of(
            "cgv2-container-limit",
            "cgv2-kube-pod-oom-group",
            "cgv2-memory-high-throttle",
            "cgv2-oom-group",
            "host-oom-no-swap",
            "host-oom-zram",
            "sysrq-oom",
            "thrashing")) {
      out.add(
          Arguments.of(
              "vmlab-" + s,
              HOSTS.resolve("vmlab-" + s).resolve("after-kill"),
              VMLAB.resolve(s).resolve("kmsg.log")));
    }
    out.add(
        Arguments.of(
            "this-machine-cgroupv1",
            HOSTS.resolve("this-machine-cgroupv1"),
            KMSG.resolve("systemd-service.kmsg")));
    return out.stream();
  }

  static CliTest.Run doctor(Path root, Path log, String format) {
    return CliTest.run(
        "doctor",
        "--path.rootfs",
        root.toString(),
        "--kernel-log",
        log.toString(),
        "--format",
        format);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void doctor_text_matchesGolden(String name, Path root, Path log) throws IOException {
    CliTest.Run r = doctor(root, log, "text");
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("oomlens doctor: ").contains("\nConfirmed: ");
    golden(name + ".txt", r.out());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void doctor_json_matchesGoldenAndCitesRealLines(String name, Path root, Path log)
      throws IOException {
    CliTest.Run r = doctor(root, log, "json");
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    JsonNode doc = JSON.readTree(r.out());
    assertThat(doc.get("reports")).isNotEmpty();
    assertThat(doc.get("incidents")).isNotEmpty();
    assertThat(doc.get("findings")).as("findings of %s", name).isNotEmpty();
    assertThat(doc.at("/host/meminfo/MemTotal").asLong()).isPositive();
    int reports = doc.get("reports").size();
    for (JsonNode incident : doc.get("incidents")) {
      for (JsonNode i : incident.get("reports")) {
        assertThat(i.asInt()).isBetween(0, reports - 1);
      }
    }
    for (JsonNode finding : doc.get("findings")) {
      assertThat(finding.get("doc").asText())
          .isEqualTo("docs/rules/" + finding.get("code").asText() + ".md");
      assertThat(Path.of("..").resolve(finding.get("doc").asText())).exists();
      for (JsonNode e : finding.get("evidence")) {
        assertCitationExists(e);
      }
    }
    golden(name + ".json", r.out());
  }

  /**
   * What a finding cites stands in its file: a log line word for word, a file value on its line
   * (the key, then the value).
   */
  static void assertCitationExists(JsonNode e) throws IOException {
    switch (e.get("kind").asText()) {
      case "log_line" ->
          assertCitedLineExists(
              e.get("file").asText(), e.get("line").asLong(), e.get("text").asText());
      case "file_value" -> {
        String file = e.get("path").asText();
        List<String> lines =
            List.of(Files.readString(Path.of(file), StandardCharsets.UTF_8).split("\n", -1));
        long line = e.get("line").asLong();
        assertThat(line).as("%s:%d", file, line).isBetween(1L, (long) lines.size());
        assertThat(lines.get((int) line - 1).strip())
            .as("%s:%d", file, line)
            .startsWith(e.get("key").asText())
            .contains(e.get("value").asText());
      }
      // An object of a cluster or a window of a series names what it is about; the cluster and
      // series tests check the values against their sources.
      case "object_field" ->
          assertThat(List.of("object_kind", "name", "field"))
              .allSatisfy(k -> assertThat(e.path(k).asText()).as("%s of %s", k, e).isNotEmpty());
      case "series_window" -> assertThat(e.path("query").asText()).as("%s", e).isNotEmpty();
      default -> throw new AssertionError("a citation of an unknown kind: " + e);
    }
  }

  /** The line {@code line} of {@code file}, as the readers number lines, is {@code text}. */
  static void assertCitedLineExists(String file, long line, String text) throws IOException {
    List<String> lines =
        List.of(Files.readString(Path.of(file), StandardCharsets.UTF_8).split("\n", -1));
    assertThat(line).as("%s:%d", file, line).isBetween(1L, (long) lines.size());
    String actual = lines.get((int) line - 1);
    if (actual.endsWith("\r")) {
      actual = actual.substring(0, actual.length() - 1);
    }
    assertThat(actual).as("%s:%d", file, line).isEqualTo(text);
  }

  static void golden(String name, String actual) throws IOException {
    Path file = GOLDEN.resolve(name);
    if (Boolean.getBoolean("golden.update")) {
      Files.createDirectories(GOLDEN);
      Files.writeString(file, actual, StandardCharsets.UTF_8);
      return;
    }
    assertThat(file).as("golden file (run with -Dgolden.update=true to create it)").exists();
    assertThat(actual).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
  }
}
