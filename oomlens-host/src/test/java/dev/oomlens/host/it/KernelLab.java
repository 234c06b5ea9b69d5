package dev.oomlens.host.it;

import static org.assertj.core.api.Assertions.fail;

import dev.oomlens.host.kmsg.KmsgLog;
import dev.oomlens.host.kmsg.KmsgReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A throw-away laboratory on the real kernel: memory cgroups (v1) shaped like real container paths,
 * processes started inside them with a chosen {@code oom_score_adj}, tmpfs mounts, and the kernel
 * log read from a noted sequence number on.
 *
 * <p>Everything it makes it takes down in {@link #close()}, in reverse order, even after a failed
 * test: the processes it started (by their handles, nothing else), then the mounts, then the
 * cgroups (children first). Parent cgroups it created are removed when empty; ones that existed
 * before are left alone.
 */
final class KernelLab implements AutoCloseable {
  static final Path MEMORY_ROOT = Path.of("/sys/fs/cgroup/memory");
  private static final SecureRandom RANDOM = new SecureRandom();

  /** oom_kill.c's report rate limit: this many reports, then none until 5 s have passed. */
  private static final int REPORTS_PER_WINDOW = 10;

  /** The window of that limit, with half a second for uptime and the log's clock to differ. */
  private static final long REPORT_WINDOW_MICROS = 5_500_000;

  /** The most kills one scenario makes: its victim, and a survivor killed by a second OOM. */
  private static final int KILLS_PER_SCENARIO = 3;

  /** A kill line as /dev/kmsg gives it: its timestamp (µs since boot) and the killed pid. */
  private static final Pattern KILL_RECORD =
      Pattern.compile("^\\d+,\\d+,(\\d+),[^;]*;.*\\bKilled process (\\d+) \\(");

  private final Path workDir;
  private final List<Process> processes = new ArrayList<>();
  private final Deque<Path> createdCgroups = new ArrayDeque<>();
  private final List<Path> leafCgroups = new ArrayList<>();
  private final Deque<Path> mounts = new ArrayDeque<>();

  KernelLab(Path workDir) {
    this.workDir = workDir;
  }

  /** Why this machine cannot run the real-kernel tests, or empty when it can. */
  static Optional<String> whyNot() {
    if (!isRoot()) {
      return Optional.of("not running as root (cgroups and oom_score_adj need it)");
    }
    if (!Files.isRegularFile(MEMORY_ROOT.resolve("memory.limit_in_bytes"))) {
      return Optional.of("no cgroup v1 memory controller at " + MEMORY_ROOT);
    }
    if (!Files.isReadable(KmsgReader.DEVICE)) {
      return Optional.of("/dev/kmsg is not readable");
    }
    if (!Files.isExecutable(Path.of("/usr/bin/tail")) || !Files.isExecutable(Path.of("/bin/sh"))) {
      return Optional.of("/usr/bin/tail or /bin/sh is missing");
    }
    return Optional.empty();
  }

  private static boolean isRoot() {
    try {
      return Files.readAllLines(Path.of("/proc/self/status")).stream()
          .filter(l -> l.startsWith("Uid:"))
          .anyMatch(l -> l.split("\\s+")[2].equals("0"));
    } catch (IOException e) {
      return false;
    }
  }

  /** A random pod UID, as the API server makes them. */
  static String podUid() {
    return java.util.UUID.randomUUID().toString();
  }

  /** A random 64-hex container id, as containerd and docker make them. */
  static String containerId() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /**
   * A cgroup root of this lab's own, as a kubelet started with {@code --cgroup-root} has one
   * ({@code /<root>/kubepods/...}): limiting a kubepods level under it cannot touch the tasks of a
   * real {@code /kubepods}, nor those of another run's.
   */
  static String privateRoot() {
    byte[] bytes = new byte[4];
    RANDOM.nextBytes(bytes);
    return "/oomlens-node-" + HexFormat.of().formatHex(bytes);
  }

  /**
   * The {@code java} launcher of a JDK: the one running this test, else the first under {@code
   * /usr/lib/jvm}; empty when there is none.
   */
  static Optional<Path> javaLauncher() {
    Path own = Path.of(System.getProperty("java.home"), "bin", "java");
    if (Files.isExecutable(own)) {
      return Optional.of(own);
    }
    try (var jdks = Files.list(Path.of("/usr/lib/jvm"))) {
      return jdks.sorted().map(j -> j.resolve("bin/java")).filter(Files::isExecutable).findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * Compiles one Java source file into the work directory with the compiler of the JVM running the
   * test, so the launcher of the same JDK runs it; returns the class directory.
   */
  Path compileJava(String className, String source) throws IOException {
    javax.tools.JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      fail("the JVM running the test has no Java compiler (a JRE, not a JDK)");
    }
    Path dir = Files.createDirectories(workDir.resolve("classes"));
    Path file = Files.writeString(dir.resolve(className + ".java"), source);
    java.io.ByteArrayOutputStream errors = new java.io.ByteArrayOutputStream();
    if (javac.run(null, null, errors, "-d", dir.toString(), file.toString()) != 0) {
      fail("compiling " + className + ": " + errors.toString(StandardCharsets.UTF_8));
    }
    return dir;
  }

  /**
   * The one report that killed {@code victimPid}, cut from the log: its records from the {@code
   * invoked oom-killer} line to the kill line, as the saved fixtures hold them.
   */
  static String reportOf(String log, long victimPid) {
    List<String> lines = log.lines().toList();
    int end = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains("Killed process " + victimPid + " (")) {
        end = i;
      }
    }
    if (end < 0) {
      fail("no kill of " + victimPid + " in the log");
    }
    int start = end;
    while (start > 0 && !lines.get(start).contains("invoked oom-killer")) {
      start--;
      if (lines.get(start).contains("Killed process ")) {
        break;
      }
    }
    if (!lines.get(start).contains("invoked oom-killer")) {
      fail(
          "the kernel printed only the kill line of "
              + victimPid
              + ", no report: its OOM report rate limit (10 per 5 s) was spent by other kills");
    }
    return String.join("\n", lines.subList(start, end + 1)) + "\n";
  }

  /**
   * With {@code -Doomlens.kmsg.save=DIR}, writes a report cut by {@link #reportOf} to {@code
   * DIR/<scenario>.kmsg}: how the real-kernel fixtures are made.
   */
  static void saveReport(String scenario, String report) throws IOException {
    String dir = System.getProperty("oomlens.kmsg.save", "");
    if (dir.isBlank()) {
      return;
    }
    Path file = Path.of(dir, scenario + ".kmsg");
    Files.createDirectories(file.getParent());
    Files.writeString(file, report);
    System.out.println("KernelLab: saved " + file);
  }

  /** The running kernel's release, as {@code uname -r} prints it. */
  static String kernelRelease() throws IOException {
    return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
  }

  /**
   * Creates the memory cgroup at {@code path} (as the kernel prints it, e.g. {@code
   * /kubepods/burstable/pod<uid>/<id>}) and any missing parents.
   */
  Path cgroup(String path) throws IOException {
    Path dir = MEMORY_ROOT;
    for (String part : path.substring(1).split("/")) {
      dir = dir.resolve(part);
      if (!Files.isDirectory(dir)) {
        try {
          Files.createDirectory(dir);
          createdCgroups.push(dir);
        } catch (java.nio.file.FileAlreadyExistsException e) {
          // Made by a run in parallel: use it, leave it to its maker.
        }
      }
    }
    leafCgroups.add(dir);
    return dir;
  }

  /** Sets {@code memory.limit_in_bytes}. */
  static void limit(Path cgroup, long bytes) throws IOException {
    Files.writeString(cgroup.resolve("memory.limit_in_bytes"), Long.toString(bytes));
  }

  /** A cgroup v1 file as the kernel shows it, stripped. */
  static String read(Path cgroup, String file) throws IOException {
    return Files.readString(cgroup.resolve(file)).strip();
  }

  /**
   * Copies a binary under a new name into the work directory, so processes run from it carry that
   * name as their {@code comm}.
   */
  Path binary(String installed, String name) throws IOException {
    Path copy = workDir.resolve(name);
    Files.copy(
        Path.of(installed),
        copy,
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.COPY_ATTRIBUTES);
    return copy;
  }

  /**
   * Starts {@code command} inside {@code cgroup} with {@code oomScoreAdj}: a shell moves itself
   * into the cgroup and sets the score, then execs the command, so the process is charged to the
   * cgroup and carries the score from its first allocation, under its own pid.
   */
  Process start(Path cgroup, int oomScoreAdj, String... command) throws IOException {
    return start(cgroup, oomScoreAdj, ProcessBuilder.Redirect.INHERIT, command);
  }

  /** {@link #start(Path, int, String...)} with the process's stderr sent to {@code stderr}. */
  Process start(Path cgroup, int oomScoreAdj, ProcessBuilder.Redirect stderr, String... command)
      throws IOException {
    List<String> argv =
        new ArrayList<>(
            List.of(
                "/bin/sh",
                "-c",
                "echo $$ > \"$0\" && echo "
                    + oomScoreAdj
                    + " > /proc/self/oom_score_adj && exec \"$@\"",
                cgroup.resolve("cgroup.procs").toString()));
    argv.addAll(List.of(command));
    Process process =
        new ProcessBuilder(argv).directory(workDir.toFile()).redirectError(stderr).start();
    processes.add(process);
    return process;
  }

  /** Waits (bounded) until {@code process} prints {@code word} on a line of its stdout. */
  static void awaitOutput(Process process, String word, Duration timeout) throws Exception {
    InputStream out = process.getInputStream();
    Thread waiter =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  try (BufferedReader r =
                      new BufferedReader(new InputStreamReader(out, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                      if (line.strip().equals(word)) {
                        return;
                      }
                    }
                  } catch (IOException e) {
                    // The process died; the caller sees the word did not come.
                  }
                });
    waiter.join(timeout);
    if (waiter.isAlive() || !process.isAlive()) {
      fail(
          "process "
              + process.pid()
              + " did not print '"
              + word
              + "' within "
              + timeout
              + (process.isAlive() ? "" : " (it exited with " + process.exitValue() + ")"));
    }
  }

  /** Waits (bounded) for a process to end and returns its exit status. */
  static int awaitExit(Process process, Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      fail("process " + process.pid() + " still runs after " + timeout);
    }
    return process.exitValue();
  }

  /** Mounts a small tmpfs on a new directory of the work directory. */
  Path tmpfs(String name, long sizeBytes) throws Exception {
    Path dir = Files.createDirectory(workDir.resolve(name));
    run("mount", "-t", "tmpfs", "-o", "size=" + sizeBytes, "oomlens-test", dir.toString());
    mounts.push(dir);
    return dir;
  }

  /**
   * The sequence number of the newest kernel log record, taken once the kernel will print whole
   * reports for the next scenario's kills. The kernel prints at most {@value #REPORTS_PER_WINDOW}
   * OOM reports per 5 s (oom_kill.c's rate limit, shared by every memory cgroup of the machine);
   * past it a kill leaves its one "Killed process" line and no report. Scenarios run back to back
   * reach that, so this waits (bounded) until the kills of the last 5 s leave room for {@value
   * #KILLS_PER_SCENARIO} more.
   */
  static long lastSequence() throws Exception {
    long start = System.nanoTime();
    long deadline = start + Duration.ofSeconds(10).toNanos();
    while (true) {
      long sequence;
      String text;
      try (KmsgLog log = KmsgReader.ofThisMachine().open()) {
        text = new String(log.stream().readAllBytes(), StandardCharsets.UTF_8);
        if (!log.problems().isEmpty()) {
          fail("reading /dev/kmsg: " + log.problems());
        }
        sequence = log.lastSequence().orElse(-1);
      }
      long now = uptimeMicros();
      long recentKills =
          text.lines()
              .map(KILL_RECORD::matcher)
              .filter(Matcher::find)
              .filter(m -> Long.parseLong(m.group(1)) > now - REPORT_WINDOW_MICROS)
              .count();
      boolean room = recentKills + KILLS_PER_SCENARIO <= REPORTS_PER_WINDOW;
      if (room || System.nanoTime() > deadline) {
        long waited = Duration.ofNanos(System.nanoTime() - start).toMillis();
        if (waited >= 250) {
          System.out.printf(
              "KernelLab: waited %d ms for the kernel's OOM report rate limit (%s)%n",
              waited, room ? "room for the next reports" : "still spent; going on");
        }
        return sequence;
      }
      Thread.sleep(250);
    }
  }

  /** Seconds since boot, in the microseconds the kernel log stamps its records with. */
  private static long uptimeMicros() throws IOException {
    String seconds = Files.readString(Path.of("/proc/uptime")).split(" ")[0];
    return new java.math.BigDecimal(seconds).movePointRight(6).longValue();
  }

  /** The pids the kernel killed in {@code log} (records as /dev/kmsg gives them), in order. */
  static List<Long> killedPids(String log) {
    List<Long> pids = new ArrayList<>();
    log.lines()
        .map(KILL_RECORD::matcher)
        .filter(Matcher::find)
        .forEach(m -> pids.add(Long.parseLong(m.group(2))));
    return pids;
  }

  /**
   * Waits (bounded) for {@code victim} to be killed and returns its exit status; when it still
   * runs, the failure names the kills the kernel made since {@code afterSequence} instead.
   */
  static int awaitKilled(Process victim, long afterSequence, Duration timeout) throws Exception {
    if (victim.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      return victim.exitValue();
    }
    String log;
    try (KmsgLog kmsg = KmsgReader.ofThisMachine().afterSequence(afterSequence).open()) {
      log = new String(kmsg.stream().readAllBytes(), StandardCharsets.UTF_8);
    }
    return fail(
        "process "
            + victim.pid()
            + " still runs after "
            + timeout
            + "; the kernel killed "
            + killedPids(log)
            + " since the scenario began");
  }

  /**
   * The kernel log records after {@code afterSequence}, read again every 100 ms until they hold the
   * kill line of {@code victimPid} (bounded by {@code timeout}).
   */
  static String awaitKill(long afterSequence, long victimPid, Duration timeout) throws Exception {
    String needle = "Killed process " + victimPid + " (";
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String text;
      try (KmsgLog log = KmsgReader.ofThisMachine().afterSequence(afterSequence).open()) {
        text = new String(log.stream().readAllBytes(), StandardCharsets.UTF_8);
        if (!log.problems().isEmpty()) {
          fail("reading /dev/kmsg: " + log.problems());
        }
      }
      if (text.contains(needle)) {
        return text;
      }
      if (System.nanoTime() - deadline > 0) {
        fail("no '" + needle + "' in the kernel log within " + timeout + "; it holds:\n" + text);
      }
      Thread.sleep(100);
    }
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (awaitExit(p, Duration.ofSeconds(10)) != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out.strip());
    }
  }

  @Override
  public void close() throws Exception {
    List<String> failures = new ArrayList<>();
    for (Process p : processes) {
      p.destroyForcibly();
    }
    for (Process p : processes) {
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        failures.add("process " + p.pid() + " did not end");
      }
    }
    while (!mounts.isEmpty()) {
      Path dir = mounts.pop();
      try {
        run("umount", dir.toString());
      } catch (Exception e) {
        failures.add(e.getMessage());
      }
    }
    while (!createdCgroups.isEmpty()) {
      Path dir = createdCgroups.pop();
      String problem = removeCgroup(dir);
      // A parent made by this lab may be in use by a run in parallel: that is no leak.
      if (problem != null && leafCgroups.contains(dir)) {
        failures.add(problem);
      }
    }
    if (!failures.isEmpty()) {
      throw new IllegalStateException("cleanup failed: " + String.join("; ", failures));
    }
  }

  /** Removes a cgroup, retrying while its killed tasks finish leaving; null when removed. */
  private static String removeCgroup(Path dir) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (true) {
      try {
        Files.deleteIfExists(dir);
        return null;
      } catch (DirectoryNotEmptyException e) {
        return "cgroup " + dir + " has children left";
      } catch (FileSystemException e) {
        if (System.nanoTime() - deadline > 0) {
          return "cannot remove cgroup " + dir + ": " + e.getReason();
        }
      } catch (IOException e) {
        return "cannot remove cgroup " + dir + ": " + e.getMessage();
      }
      Thread.sleep(50);
    }
  }
}
