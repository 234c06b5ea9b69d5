package dev.oomlens.host.snapshot;

import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.host.paths.HostPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Saves the files a {@link HostReader} reads, byte for byte as they were parsed, into a directory
 * laid out like the host ({@code dir/proc/meminfo}, {@code dir/sys/fs/cgroup/...}), so that
 * reading {@code HostPaths.under(dir)} elsewhere gives the same evidence.
 *
 * <p>An entry whose presence is the evidence (the device link in the virtio_balloon driver's
 * directory) is saved as an empty file of the same name: a plain file survives tar, zip and git,
 * where a dangling link may not.
 */
public final class SnapshotWriter {
  private SnapshotWriter() {}

  /**
   * Reads the host at {@code paths} and writes what was read under {@code dir}.
   *
   * @return the snapshot as read, problems included
   * @throws IOException when {@code dir} cannot be written
   */
  public static HostSnapshot write(HostPaths paths, Path dir) throws IOException {
    FileAccess access = new FileAccess(true);
    HostSnapshot snapshot = HostReader.read(paths, OptionalLong.empty(), access);
    for (Map.Entry<Path, byte[]> file : access.files().entrySet()) {
      Path target = dir.resolve(relative(paths, file.getKey()));
      Files.createDirectories(target.getParent());
      Files.write(target, file.getValue());
    }
    for (Path marker : access.markers()) {
      Path target = dir.resolve(relative(paths, marker));
      Files.createDirectories(target.getParent());
      if (!Files.exists(target)) {
        Files.createFile(target);
      }
    }
    return snapshot;
  }

  /** Where a file of the host goes in the saved tree: proc/..., sys/..., or as under the root. */
  static Path relative(HostPaths paths, Path file) {
    if (file.startsWith(paths.proc())) {
      return Path.of("proc").resolve(paths.proc().relativize(file).toString());
    }
    if (file.startsWith(paths.sys())) {
      return Path.of("sys").resolve(paths.sys().relativize(file).toString());
    }
    if (file.startsWith(paths.root())) {
      return Path.of(paths.root().relativize(file).toString());
    }
    throw new IllegalArgumentException(file + " is outside " + paths);
  }
}
