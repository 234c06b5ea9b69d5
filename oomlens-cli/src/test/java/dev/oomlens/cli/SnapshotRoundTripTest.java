package dev.oomlens.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oomlens.host.LiveLog;
import dev.oomlens.host.paths.HostPaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code oomlens snapshot DIR} on a fixture host whose live kernel log is a real log, then {@code
 * oomlens doctor --path.rootfs DIR --kernel-log DIR/kernel.log}: the diagnosis must be the one
 * {@code doctor} gives on the original tree and log, file names aside.
 */
class SnapshotRoundTripTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @ParameterizedTest(name = "{0} + {1} via {2}")
  @CsvSource({
    "vmlab-host-oom-zram/after-kill, ../oomlens-core/src/test/resources/vmlab/host-oom-zram/"
        + "kmsg.log, kmsg",
    "vmlab-cgv2-oom-group/after-kill, ../oomlens-core/src/test/resources/vmlab/cgv2-oom-group/"
        + "kmsg.log, kmsg",
    "cgroupv2-pod-oomkilled, ../oomlens-core/src/test/resources/corpus/"
        + "015-jpaztech-aks-5.15-burstable-pod-cgv2.log, journal",
  })
  void snapshot_thenDoctorOnIt_givesTheSameDiagnosis(String tree, String log, String via)
      throws IOException {
    Path root = Path.of("..", "oomlens-host", "src", "test", "resources", "hosts")
        .resolve(tree);
    String text = Files.readString(Path.of(log), StandardCharsets.UTF_8);
    Supplier<LiveLog> live = CliTest.live(via.equals("kmsg") ? "/dev/kmsg" : "journalctl -k -b",
        text);
    Supplier<LiveLog> none = CliTest.unreadable("none");
    Environment env = new Environment(InputStream.nullInputStream(),
        Clock.fixed(Instant.parse("2026-02-03T10:00:00Z"), ZoneOffset.UTC),
        HostPaths.under(root), via.equals("kmsg") ? live : none,
        via.equals("kmsg") ? none : live);
    Path saved = dir.resolve("snap");

    CliTest.Run snap = CliTest.run(env, "snapshot", saved.toString());
    assertThat(snap.code()).as(snap.err()).isZero();
    assertThat(snap.out()).contains("oomlens doctor --path.rootfs " + saved + " --kernel-log "
        + saved.resolve("kernel.log"));
    assertThat(saved.resolve("kernel.log")).hasContent(text);

    CliTest.Run original = CliTest.run("doctor", "--path.rootfs", root.toString(),
        "--kernel-log", log, "--format", "json");
    CliTest.Run copy = CliTest.run("doctor", "--path.rootfs", saved.toString(), "--kernel-log",
        saved.resolve("kernel.log").toString(), "--format", "json");
    assertThat(original.code()).isZero();
    assertThat(copy.code()).isZero();
    JsonNode a = JSON.readTree(original.out().replace(log, "LOG")
        .replace(root.toString(), "ROOT"));
    JsonNode b = JSON.readTree(copy.out().replace(saved.resolve("kernel.log").toString(), "LOG")
        .replace(saved.toString(), "ROOT"));
    assertThat(a.get("findings")).isNotEmpty();
    for (String key : new String[] {"reports", "incidents", "findings", "userspace_kills",
        "host", "problems"}) {
      assertThat(b.get(key)).as(key).isEqualTo(a.get(key));
    }
  }

  @Test
  void snapshot_noKernelLogReadable_savesTheHostAndExits3() {
    Path root = Path.of("..", "oomlens-host", "src", "test", "resources", "hosts", "zram-swap");
    Environment env = new Environment(InputStream.nullInputStream(), Clock.systemUTC(),
        HostPaths.under(root), CliTest.unreadable("/dev/kmsg"),
        CliTest.unreadable("journalctl -k -b"));
    Path saved = dir.resolve("snap");
    CliTest.Run r = CliTest.run(env, "snapshot", saved.toString());
    assertThat(r.code()).isEqualTo(ExitCodes.INPUT);
    assertThat(r.err()).contains("no kernel log of this machine can be read");
    assertThat(saved.resolve("proc/meminfo")).exists();
    assertThat(saved.resolve("kernel.log")).doesNotExist();
  }
}
