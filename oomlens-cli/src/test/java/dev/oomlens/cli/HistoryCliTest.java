package dev.oomlens.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oomlens.agent.History;
import dev.oomlens.agent.KillRecord;
import dev.oomlens.agent.Verdict;
import dev.oomlens.agent.WarningRecord;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** history and doctor --db on a history written by the agent's own store. */
class HistoryCliTest {
  private static final Instant NOW = Instant.parse("2026-12-05T08:00:00Z");
  private static final Instant BOOT = Instant.parse("2026-12-04T00:00:00Z");

  @TempDir static Path dir;
  static Path db;

  @BeforeAll
  static void history() throws IOException {
    List<String> lines;
    try (InputStream in =
        HistoryCliTest.class.getResourceAsStream("/kmsg/pod-limit-two-kills.kmsg")) {
      lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
    int firstKill = 0;
    while (!lines.get(firstKill).contains("Killed process 9006")) {
      firstKill++;
    }
    db = dir.resolve("oomlens.db");
    try (History h = History.openForAgent(db, Clock.fixed(NOW, ZoneOffset.UTC))) {
      h.boot("boot-0", BOOT);
      // 529.7 s after boot: 2026-12-04T00:08:49Z.
      h.addKill(kill(539, 9006, "idle-holder", lines.subList(0, firstKill + 1)), 539);
      h.addKill(kill(639, 9010, "stress-hog", lines.subList(firstKill + 1, lines.size())), 639);
      h.raiseWarning(
          new WarningRecord(
              -1,
              "TIME-TO-LIMIT",
              Optional.of("/kubepods/burstable/" + "pod2a7e3c51-9f04-4c6b-8d2e-5b1f0c9a7e42"),
              BOOT.plusSeconds(400),
              Optional.empty(),
              OptionalDouble.of(95.5),
              "grows 20 MiB/min and reaches its limit in about 95 s",
              "memory.usage_in_bytes"));
      h.raiseWarning(
          new WarningRecord(
              -1,
              "MEMORY-PRESSURE",
              Optional.empty(),
              BOOT.minusSeconds(86_400),
              Optional.of(BOOT.minusSeconds(86_000)),
              OptionalDouble.empty(),
              "every task stalled",
              "/proc/pressure/memory full"));
    }
  }

  private static KillRecord kill(long seq, long pid, String comm, List<String> records) {
    String cg = "/kubepods/burstable/pod2a7e3c51-9f04-4c6b-8d2e-5b1f0c9a7e42";
    return new KillRecord(
        "boot-0",
        seq - 70,
        seq,
        seq,
        BOOT.plusSeconds(529),
        OptionalLong.of(pid),
        Optional.of(comm),
        OptionalLong.empty(),
        Optional.of(cg),
        "report",
        Optional.of(cg),
        Verdict.LIMIT,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.of("MEMCG-LIMIT"),
        "pod limit",
        String.join("\n", records) + "\n",
        "{}");
  }

  private static Environment env() {
    return new Environment(
        new ByteArrayInputStream(new byte[0]),
        Clock.fixed(NOW, ZoneOffset.UTC),
        dev.oomlens.host.paths.HostPaths.under(dir.resolve("nohost")),
        CliTest.unreadable("/dev/kmsg"),
        CliTest.live("journalctl -k -b", ""),
        CliTest.noKillers());
  }

  @Test
  void json_reportsAndFindingsAsDiagnose_plusWarnings() throws IOException {
    CliTest.Run r = CliTest.run(env(), "history", "--db", db.toString(), "--format", "json");
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.get("reports")).hasSize(2);
    assertThat(json.get("reports").get(0).get("victim").get("pid").asLong()).isEqualTo(9006);
    assertThat(json.get("findings").findValuesAsText("code")).contains("MEMCG-LIMIT");
    JsonNode w = json.get("warnings").get(1);
    assertThat(w.get("code").asText()).isEqualTo("TIME-TO-LIMIT");
    assertThat(w.get("cgroup").asText()).startsWith("/kubepods/burstable/pod2a7e3c51");
    assertThat(w.get("raised_at").asText()).isEqualTo("2026-12-04T00:06:40Z");
    assertThat(w.get("time_to_limit_s").asDouble()).isEqualTo(95.5);
    assertThat(json.get("warnings").get(0).get("time_to_limit_s").isNull()).isTrue();
  }

  @Test
  void since_keepsOnlyWhatCameAfter_acrossTheBootsWallClock() throws IOException {
    CliTest.Run r =
        CliTest.run(
            env(),
            "history",
            "--db",
            db.toString(),
            "--format",
            "json",
            "--since",
            "2026-12-04T00:07:00Z");
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.get("reports")).hasSize(2);
    assertThat(json.get("warnings")).isEmpty();
    CliTest.Run later =
        CliTest.run(
            env(),
            "history",
            "--db",
            db.toString(),
            "--format",
            "json",
            "--since",
            "2026-12-04T00:09:00Z");
    assertThat(new ObjectMapper().readTree(later.out()).get("reports")).isEmpty();
  }

  @Test
  void text_listsKillsAndWarnings() {
    CliTest.Run r = CliTest.run(env(), "history", "--db", db.toString());
    assertThat(r.out())
        .startsWith("oomlens history: " + db + ", 2 kills, 2 warnings\n")
        .contains("MEMCG-LIMIT")
        .contains("Warnings (2)")
        .contains("2026-12-04T00:06:40Z  TIME-TO-LIMIT  grows 20 MiB/min");
  }

  @Test
  void hostileNamesFromTheKernel_shownVisiblyInText_escapedInJson() throws IOException {
    Path hostile = dir.resolve("hostile.db");
    String comm = "evil\u001b[2J\u202e";
    try (History h = History.openForAgent(hostile, Clock.fixed(NOW, ZoneOffset.UTC))) {
      h.boot("boot-0", BOOT);
      h.addKill(
          kill(
              10,
              77,
              comm,
              List.of(
                  "3,10,529716577,-;Memory cgroup out of memory: Killed"
                      + " process 77 ("
                      + comm
                      + ") total-vm:24268kB, anon-rss:16768kB, file-rss:4888kB,"
                      + " shmem-rss:0kB, UID:0 pgtables:76kB oom_score_adj:1000")),
          10);
    }
    CliTest.Run text = CliTest.run(env(), "history", "--db", hostile.toString());
    assertThat(text.out()).doesNotContain("\u001b").doesNotContain("\u202e").contains("evil");
    CliTest.Run json =
        CliTest.run(env(), "history", "--db", hostile.toString(), "--format", "json");
    assertThat(json.out()).doesNotContain("\u001b").doesNotContain("\u202e");
    assertThat(
            new ObjectMapper()
                .readTree(json.out())
                .get("reports")
                .get(0)
                .get("victim")
                .get("comm")
                .asText())
        .isEqualTo(comm);
  }

  @Test
  void notAHistory_exit3_namingTheFile() throws IOException {
    Path notes = Files.writeString(dir.resolve("notes.txt"), "hello\n".repeat(300));
    CliTest.Run r = CliTest.run(env(), "history", "--db", notes.toString());
    assertThat(r.code()).isEqualTo(3);
    assertThat(r.err()).startsWith("oomlens: " + notes + " is not an oomlens history");
    CliTest.Run missing = CliTest.run(env(), "history", "--db", dir.resolve("x.db").toString());
    assertThat(missing.code()).isEqualTo(3);
    assertThat(missing.err())
        .isEqualTo("oomlens: cannot read " + dir.resolve("x.db") + ": No such file or directory\n");
  }

  @Test
  void recordsLostBeforeTheAgentReadThem_namedInEveryFormat_neverShownAsNoKills()
      throws IOException {
    Path gappy = dir.resolve("gappy.db");
    try (History h = History.openForAgent(gappy, Clock.fixed(NOW, ZoneOffset.UTC))) {
      h.boot("boot-0", BOOT);
      h.lost("boot-0", 700, 1111);
    }
    CliTest.Run text = CliTest.run(env(), "history", "--db", gappy.toString());
    assertThat(text.out())
        .contains(
            "412 kernel log records (700 to 1111) of boot boot-0 were overwritten in the kernel's"
                + " ring buffer before the agent read them (noticed at "
                + NOW
                + "): OOM kills among them are not in this history")
        .contains("Whether it holds an OOM kill is unknown.")
        .doesNotContain("No OOM-killer report");

    CliTest.Run json = CliTest.run(env(), "history", "--db", gappy.toString(), "--format", "json");
    JsonNode doc = new ObjectMapper().readTree(json.out());
    assertThat(doc.get("inputs").get(0).get("problems").asInt()).isEqualTo(1);
    assertThat(doc.get("problems").get(0).get("message").asText())
        .startsWith("412 kernel log records (700 to 1111) of boot boot-0");

    CliTest.Run doctor = CliTest.run(env(), "doctor", "--db", gappy.toString());
    assertThat(doctor.err()).contains("412 kernel log records (700 to 1111)");
    assertThat(doctor.code()).as("an input not read whole").isEqualTo(3);
  }

  @Test
  void doctorDb_readsTheKillsOfEarlierBoots() {
    CliTest.Run r = CliTest.run(env(), "doctor", "--db", db.toString());
    assertThat(r.out()).contains("kernel log journalctl -k -b, " + db).contains("MEMCG-LIMIT");
  }
}
