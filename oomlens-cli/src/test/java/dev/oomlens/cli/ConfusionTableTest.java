package dev.oomlens.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.RuleEngine;
import dev.oomlens.core.rules.RuleRegistry;
import dev.oomlens.host.paths.HostPaths;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The confusion table of docs/rules.md: one named scenario per finding code, each run through
 * {@code oomlens doctor} (or {@code diagnose} when it has no host tree) as a user would, and every
 * real kernel log of the repository read alone.
 *
 * <p>A scenario is a descriptor in {@code src/test/resources/scenarios/NAME.json}: its kernel logs,
 * optional host tree or cluster dumps ({@code dumps}: run through {@code oomlens k8s}), {@code
 * --vm-memory} and {@code --sigkilled}, the codes it is there to make fire ({@code fires}), the
 * codes that rightly fire beside them with the reason ({@code also}), and codes that fire although
 * they should not ({@code wrong}, each a known analyzer problem with the reason). Its own codes
 * must fire; nothing outside the three lists may. Every cited line must stand, word for word, in
 * the file it names. {@code -Dgolden.update=true} rewrites the tables in docs/rules.md; otherwise
 * the test fails when they differ.
 */
class ConfusionTableTest {
  private static final Path REPO = Path.of("..");
  private static final Path SCENARIOS = Path.of("src", "test", "resources", "scenarios");
  private static final Path RULES_MD = REPO.resolve("docs").resolve("rules.md");
  private static final String MATRIX = "confusion-table";
  private static final String INPUTS = "scenario-inputs";
  private static final String REAL_LOGS = "real-logs-table";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The real kernel logs of the repository, read alone; copies of a file count once. */
  private static final List<String> REAL_LOG_DIRS =
      List.of(
          "oomlens-core/src/test/resources/corpus",
          "oomlens-host/src/test/resources/kmsg",
          "oomlens-core/src/test/resources/kmsg",
          "oomlens-core/src/test/resources/rules",
          "oomlens-core/src/test/resources/vmlab");

  /** One scenario as its descriptor gives it. */
  record Scenario(
      String name,
      String about,
      List<String> kernelLogs,
      List<String> dumps,
      List<String> series,
      String host,
      String vmMemory,
      boolean sigkilled,
      List<String> fires,
      Map<String, String> also,
      Map<String, String> wrong) {

    /** The command line, paths relative to the repository. */
    List<String> args() {
      List<String> a = new ArrayList<>();
      if (!dumps.isEmpty()) {
        a.add("k8s");
        a.add("--dump");
        a.addAll(dumps);
        if (vmMemory != null) {
          a.addAll(List.of("--vm-memory", vmMemory));
        }
        for (String log : kernelLogs) {
          a.addAll(List.of("--kernel-log", log));
        }
      } else if (host != null) {
        a.addAll(List.of("doctor", "--path.rootfs", host));
        if (vmMemory != null) {
          a.addAll(List.of("--vm-memory", vmMemory));
        }
        for (String log : kernelLogs) {
          a.addAll(List.of("--kernel-log", log));
        }
      } else {
        a.add("diagnose");
        a.addAll(kernelLogs);
      }
      if (!series.isEmpty()) {
        a.add("--series");
        a.addAll(series);
      }
      if (sigkilled) {
        a.add("--sigkilled");
      }
      return a;
    }
  }

  static List<Scenario> scenarios() {
    try (Stream<Path> files = Files.list(SCENARIOS)) {
      List<Scenario> out = new ArrayList<>();
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        out.add(scenario(f));
      }
      List<String> codes = codes();
      out.sort(
          (a, b) ->
              Integer.compare(
                  codes.indexOf(a.fires().getFirst()), codes.indexOf(b.fires().getFirst())));
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Scenario scenario(Path file) throws IOException {
    JsonNode d = JSON.readTree(file.toFile());
    String name = file.getFileName().toString().replaceFirst("\\.json$", "");
    List<String> logs = new ArrayList<>();
    d.get("kernel_logs").forEach(n -> logs.add(n.asText()));
    List<String> dumps = new ArrayList<>();
    d.path("dumps").forEach(n -> dumps.add(n.asText()));
    List<String> series = new ArrayList<>();
    d.path("series").forEach(n -> series.add(n.asText()));
    List<String> fires = new ArrayList<>();
    d.get("fires").forEach(n -> fires.add(n.asText()));
    return new Scenario(
        name,
        d.get("about").asText(),
        logs,
        dumps,
        series,
        d.hasNonNull("host") ? d.get("host").asText() : null,
        d.hasNonNull("vm_memory") ? d.get("vm_memory").asText() : null,
        d.path("sigkilled").asBoolean(false),
        fires,
        reasons(d.get("also")),
        reasons(d.get("wrong")));
  }

  private static Map<String, String> reasons(JsonNode node) {
    Map<String, String> out = new LinkedHashMap<>();
    if (node != null) {
      node.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
    }
    return out;
  }

  /** Every code the engine has, in the registry's order. */
  static List<String> codes() {
    return RuleRegistry.all().stream().map(Analyzer::info).map(i -> i.code()).toList();
  }

  /** Runs the command from the module directory with the repository paths made relative to it. */
  static JsonNode run(List<String> args) throws IOException {
    List<String> local = new ArrayList<>();
    for (String a : args) {
      local.add(a.startsWith("oomlens-") ? REPO.resolve(a).toString() : a);
    }
    local.addAll(List.of("--format", "json"));
    Environment env =
        new Environment(
            new ByteArrayInputStream(new byte[0]),
            Clock.fixed(Instant.parse("2026-02-03T10:00:00Z"), ZoneOffset.UTC),
            HostPaths.under(Path.of("no-host")),
            CliTest.unreadable("/dev/kmsg"),
            CliTest.unreadable("journalctl -k -b"),
            CliTest.noKillers());
    CliTest.Run r = CliTest.run(env, local.toArray(String[]::new));
    assertThat(r.err()).as("stderr of %s", local).isEmpty();
    assertThat(r.code()).as("exit code of %s", local).isZero();
    JsonNode doc = JSON.readTree(r.out());
    for (JsonNode finding : doc.get("findings")) {
      assertThat(finding.get("code").asText()).isNotEqualTo(RuleEngine.ENGINE_ERROR);
      for (JsonNode e : finding.get("evidence")) {
        if (e.get("kind").asText().equals("series_window")) {
          // A window cites a series file by name: the file must be one the scenario read.
          assertThat(local).contains(e.get("query").asText());
          assertThat(e.get("samples")).isNotEmpty();
          continue;
        }
        DoctorGoldenTest.assertCitationExists(e);
      }
    }
    return doc;
  }

  static Set<String> fired(JsonNode doc) {
    Set<String> out = new TreeSet<>();
    doc.get("findings").forEach(f -> out.add(f.get("code").asText()));
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void scenario_ownCodesFireAndNothingUnexplained(Scenario s) throws IOException {
    Set<String> fired = fired(run(s.args()));

    assertThat(fired).as("%s: its own codes", s.name()).containsAll(s.fires());
    assertThat(fired)
        .as("%s: known wrong firings (remove from 'wrong' once fixed)", s.name())
        .containsAll(s.wrong().keySet());
    Set<String> explained = new HashSet<>(s.fires());
    explained.addAll(s.also().keySet());
    explained.addAll(s.wrong().keySet());
    assertThat(explained)
        .as("%s: codes that fire without a reason in its descriptor", s.name())
        .containsAll(fired);
  }

  @Test
  void scenarios_oneForEveryCode() {
    List<String> named = new ArrayList<>();
    for (Scenario s : scenarios()) {
      named.addAll(s.fires());
      assertThat(codes()).as(s.name()).containsAll(s.fires());
      assertThat(codes()).as(s.name()).containsAll(s.also().keySet());
      assertThat(codes()).as(s.name()).containsAll(s.wrong().keySet());
      for (String log : s.kernelLogs()) {
        assertThat(REPO.resolve(log)).as(s.name()).isRegularFile();
      }
      for (String dump : s.dumps()) {
        assertThat(REPO.resolve(dump)).as(s.name()).exists();
      }
      for (String file : s.series()) {
        assertThat(REPO.resolve(file)).as(s.name()).isRegularFile();
      }
      if (s.host() != null) {
        assertThat(REPO.resolve(s.host())).as(s.name()).isDirectory();
      }
    }
    assertThat(named).containsExactlyInAnyOrderElementsOf(codes());
  }

  @Test
  void tables_matchDocsRulesMd() throws IOException {
    String doc = Files.readString(RULES_MD);
    String updated =
        replace(replace(replace(doc, MATRIX, matrix()), INPUTS, inputs()), REAL_LOGS, realLogs());
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(RULES_MD, updated);
      return;
    }
    assertThat(doc)
        .as("docs/rules.md tables (-Dgolden.update=true rewrites them)")
        .isEqualTo(updated);
  }

  private static String replace(String doc, String marker, String table) {
    String start = "<!-- " + marker + ":start -->";
    String end = "<!-- " + marker + ":end -->";
    int i = doc.indexOf(start);
    int j = doc.indexOf(end);
    assertThat(i).as("%s in docs/rules.md", start).isNotNegative();
    assertThat(j).as("%s in docs/rules.md", end).isGreaterThan(i);
    return doc.substring(0, i + start.length()) + table + doc.substring(j);
  }

  /** Rows are scenarios, columns codes: ■ its own code, ● rightly beside it, ✗ should not fire. */
  static String matrix() throws IOException {
    List<String> codes = codes();
    StringBuilder s = new StringBuilder("\n| scenario |");
    codes.forEach(c -> s.append(' ').append(c).append(" |"));
    s.append("\n|---|");
    codes.forEach(c -> s.append(":-:|"));
    s.append('\n');
    for (Scenario sc : scenarios()) {
      Set<String> fired = fired(run(sc.args()));
      s.append("| ").append(sc.name()).append(" |");
      for (String c : codes) {
        String mark =
            !fired.contains(c)
                ? (sc.fires().contains(c) ? "missing" : "")
                : sc.fires().contains(c) ? "■" : sc.wrong().containsKey(c) ? "✗" : "●";
        s.append(mark.isEmpty() ? " |" : " " + mark + " |");
      }
      s.append('\n');
    }
    return s.toString();
  }

  /** What each scenario reads, and why the codes beside its own fire. */
  static String inputs() {
    StringBuilder s =
        new StringBuilder(
            "\n| scenario | what it is | command | beside its own"
                + " code |\n|---|---|---|---|\n");
    for (Scenario sc : scenarios()) {
      s.append("| ")
          .append(sc.name())
          .append(" | ")
          .append(sc.about())
          .append(" | `oomlens ")
          .append(String.join(" ", sc.args()))
          .append("` | ");
      List<String> notes = new ArrayList<>();
      sc.also().forEach((c, why) -> notes.add(c + ": " + why));
      sc.wrong().forEach((c, why) -> notes.add("**" + c + " (wrong)**: " + why));
      s.append(notes.isEmpty() ? "—" : String.join("; ", notes)).append(" |\n");
    }
    return s.toString();
  }

  /** Every real kernel log of the repository, read alone by {@code oomlens diagnose}. */
  static String realLogs() throws IOException {
    StringBuilder s = new StringBuilder("\n| kernel log | codes that fire |\n|---|---|\n");
    for (String log : realLogFiles()) {
      Set<String> fired = fired(run(List.of("diagnose", log)));
      s.append("| `")
          .append(log)
          .append("` | ")
          .append(fired.isEmpty() ? "(none)" : String.join(", ", fired))
          .append(" |\n");
    }
    return s.toString();
  }

  static List<String> realLogFiles() throws IOException {
    List<String> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String dir : REAL_LOG_DIRS) {
      List<Path> files;
      try (Stream<Path> walk = Files.walk(REPO.resolve(dir))) {
        files =
            walk.filter(Files::isRegularFile)
                .filter(p -> p.toString().endsWith(".log") || p.toString().endsWith(".kmsg"))
                .sorted()
                .toList();
      }
      for (Path f : files) {
        if (seen.add(sha256(Files.readAllBytes(f)))) {
          out.add(REPO.relativize(f).toString().replace('\\', '/'));
        }
      }
    }
    return out;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
