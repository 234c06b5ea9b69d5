package dev.oomlens.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Memory cgroups (v1) on the real kernel for the agent's tests, shaped like a Kubernetes
 * container's path under a root of this run's own, and hogs run in them. Everything it made is
 * taken down in {@link #close()}: its processes by handle, then its cgroups, children first.
 */
final class CgroupLab implements AutoCloseable {
  static final Path MEMORY_ROOT = Path.of("/sys/fs/cgroup/memory");

  private final Path workDir;
  private final Deque<Path> created = new ArrayDeque<>();
  private final List<Process> processes = new ArrayList<>();

  CgroupLab(Path workDir) {
    this.workDir = workDir;
  }

  /** Why the real-kernel tests cannot run here, or empty when they can. */
  static Optional<String> whyNot() {
    try {
      boolean root =
          Files.readAllLines(Path.of("/proc/self/status")).stream()
              .filter(l -> l.startsWith("Uid:"))
              .anyMatch(l -> l.split("\\s+")[2].equals("0"));
      if (!root) {
        return Optional.of("not running as root (cgroups need it)");
      }
    } catch (IOException e) {
      return Optional.of("cannot read /proc/self/status");
    }
    if (!Files.isRegularFile(MEMORY_ROOT.resolve("memory.limit_in_bytes"))) {
      return Optional.of("no cgroup v1 memory controller at " + MEMORY_ROOT);
    }
    if (!Files.isReadable(Path.of("/dev/kmsg"))) {
      return Optional.of("/dev/kmsg is not readable");
    }
    if (!Files.isExecutable(Path.of("/usr/bin/tail"))) {
      return Optional.of("/usr/bin/tail is missing");
    }
    return Optional.empty();
  }

  /** A fresh pod UID and container id under a root of this run's own. */
  record Container(String path, String podUid, String containerId) {}

  static Container container() {
    byte[] b = new byte[32];
    new java.security.SecureRandom().nextBytes(b);
    String uid = UUID.randomUUID().toString();
    String id = HexFormat.of().formatHex(b);
    String root = "/oomlens-agent-" + HexFormat.of().formatHex(b, 0, 4);
    return new Container(root + "/kubepods/burstable/pod" + uid + "/" + id, uid, id);
  }

  /** Creates the cgroup at {@code path} and its missing parents, with a memory limit. */
  Path cgroup(String path, long limitBytes) throws IOException {
    Path dir = MEMORY_ROOT;
    for (String part : path.substring(1).split("/")) {
      dir = dir.resolve(part);
      if (!Files.isDirectory(dir)) {
        Files.createDirectory(dir);
        created.push(dir);
      }
    }
    Files.writeString(dir.resolve("memory.limit_in_bytes"), Long.toString(limitBytes));
    return dir;
  }

  /** A copy of tail named {@code name}: run on /dev/zero it grows until it is killed. */
  Path hog(String name) throws IOException {
    Path copy = workDir.resolve(name);
    Files.copy(
        Path.of("/usr/bin/tail"),
        copy,
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.COPY_ATTRIBUTES);
    return copy;
  }

  /** Starts {@code command} inside {@code cgroup} (a shell joins it, then execs). */
  Process start(Path cgroup, String... command) throws IOException {
    List<String> argv =
        new ArrayList<>(
            List.of(
                "/bin/sh",
                "-c",
                "echo $$ > \"$0\" && exec \"$@\"",
                cgroup.resolve("cgroup.procs").toString()));
    argv.addAll(List.of(command));
    Process p =
        new ProcessBuilder(argv)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    processes.add(p);
    return p;
  }

  /** Runs a hog in {@code cgroup} until the OOM killer ends it; returns its pid. */
  long killOnce(Path cgroup, Path hog) throws Exception {
    Process p = start(cgroup, hog.toString(), "/dev/zero");
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("hog " + p.pid() + " still runs after 30 s");
    }
    processes.remove(p);
    return p.pid();
  }

  @Override
  public void close() throws Exception {
    for (Process p : processes) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    List<String> failures = new ArrayList<>();
    while (!created.isEmpty()) {
      Path dir = created.pop();
      for (int i = 0; i < 50; i++) {
        try {
          Files.delete(dir);
          break;
        } catch (IOException e) {
          if (i == 49) {
            failures.add(dir + ": " + e);
          }
          Thread.sleep(100); // a killed task leaves its cgroup a moment after it exits
        }
      }
    }
    if (!failures.isEmpty()) {
      throw new IOException("could not remove cgroups: " + failures);
    }
  }
}
