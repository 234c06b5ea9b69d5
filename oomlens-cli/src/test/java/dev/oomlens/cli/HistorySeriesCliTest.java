package dev.oomlens.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oomlens.agent.History;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * size and doctor read the memory 'oomlens watch' recorded of each cgroup (its history's
 * downsampled points) as series, without a Prometheus: a leaking cgroup and a steady one, written
 * through the agent's own store.
 */
class HistorySeriesCliTest {
  static final long MIB = 1L << 20;
  static final Instant NOW = Instant.parse("2026-12-05T08:00:00Z");
  static final String LEAKY =
      "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-poda1.slice/cri-containerd-aa.scope";
  static final String STEADY = "/system.slice/steady.service";

  @TempDir static Path dir;
  static Path db;

  @BeforeAll
  static void history() {
    db = dir.resolve("oomlens.db");
    try (History h = History.openForAgent(db, Clock.fixed(NOW, ZoneOffset.UTC))) {
      // six hours, a point a minute, as the agent stores them
      for (int m = 0; m < 360; m++) {
        Instant at = NOW.minusSeconds((360 - m) * 60L);
        h.sample(LEAKY, at, 100 * MIB + m * MIB * 64 / 60, 1024 * MIB);
        h.sample(STEADY, at, (300 + (m % 7)) * MIB, 2048 * MIB);
      }
    }
  }

  private static Environment env(Path history) {
    return new Environment(
        new ByteArrayInputStream(new byte[0]),
        Clock.fixed(NOW, ZoneOffset.UTC),
        dev.oomlens.host.paths.HostPaths.under(dir.resolve("nohost")),
        CliTest.unreadable("/dev/kmsg"),
        CliTest.live("journalctl -k -b", ""),
        CliTest.noKillers(),
        () -> false,
        java.util.Optional.of(history),
        () -> false);
  }

  @Test
  void size_db_eachCgroupAWorkload_theLeakFound() throws IOException {
    CliTest.Run r =
        CliTest.run(env(dir.resolve("none.db")), "size", "--db", db.toString(), "--format", "json");
    assertThat(r.err()).isEmpty();
    JsonNode doc = new ObjectMapper().readTree(r.out());
    Map<String, String> shapes = new HashMap<>();
    doc.get("workloads")
        .forEach(w -> shapes.put(w.get("container").asText(), w.get("shape").asText()));
    assertThat(shapes).containsEntry(LEAKY, "leak").containsKey(STEADY).hasSize(2);
    for (JsonNode w : doc.get("workloads")) {
      if (w.get("container").asText().equals(LEAKY)) {
        assertThat(w.get("trend_bytes_per_hour").asLong() / (double) MIB).isBetween(63.0, 65.0);
        assertThat(w.get("current_limit_bytes").asLong()).isEqualTo(1024 * MIB);
      }
    }
    assertThat(doc.toString()).contains("LEAK");
  }

  /** Without --series, --prometheus or --db, size reads the agent's default history. */
  @Test
  void size_defaultHistory_isReadWhenNothingElseIsGiven() {
    CliTest.Run r = CliTest.run(env(db), "size");
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).contains(LEAKY, "leak");
    CliTest.Run none = CliTest.run(env(dir.resolve("none.db")), "size");
    assertThat(none.code()).isEqualTo(2);
    assertThat(none.err()).contains("nothing to size", "--db FILE");
  }

  @Test
  void doctor_db_judgesTheRecordedMemory() throws IOException {
    Path quiet = dir.resolve("quiet.log");
    Files.writeString(quiet, "[    0.000000] Linux version 6.1.0-18-amd64\n");
    CliTest.Run r =
        CliTest.run(
            env(dir.resolve("none.db")),
            "doctor",
            "--no-cluster",
            "--db",
            db.toString(),
            "--path.rootfs",
            Path.of("..", "oomlens-host", "src", "test", "resources", "hosts", "no-psi").toString(),
            "--kernel-log",
            quiet.toString());
    assertThat(r.out()).contains("series " + db + " samples", "LEAK", LEAKY);
  }
}
