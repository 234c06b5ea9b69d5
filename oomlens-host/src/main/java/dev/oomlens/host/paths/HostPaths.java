package dev.oomlens.host.paths;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a host's procfs, sysfs and root file system are mounted: {@code /proc}, {@code /sys} and
 * {@code /} on the machine itself, {@code /host/proc}... in a pod that mounts the host, or a
 * directory holding a saved snapshot or a test fixture.
 *
 * <p>The command-line names are node_exporter's: {@code --path.procfs}, {@code --path.sysfs},
 * {@code --path.rootfs}. One difference: when only {@code --path.rootfs} is given, procfs and sysfs
 * default to {@code proc} and {@code sys} under it, so a host mounted at {@code /host} needs one
 * flag instead of three.
 */
public record HostPaths(Path proc, Path sys, Path root) {
  /** This machine: {@code /proc}, {@code /sys}, {@code /}. */
  public static final HostPaths DEFAULT =
      new HostPaths(Path.of("/proc"), Path.of("/sys"), Path.of("/"));

  public HostPaths {
    requireNonNull(proc, "proc");
    requireNonNull(sys, "sys");
    requireNonNull(root, "root");
  }

  /** A host tree laid out like a real one: {@code dir/proc}, {@code dir/sys}, {@code dir}. */
  public static HostPaths under(Path dir) {
    return new HostPaths(dir.resolve("proc"), dir.resolve("sys"), dir);
  }

  /** The paths the three flags give; an empty flag takes its default. */
  public static HostPaths fromFlags(
      Optional<Path> procfs, Optional<Path> sysfs, Optional<Path> rootfs) {
    Path root = rootfs.orElse(Path.of("/"));
    return new HostPaths(
        procfs.orElse(root.resolve("proc")), sysfs.orElse(root.resolve("sys")), root);
  }
}
