package dev.oomlens.cli;

import dev.oomlens.host.paths.HostPaths;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import picocli.CommandLine.Option;

/**
 * {@code --path.procfs}, {@code --path.sysfs}, {@code --path.rootfs} (node_exporter's names) and
 * {@code --vm-memory}: which host's /proc and /sys are read, and what size its VM was given.
 */
final class HostOptions {
  @Option(
      names = "--path.procfs",
      paramLabel = "DIR",
      description = "procfs mountpoint. Default: /proc, or proc under --path.rootfs.")
  Path procfs;

  @Option(
      names = "--path.sysfs",
      paramLabel = "DIR",
      description = "sysfs mountpoint. Default: /sys, or sys under --path.rootfs.")
  Path sysfs;

  @Option(
      names = "--path.rootfs",
      paramLabel = "DIR",
      description =
          "Root of the host's file system (a host mounted at /host, a saved"
              + " snapshot). Default: /.")
  Path rootfs;

  @Option(
      names = "--vm-memory",
      paramLabel = "SIZE",
      converter = SizeConverter.class,
      description =
          "The memory this VM was configured with (e.g. 4Gi; "
              + SizeConverter.HELP
              + "), to tell a balloon that took memory back.")
  Long vmMemoryBytes;

  /** True when one of the --path flags was given. */
  boolean anyPath() {
    return procfs != null || sysfs != null || rootfs != null;
  }

  /** The paths the flags give, each defaulting to {@code thisMachine}'s when no flag is given. */
  HostPaths paths(HostPaths thisMachine) {
    if (!anyPath()) {
      return thisMachine;
    }
    return HostPaths.fromFlags(
        Optional.ofNullable(procfs), Optional.ofNullable(sysfs), Optional.ofNullable(rootfs));
  }

  OptionalLong vmMemory() {
    return vmMemoryBytes == null ? OptionalLong.empty() : OptionalLong.of(vmMemoryBytes);
  }
}
