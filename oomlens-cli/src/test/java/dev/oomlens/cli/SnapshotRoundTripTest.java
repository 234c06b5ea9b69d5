package dev.oomlens.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.oomlens.host.LiveLog;
import dev.oomlens.host.journal.KillerJournalReader;
import dev.oomlens.host.paths.HostPaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code oomlens snapshot DIR} on a fixture host whose live kernel log is a real log and whose
 * journal holds records of userspace killers, then {@code oomlens doctor --path.rootfs DIR} (which
 * finds the snapshot's logs) and {@code oomlens doctor --path.rootfs DIR --kernel-log
 * DIR/kernel.log DIR/killers.log}: the diagnosis and the header (host, kernel, uptime) must be the
 * ones {@code doctor} gives on the live host, file names aside.
 */
class SnapshotRoundTripTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The killers' journal: a unit's SIGKILL, earlyoom's kill, and a line of no killer. */
  static final String KILLERS =
      """
      2026-02-03T09:00:00.000000+0000 node1 systemd[1]: Started batch.service - Batch job.
      2026-02-03T09:10:00.000000+0000 node1 earlyoom[904]: low memory! at or below SIGKILL \
      limits: mem  4.00%, swap 10.00%
      2026-02-03T09:10:00.100000+0000 node1 earlyoom[904]: sending SIGKILL to process 5150 uid \
      0 "batch": badness 800, VmRSS 2100 MiB
      2026-02-03T09:10:00.300000+0000 node1 systemd[1]: batch.service: Main process exited, \
      code=killed, status=9/KILL
      """;

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
    Path root = Path.of("..", "oomlens-host", "src", "test", "resources", "hosts").resolve(tree);
    String text = Files.readString(Path.of(log), StandardCharsets.UTF_8);
    Supplier<LiveLog> live =
        CliTest.live(via.equals("kmsg") ? "/dev/kmsg" : "journalctl -k -b", text);
    Supplier<LiveLog> none = CliTest.unreadable("none");
    Environment env =
        new Environment(
            InputStream.nullInputStream(),
            Clock.fixed(Instant.parse("2026-02-03T10:00:00Z"), ZoneOffset.UTC),
            HostPaths.under(root),
            via.equals("kmsg") ? live : none,
            via.equals("kmsg") ? none : live,
            CliTest.live(KillerJournalReader.NAME, KILLERS));
    Path saved = dir.resolve("snap");

    CliTest.Run snap = CliTest.run(env, "snapshot", saved.toString());
    assertThat(snap.code()).as(snap.err()).isZero();
    assertThat(snap.out())
        .endsWith("\nDiagnose it with: oomlens doctor --path.rootfs " + saved + "\n");
    assertThat(saved.resolve("kernel.log")).hasContent(text);
    assertThat(saved.resolve("killers.log")).hasContent(KILLERS);

    CliTest.Run original = CliTest.run(env, "doctor", "--format", "json");
    assertThat(original.code()).as(original.err()).isZero();
    assertThat(original.err()).isEmpty();
    JsonNode a =
        normalized(
            original
                .out()
                .replace(KillerJournalReader.NAME, "KILLERS")
                .replace(live.get().name(), "LOG")
                .replace(root.toString(), "ROOT"));
    assertThat(a.get("findings")).isNotEmpty();
    assertThat(a.get("userspace_kills")).hasSize(2);
    assertThat(a.at("/userspace_kills/1/source/file").asText()).isEqualTo("KILLERS");
    assertThat(a.at("/userspace_kills/1/source/line").asInt()).isEqualTo(4);
    assertThat(a.get("findings").findValuesAsText("code")).contains("USERSPACE-KILL");
    List<List<String>> ways =
        List.of(
            List.of("doctor", "--path.rootfs", saved.toString(), "--format", "json"),
            List.of(
                "doctor",
                "--path.rootfs",
                saved.toString(),
                "--kernel-log",
                saved.resolve("kernel.log").toString(),
                saved.resolve("killers.log").toString(),
                "--format",
                "json"));
    for (List<String> way : ways) {
      CliTest.Run copy = CliTest.run(way.toArray(String[]::new));
      assertThat(copy.code()).as(copy.err()).isZero();
      JsonNode b =
          normalized(
              copy.out()
                  .replace(saved.resolve("kernel.log").toString(), "LOG")
                  .replace(saved.resolve("killers.log").toString(), "KILLERS")
                  .replace(saved.toString(), "ROOT"));
      for (String key :
          new String[] {
            "reports", "incidents", "findings", "userspace_kills", "host", "problems"
          }) {
        assertThat(b.get(key)).as(String.join(" ", way) + ": " + key).isEqualTo(a.get(key));
      }
    }

    String liveHeader = CliTest.run(env, "doctor").out().lines().findFirst().orElseThrow();
    String savedHeader =
        CliTest.run("doctor", "--path.rootfs", saved.toString())
            .out()
            .lines()
            .findFirst()
            .orElseThrow();
    assertThat(savedHeader).isEqualTo(liveHeader);
  }

  /** The header's hostname, kernel release and uptime come from the snapshot as from the host. */
  @Test
  void snapshot_keepsHostnameKernelReleaseAndUptime() throws IOException {
    Path root = dir.resolve("host");
    copy(Path.of("..", "oomlens-host", "src", "test", "resources", "hosts", "zram-swap"), root);
    Files.writeString(root.resolve("proc/uptime"), "90061.52 170000.11\n");
    Environment env =
        new Environment(
            InputStream.nullInputStream(),
            Clock.systemUTC(),
            HostPaths.under(root),
            CliTest.live("/dev/kmsg", "6,1,100,-;Linux version 6.8.0\n"),
            CliTest.unreadable("journalctl -k -b"),
            CliTest.noKillers());
    Path saved = dir.resolve("snap");
    assertThat(CliTest.run(env, "snapshot", saved.toString()).code()).isZero();

    String live = CliTest.run(env, "doctor").out().lines().findFirst().orElseThrow();
    String copy =
        CliTest.run("doctor", "--path.rootfs", saved.toString())
            .out()
            .lines()
            .findFirst()
            .orElseThrow();

    assertThat(live).matches("oomlens doctor: \\S+, kernel \\S+, up 1d 01h");
    assertThat(copy).isEqualTo(live);
    assertThat(saved.resolve("proc/uptime")).hasContent("90061.52 170000.11\n");
    assertThat(saved.resolve("proc/sys/kernel/osrelease"))
        .hasSameTextualContentAs(root.resolve("proc/sys/kernel/osrelease"));
    assertThat(saved.resolve("proc/sys/kernel/hostname"))
        .hasSameTextualContentAs(root.resolve("proc/sys/kernel/hostname"));
  }

  private static void copy(Path from, Path to) throws IOException {
    try (var files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  /**
   * The document with each finding's evidence in file and line order of the names as replaced:
   * findings sort their evidence by file name, and the live log's name sorts apart from the saved
   * file's.
   */
  private static JsonNode normalized(String json) throws IOException {
    JsonNode doc = JSON.readTree(json);
    for (JsonNode finding : doc.get("findings")) {
      ArrayNode evidence = (ArrayNode) finding.get("evidence");
      List<JsonNode> sorted = new ArrayList<>();
      evidence.forEach(sorted::add);
      sorted.sort(
          Comparator.comparing((JsonNode e) -> e.path("file").asText(e.path("path").asText()))
              .thenComparingLong(e -> e.get("line").asLong()));
      evidence.removeAll();
      evidence.addAll(sorted);
    }
    return doc;
  }

  @Test
  void snapshot_noKernelLogReadable_savesTheHostAndExits3() {
    Path root = Path.of("..", "oomlens-host", "src", "test", "resources", "hosts", "zram-swap");
    Environment env =
        new Environment(
            InputStream.nullInputStream(),
            Clock.systemUTC(),
            HostPaths.under(root),
            CliTest.unreadable("/dev/kmsg"),
            CliTest.unreadable("journalctl -k -b"),
            CliTest.unreadable(KillerJournalReader.NAME));
    Path saved = dir.resolve("snap");
    CliTest.Run r = CliTest.run(env, "snapshot", saved.toString());
    assertThat(r.code()).isEqualTo(ExitCodes.INPUT);
    assertThat(r.err())
        .contains("no kernel log of this machine can be read")
        .contains("oomlens: cannot read " + KillerJournalReader.NAME + ": permission denied\n");
    assertThat(saved.resolve("proc/meminfo")).exists();
    assertThat(saved.resolve("kernel.log")).doesNotExist();
    assertThat(saved.resolve("killers.log")).doesNotExist();
  }

  @Test
  void snapshot_noKernelLogReadable_doctorOnItSaysUnknownNotNoKill() throws IOException {
    Path root = Path.of("..", "oomlens-host", "src", "test", "resources", "hosts", "zram-swap");
    Environment env =
        new Environment(
            InputStream.nullInputStream(),
            Clock.systemUTC(),
            HostPaths.under(root),
            CliTest.unreadable("/dev/kmsg"),
            CliTest.unreadable("journalctl -k -b"),
            CliTest.noKillers());
    Path saved = dir.resolve("snap");
    Files.createDirectories(saved);
    Files.writeString(saved.resolve("kernel.log"), "6,1,100,-;left by an earlier snapshot\n");
    assertThat(CliTest.run(env, "snapshot", saved.toString()).code()).isEqualTo(ExitCodes.INPUT);
    assertThat(saved.resolve("kernel.log")).as("left by an earlier snapshot").doesNotExist();
    assertThat(Files.readString(saved.resolve("oomlens-manifest.txt")))
        .contains(
            "\nunreadable\tkernel.log\t/dev/kmsg, journalctl -k -b\tcannot read /dev/kmsg:"
                + " permission denied; cannot read journalctl -k -b: permission denied\n")
        .contains("\nread\tkillers.log\t" + KillerJournalReader.NAME + "\n")
        .contains("\nread\tproc/meminfo\t" + root.resolve("proc/meminfo") + "\n");

    CliTest.Run doctor = CliTest.run("doctor", "--path.rootfs", saved.toString());

    assertThat(doctor.code()).isEqualTo(ExitCodes.INPUT);
    assertThat(doctor.out())
        .contains(
            "\nConfirmed: unknown: "
                + saved.resolve("kernel.log")
                + ": the snapshot could not save the kernel log");
    assertThat(doctor.err())
        .isEqualTo(
            "oomlens: "
                + saved.resolve("kernel.log")
                + ": the"
                + " snapshot could not save the kernel log (cannot read /dev/kmsg: permission denied;"
                + " cannot read journalctl -k -b: permission denied); what it holds is unknown\n");
  }

  @Test
  void snapshot_vmMemory_isAUsageErrorSinceItIsNotSaved() {
    CliTest.Run r = CliTest.run("snapshot", "--vm-memory", "4G", dir.resolve("snap").toString());
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err())
        .startsWith(
            "oomlens: --vm-memory is not saved in a snapshot; give it to"
                + " doctor when it reads the snapshot\n");
    assertThat(dir.resolve("snap")).doesNotExist();
  }

  @Test
  void snapshot_noKillersJournal_savesTheKernelLogAndExits0() throws IOException {
    Path root = Path.of("..", "oomlens-host", "src", "test", "resources", "hosts", "zram-swap");
    Environment env =
        new Environment(
            InputStream.nullInputStream(),
            Clock.systemUTC(),
            HostPaths.under(root),
            CliTest.live("/dev/kmsg", "6,1,100,-;Linux version 6.8.0\n"),
            CliTest.unreadable("journalctl -k -b"),
            CliTest.unreadable(KillerJournalReader.NAME));
    Path saved = dir.resolve("snap");
    Files.createDirectories(saved);
    Files.writeString(saved.resolve("killers.log"), KILLERS);

    CliTest.Run r = CliTest.run(env, "snapshot", saved.toString());

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err())
        .isEqualTo("oomlens: cannot read " + KillerJournalReader.NAME + ": permission denied\n");
    assertThat(r.out()).endsWith("Diagnose it with: oomlens doctor --path.rootfs " + saved + "\n");
    assertThat(saved.resolve("kernel.log")).exists();
    assertThat(saved.resolve("killers.log")).as("left by an earlier snapshot").doesNotExist();
  }

  @Test
  void snapshot_killersJournalWithoutRecords_savesAnEmptyFileThatDoctorReads() {
    Path root = Path.of("..", "oomlens-host", "src", "test", "resources", "hosts", "zram-swap");
    Environment env =
        new Environment(
            InputStream.nullInputStream(),
            Clock.systemUTC(),
            HostPaths.under(root),
            CliTest.live("/dev/kmsg", "6,1,100,-;Linux version 6.8.0\n"),
            CliTest.unreadable("journalctl -k -b"),
            CliTest.noKillers());
    Path saved = dir.resolve("snap");

    CliTest.Run r = CliTest.run(env, "snapshot", saved.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(saved.resolve("killers.log")).isEmptyFile();

    CliTest.Run doctor =
        CliTest.run(
            "doctor",
            "--path.rootfs",
            saved.toString(),
            "--kernel-log",
            saved.resolve("kernel.log").toString(),
            saved.resolve("killers.log").toString());
    assertThat(doctor.code()).as(doctor.err()).isZero();
    assertThat(doctor.out()).contains("Confirmed: no OOM kill");
  }
}
