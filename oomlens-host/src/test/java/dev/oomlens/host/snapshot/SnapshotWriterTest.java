package dev.oomlens.host.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.host.paths.HostPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SnapshotWriterTest {

  /** Paths are cited as read, so two trees compare equal once each root is written the same way. */
  private static String normalized(HostSnapshot s, Path root) {
    return s.toString().replace(root.toString(), "<root>");
  }

  @ParameterizedTest
  @ValueSource(strings = {"this-machine-cgroupv1", "cgroupv2-pod-oomkilled", "zram-swap",
      "ballooned", "no-memavailable", "no-psi"})
  void write_thenReadTheCopy_givesTheSameSnapshot(String scenario, @TempDir Path dir)
      throws IOException {
    Path original = Fixtures.root(scenario);

    HostSnapshot written = SnapshotWriter.write(HostPaths.under(original), dir);
    HostSnapshot copy = HostReader.read(
        new HostPaths(dir.resolve("proc"), dir.resolve("sys"), dir), OptionalLong.empty());

    assertThat(normalized(copy, dir)).isEqualTo(normalized(written, original));
    assertThat(normalized(written, original)).isEqualTo(
        normalized(HostReader.read(HostPaths.under(original), OptionalLong.empty()), original));
  }

  @ParameterizedTest
  @ValueSource(strings = {"cgroupv2-pod-oomkilled"})
  void write_copiesOnlyWhatIsRead(String scenario, @TempDir Path dir) throws IOException {
    SnapshotWriter.write(HostPaths.under(Fixtures.root(scenario)), dir);

    try (Stream<Path> files = Files.walk(dir)) {
      assertThat(files.filter(Files::isRegularFile)
          .map(p -> dir.relativize(p).toString())
          .filter(p -> p.contains("init.scope"))).containsExactly(
              "sys/fs/cgroup/init.scope/memory.max", "sys/fs/cgroup/init.scope/memory.high");
    }
    assertThat(dir.resolve("sys/fs/cgroup/kubepods.slice/memory.events")).exists();
    assertThat(dir.resolve("proc/meminfo")).hasSameTextualContentAs(
        Fixtures.root(scenario).resolve("proc/meminfo"));
  }
}
