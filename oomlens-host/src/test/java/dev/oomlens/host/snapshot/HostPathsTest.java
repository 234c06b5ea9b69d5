package dev.oomlens.host.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.host.paths.HostPaths;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HostPathsTest {
  @Test
  void fromFlags_noFlags_areTheMachinesOwn() {
    assertThat(HostPaths.fromFlags(Optional.empty(), Optional.empty(), Optional.empty()))
        .isEqualTo(HostPaths.DEFAULT);
  }

  @Test
  void fromFlags_rootfsOnly_putsProcAndSysUnderIt() {
    HostPaths p =
        HostPaths.fromFlags(Optional.empty(), Optional.empty(), Optional.of(Path.of("/host")));
    assertThat(p.proc()).isEqualTo(Path.of("/host/proc"));
    assertThat(p.sys()).isEqualTo(Path.of("/host/sys"));
  }

  @Test
  void fromFlags_explicitProcfsWins() {
    HostPaths p =
        HostPaths.fromFlags(
            Optional.of(Path.of("/hostproc")), Optional.empty(), Optional.of(Path.of("/host")));
    assertThat(p.proc()).isEqualTo(Path.of("/hostproc"));
    assertThat(p.sys()).isEqualTo(Path.of("/host/sys"));
  }

  @Test
  void relative_mapsEachMountIntoTheSavedLayout() {
    HostPaths p = new HostPaths(Path.of("/hostproc"), Path.of("/x/sys"), Path.of("/x"));
    assertThat(SnapshotWriter.relative(p, Path.of("/hostproc/pressure/memory")))
        .isEqualTo(Path.of("proc/pressure/memory"));
    assertThat(SnapshotWriter.relative(p, Path.of("/x/sys/block/zram0/mm_stat")))
        .isEqualTo(Path.of("sys/block/zram0/mm_stat"));
  }
}
