package dev.oomlens.host.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.core.model.Problem;
import dev.oomlens.host.LiveLog;
import dev.oomlens.host.paths.HostPaths;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SnapshotWriterTest {

  /** Paths are cited as read, so two trees compare equal once each root is written the same way. */
  private static String normalized(HostSnapshot s, Path root) {
    return s.toString().replace(root.toString(), "<root>");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "this-machine-cgroupv1",
        "cgroupv2-pod-oomkilled",
        "zram-swap",
        "ballooned",
        "no-memavailable",
        "no-psi"
      })
  void write_thenReadTheCopy_givesTheSameSnapshot(String scenario, @TempDir Path dir)
      throws IOException {
    Path original = Fixtures.root(scenario);

    HostSnapshot written = SnapshotWriter.write(HostPaths.under(original), dir);
    HostSnapshot copy =
        HostReader.read(
            new HostPaths(dir.resolve("proc"), dir.resolve("sys"), dir), OptionalLong.empty());

    assertThat(normalized(copy, dir)).isEqualTo(normalized(written, original));
    assertThat(normalized(written, original))
        .isEqualTo(
            normalized(HostReader.read(HostPaths.under(original), OptionalLong.empty()), original));
  }

  @ParameterizedTest
  @ValueSource(strings = {"cgroupv2-pod-oomkilled"})
  void write_copiesOnlyWhatIsRead(String scenario, @TempDir Path dir) throws IOException {
    SnapshotWriter.write(HostPaths.under(Fixtures.root(scenario)), dir);

    try (Stream<Path> files = Files.walk(dir)) {
      assertThat(
              files
                  .filter(Files::isRegularFile)
                  .map(p -> dir.relativize(p).toString())
                  .filter(p -> p.contains("init.scope")))
          .containsExactly(
              "sys/fs/cgroup/init.scope/memory.max", "sys/fs/cgroup/init.scope/memory.high");
    }
    assertThat(dir.resolve("sys/fs/cgroup/kubepods.slice/memory.events")).exists();
    assertThat(dir.resolve("proc/meminfo"))
        .hasSameTextualContentAs(Fixtures.root(scenario).resolve("proc/meminfo"));
  }

  @Test
  void saveHost_savesHostnameKernelReleaseAndUptime(@TempDir Path dir) throws IOException {
    Path root = copyOf("zram-swap", dir.resolve("host"));
    Files.writeString(root.resolve("proc/uptime"), "90061.52 170000.11\n");
    Path saved = dir.resolve("snap");

    SnapshotWriter.write(HostPaths.under(root), saved);

    for (String file :
        List.of("proc/uptime", "proc/sys/kernel/hostname", "proc/sys/kernel/osrelease")) {
      assertThat(saved.resolve(file)).as(file).hasSameBinaryContentAs(root.resolve(file));
    }
    assertThat(Files.readAllLines(saved.resolve(SnapshotManifest.FILE_NAME)))
        .contains(
            "read\tproc/uptime\t" + root.resolve("proc/uptime"),
            "read\tproc/sys/kernel/osrelease\t" + root.resolve("proc/sys/kernel/osrelease"));
  }

  /**
   * A host file that is there but cannot be read leaves no file in the snapshot, and the copy says
   * it could not be read, never that the host lacks it.
   */
  @Test
  void saveHost_unreadableFile_isNamedInTheManifestAndReadBackAsUnreadable(@TempDir Path dir)
      throws IOException {
    Path root = copyOf("zram-swap", dir.resolve("host"));
    Files.delete(root.resolve("proc/pressure/memory"));
    // A directory where the file should be: unreadable, even for root.
    Files.createDirectories(root.resolve("proc/pressure/memory"));
    Path saved = dir.resolve("snap");

    HostSnapshot live = SnapshotWriter.write(HostPaths.under(root), saved);
    HostSnapshot copy = HostReader.read(HostPaths.under(saved), OptionalLong.empty());

    assertThat(live.problems())
        .extracting(Problem::message)
        .containsExactly("is a directory, not a file");
    assertThat(saved.resolve("proc/pressure/memory")).doesNotExist();
    assertThat(Files.readAllLines(saved.resolve(SnapshotManifest.FILE_NAME)))
        .contains(
            "unreadable\tproc/pressure/memory\t"
                + root.resolve("proc/pressure/memory")
                + "\tis a directory, not a file");
    assertThat(copy.memoryPressure()).isEmpty();
    assertThat(copy.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.file()).isEqualTo(saved.resolve("proc/pressure/memory").toString());
              assertThat(p.kind()).isEqualTo(Problem.Kind.UNREADABLE);
              assertThat(p.message())
                  .isEqualTo(
                      "could not be read when the snapshot was taken (is a"
                          + " directory, not a file); what it holds is unknown");
            });
  }

  @Test
  void saveLog_firstReadableSourceIsSavedWithItsProblems(@TempDir Path dir) throws IOException {
    SnapshotWriter writer = SnapshotWriter.into(dir);
    Problem lost = new Problem("journalctl -k -b", 0, "journalctl did not finish");

    SnapshotWriter.SavedLog saved =
        writer.saveLog(
            "kernel.log",
            List.of(
                () -> new FakeLog("/dev/kmsg", "", List.of(new Problem("/dev/kmsg", 0, "denied"))),
                () -> new FakeLog("journalctl -k -b", "a\nb\n", List.of(lost))));
    writer.finish();

    assertThat(saved.source()).hasValue("journalctl -k -b");
    assertThat(saved.problems()).containsExactly(lost);
    assertThat(dir.resolve("kernel.log")).hasContent("a\nb\n");
    assertThat(dir.resolve("kernel.log.partial")).doesNotExist();
    SnapshotManifest manifest = SnapshotManifest.read(dir).orElseThrow();
    assertThat(manifest.entry("kernel.log"))
        .hasValueSatisfying(
            e -> {
              assertThat(e.read()).isTrue();
              assertThat(e.source()).isEqualTo("journalctl -k -b");
              assertThat(e.problems())
                  .containsExactly(new Problem("kernel.log", 0, "journalctl did not finish"));
            });
  }

  @Test
  void saveLog_noSourceReadable_leavesNoFileNotEvenAnEarlierOne(@TempDir Path dir)
      throws IOException {
    Files.writeString(dir.resolve("killers.log"), "from an earlier snapshot\n");
    Files.writeString(dir.resolve(SnapshotManifest.FILE_NAME), SnapshotManifest.MAGIC + "\n");
    SnapshotWriter writer = SnapshotWriter.into(dir);
    assertThat(dir.resolve(SnapshotManifest.FILE_NAME)).as("until finish()").doesNotExist();

    SnapshotWriter.SavedLog saved =
        writer.saveLog(
            "killers.log",
            List.of(
                () ->
                    new FakeLog(
                        "journalctl -b (OOM killers)",
                        "",
                        List.of(
                            new Problem(
                                "journalctl -b (OOM killers)",
                                0,
                                "no systemd journal on this machine")))));
    writer.finish();

    assertThat(saved.saved()).isFalse();
    assertThat(dir.resolve("killers.log")).doesNotExist();
    assertThat(SnapshotManifest.read(dir).orElseThrow().entry("killers.log"))
        .hasValueSatisfying(
            e -> assertThat(e.unreadable()).hasValue("no systemd journal on this machine"));
  }

  @Test
  void manifest_textReadsBackAsWritten() {
    SnapshotManifest manifest =
        new SnapshotManifest(
            List.of(
                new SnapshotManifest.Entry(
                    "proc/meminfo", "/proc/meminfo", Optional.empty(), List.of()),
                new SnapshotManifest.Entry(
                    "kernel.log",
                    "/dev/kmsg",
                    Optional.empty(),
                    List.of(
                        new Problem(
                            "kernel.log", 12, "records 5..9\twere lost", Problem.Kind.LINE))),
                new SnapshotManifest.Entry(
                    "killers.log",
                    "journalctl -b (OOM killers)",
                    Optional.of("no journal\nhere"),
                    List.of())));

    SnapshotManifest back = SnapshotManifest.parse(manifest.text().lines().toList());

    assertThat(back.entries())
        .extracting(SnapshotManifest.Entry::path)
        .containsExactly("proc/meminfo", "kernel.log", "killers.log");
    assertThat(back.entry("kernel.log").orElseThrow().problems())
        .containsExactly(
            new Problem("kernel.log", 12, "records 5..9 were lost", Problem.Kind.LINE));
    assertThat(back.entry("killers.log").orElseThrow().unreadable()).hasValue("no journal here");
    assertThat(manifest.text()).startsWith(SnapshotManifest.MAGIC + "\n");
  }

  private static Path copyOf(String scenario, Path to) throws IOException {
    Path from = Fixtures.root(scenario);
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    return to;
  }

  /** A live log over fixed text and problems. */
  private record FakeLog(String name, String text, List<Problem> problems) implements LiveLog {
    @Override
    public InputStream stream() {
      return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {}
  }
}
