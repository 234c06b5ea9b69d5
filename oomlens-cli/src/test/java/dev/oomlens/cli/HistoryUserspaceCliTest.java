package dev.oomlens.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.agent.History;
import dev.oomlens.agent.UserspaceKill;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** history on a history holding a kill by a userspace killer (verdict userspace). */
class HistoryUserspaceCliTest {
  private static final Instant NOW = Instant.parse("2026-12-05T08:00:00Z");

  @TempDir Path dir;

  @Test
  void text_countsAndShowsTheUserspaceKill() {
    Path db = dir.resolve("oomlens.db");
    try (History h = History.openForAgent(db, Clock.fixed(NOW, ZoneOffset.UTC))) {
      h.addUserspaceKill(
          new UserspaceKill(
              "s=1;i=2",
              "0123456789abcdef0123456789abcdef",
              Instant.parse("2026-12-05T07:00:00Z"),
              "earlyoom",
              "terminate",
              OptionalLong.of(4242),
              Optional.of("java"),
              Optional.empty(),
              OptionalLong.of(3000L << 20),
              Optional.empty(),
              "2026-12-05T07:00:00.000000+00:00 worker-3 earlyoom[904]: sending SIGTERM to"
                  + " process 4242 uid 1000 \"java\": badness 900, VmRSS 3000 MiB"));
    }
    CliTest.Run r =
        CliTest.run(
            new Environment(
                new ByteArrayInputStream(new byte[0]),
                Clock.fixed(NOW, ZoneOffset.UTC),
                dev.oomlens.host.paths.HostPaths.under(dir.resolve("nohost")),
                CliTest.unreadable("/dev/kmsg"),
                CliTest.live("journalctl -k -b", ""),
                CliTest.noKillers()),
            "history",
            "--db",
            db.toString());
    assertThat(r.err()).isEmpty();
    assertThat(r.out())
        .contains("0 kills, 1 kill by userspace killers (verdict userspace), 0 warnings")
        .contains("earlyoom")
        .contains("4242");
  }
}
