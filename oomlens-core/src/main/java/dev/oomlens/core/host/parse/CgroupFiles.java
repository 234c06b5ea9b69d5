package dev.oomlens.core.host.parse;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The text of the memory controller's files in one cgroup directory, as read; a file the kernel
 * does not have is simply not in {@code files}.
 *
 * @param cgroupPath the cgroup as the kernel names it, {@code /} for the root
 * @param dirPath the directory as read (e.g. {@code /sys/fs/cgroup/system.slice/foo.service}), the
 *     prefix of every cited file
 * @param files file name to content
 */
public record CgroupFiles(String cgroupPath, String dirPath, Map<String, String> files) {
  public CgroupFiles {
    requireNonNull(cgroupPath, "cgroupPath");
    requireNonNull(dirPath, "dirPath");
    files = Collections.unmodifiableMap(new TreeMap<>(files));
  }

  Optional<String> text(String name) {
    return Optional.ofNullable(files.get(name));
  }

  String path(String name) {
    return dirPath.endsWith("/") ? dirPath + name : dirPath + "/" + name;
  }
}
