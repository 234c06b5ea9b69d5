package dev.oomlens.host.journal;

/*
 * journalctl(1): -k (--dmesg) keeps the kernel's messages and implies the current boot, -b makes
 * that explicit, --no-pager keeps it from waiting on a terminal, and -o short-iso-precise prints
 * "2026-02-03T19:57:08.123456+00:00 host kernel: message", the one journal format that carries the
 * year, the zone and microseconds (Framing.SYSLOG_ISO). journalctl prints lines of its own
 * framed as "-- ... --" ("-- No entries --", "-- Boot 1a2b... --", "-- Logs begin at ... --" on
 * older versions); they are dropped here, since a kernel line always starts with its timestamp.
 * Without journal files it prints "-- No entries --" on stdout, "No journal files were found."
 * on stderr, and exits 0.
 */

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Reads the kernel messages of the current boot from the systemd journal by running {@code
 * journalctl -k -b -o short-iso-precise --no-pager}, and hands its output over as a stream of
 * lines.
 *
 * <p>Never throws and never waits without bound: when journalctl is missing, fails, finds no
 * journal or runs past the time limit, the stream ends and a {@link Problem} says so.
 */
public final class JournalReader {
  /** The journalctl arguments: kernel messages of this boot, the ISO format with microseconds. */
  public static final List<String> ARGUMENTS =
      List.of("-k", "-b", "-o", "short-iso-precise", "--no-pager");

  /** The name problems and findings cite for what this reader reads. */
  public static final String NAME = "journalctl -k -b";

  /** The longest journalctl may run; a large journal on a slow disk takes seconds, not minutes. */
  public static final Duration DEFAULT_TIME_LIMIT = Duration.ofSeconds(60);

  static final JournalQuery KERNEL =
      new JournalQuery(
          NAME,
          ARGUMENTS,
          "kernel messages",
          "read /dev/kmsg as root or pass a saved log",
          Optional.of(
              "the journal holds no kernel messages for this boot (journald may not be"
                  + " reading the kernel log)"),
          OptionalInt.empty());

  private final JournalQuery query;
  private final String executable;
  private final String searchPath;
  private final Duration timeLimit;
  private final Optional<Path> directory;

  JournalReader(String executable, String searchPath, Duration timeLimit) {
    this(KERNEL, executable, searchPath, timeLimit, Optional.empty());
  }

  JournalReader(
      JournalQuery query,
      String executable,
      String searchPath,
      Duration timeLimit,
      Optional<Path> directory) {
    this.query = Objects.requireNonNull(query, "query");
    this.executable = Objects.requireNonNull(executable, "executable");
    this.searchPath = Objects.requireNonNullElse(searchPath, "");
    this.timeLimit = Objects.requireNonNull(timeLimit, "timeLimit");
    this.directory = Objects.requireNonNull(directory, "directory");
    if (timeLimit.isNegative() || timeLimit.isZero()) {
      throw new IllegalArgumentException("timeLimit=" + timeLimit);
    }
  }

  /** A reader running the {@code journalctl} found on this process's {@code PATH}. */
  public static JournalReader ofThisMachine() {
    return new JournalReader("journalctl", System.getenv("PATH"), DEFAULT_TIME_LIMIT);
  }

  /** This reader, stopping journalctl after {@code limit}. */
  public JournalReader timeLimit(Duration limit) {
    return new JournalReader(query, executable, searchPath, limit, directory);
  }

  /**
   * This reader, reading the journal files in {@code dir} ({@code -D}) instead of the system's, and
   * citing them as {@code journalctl -D dir ...}. With {@code -D}, {@code -b} is the last boot the
   * files hold (journalctl takes the running boot only for the system's own journal).
   */
  public JournalReader directory(Path dir) {
    return new JournalReader(
        query.inDirectory(dir), executable, searchPath, timeLimit, Optional.of(dir));
  }

  /** Where journalctl is: the executable itself when given as a path, else its PATH lookup. */
  public Optional<Path> locate() {
    if (executable.contains("/")) {
      Path path = Path.of(executable);
      return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
    }
    for (String dir : searchPath.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, executable);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** The command line this reader runs, with journalctl as found (or as named when not found). */
  public List<String> command() {
    List<String> command = new ArrayList<>();
    command.add(locate().map(Path::toString).orElse(executable));
    directory.ifPresent(
        d -> {
          command.add("-D");
          command.add(d.toString());
        });
    command.addAll(query.arguments());
    return List.copyOf(command);
  }

  /** Starts journalctl. Never throws: what goes wrong is in the log's problems. */
  public JournalLog open() {
    Optional<Path> found = locate();
    if (found.isEmpty()) {
      return JournalLog.failed(
          query,
          "cannot read the journal: "
              + executable
              + " was not found on the PATH (no systemd journal here?)");
    }
    return JournalLog.start(query, command(), timeLimit);
  }
}
