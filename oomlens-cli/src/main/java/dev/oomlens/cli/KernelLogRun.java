package dev.oomlens.cli;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.host.KillerEvent;
import dev.oomlens.core.kernel.KernelLogReader;
import dev.oomlens.core.kernel.KernelLogSink;
import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.core.model.AllocFailure;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.Problem;
import dev.oomlens.host.LiveLog;
import dev.oomlens.host.logs.RootLogs;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One run over kernel logs: reads each input with the {@link KernelLogReader}, hands its events to
 * the {@link ReportOutput}, keeps the userspace killers' records the same read finds in saved logs
 * and in the killers' journal, and tells the exit code each input earns.
 */
/*
 * Exit codes: an input that cannot be opened is 3, with "cannot read X: reason" on stderr, and the
 * run goes on with the next one. Problems inside an input are part of the report. A problem that
 * spoils the input (a gzip file cut short, a read that failed part-way, a file that is not text)
 * makes it fail (3), with the problem on stderr: what was read before stands, but the input's
 * silence after it proves nothing. Damaged lines alone make it fail only when not a single event
 * could be read from it, which is what a file in a format oomlens does not know looks like.
 */
final class KernelLogRun {
  private static final int BUFFER_BYTES = 1 << 16;

  private final ReportOutput output;
  private final PrintWriter err;
  private final ReaderOptions options;
  private final InputStream stdin;

  private final List<KillerEvent> killers = new ArrayList<>();

  KernelLogRun(ReportOutput output, PrintWriter err, ReaderOptions options, InputStream stdin) {
    this.output = requireNonNull(output, "output");
    this.err = requireNonNull(err, "err");
    this.options = requireNonNull(options, "options");
    this.stdin = requireNonNull(stdin, "stdin");
  }

  /** The records of userspace killers found in the logs read so far, in input order. */
  List<KillerEvent> killers() {
    return List.copyOf(killers);
  }

  /** What one input held, counted while it streamed through. */
  record Tally(long reports, long allocFailures, long problems, Optional<Problem> firstProblem,
      List<Problem> spoiling) {}

  /**
   * Reads a saved log ({@code -} for standard input, which is read but not closed; gzip is told by
   * its first bytes); returns the exit code it earns.
   */
  int readFile(String name) {
    Counter counter = new Counter(output, killers);
    output.beginInput(name, "No OOM-killer report in " + name + ".");
    try {
      KernelLogReader reader = new KernelLogReader(options);
      if (name.equals("-")) {
        reader.read(name, stdin, counter);
      } else {
        Path path = Path.of(name);
        if (Files.isDirectory(path)) {
          throw new FileSystemException(name, null, "Is a directory");
        }
        reader.read(path, counter);
      }
    } catch (IOException | InvalidPathException e) {
      String reason = e instanceof IOException io ? reason(io) : "not a valid file name";
      err.println("oomlens: cannot read " + name + ": " + reason);
      err.flush();
      output.unreadable(new Problem(name, 0, "cannot read " + name + ": " + reason));
      return ExitCodes.INPUT;
    }
    output.endInput();
    Tally tally = counter.tally();
    if (!tally.spoiling().isEmpty()) {
      tally.spoiling().forEach(p -> err.println("oomlens: " + p));
      err.flush();
      return ExitCodes.INPUT;
    }
    if (tally.reports() + tally.allocFailures() == 0 && tally.problems() > 0) {
      Problem first = tally.firstProblem().orElseThrow();
      err.println("oomlens: no OOM report could be read from " + name + ": " + tally.problems()
          + (tally.problems() == 1 ? " problem" : " problems") + ", the first at " + first);
      err.flush();
      return ExitCodes.INPUT;
    }
    return ExitCodes.OK;
  }

  /**
   * Reads a live log to its end. Returns empty, having written nothing, when the log could not be
   * read at all (it ended before its first byte, with a problem saying why), so the caller can try
   * another source.
   */
  Optional<Tally> readLive(LiveLog log, String emptyMessage) {
    BufferedInputStream in = new BufferedInputStream(log.stream(), BUFFER_BYTES);
    int first;
    try {
      in.mark(1);
      first = in.read();
      in.reset();
    } catch (IOException e) {
      first = -1;
    }
    if (first == -1 && !log.problems().isEmpty()) {
      return Optional.empty();
    }
    // A live kernel log can hold systemd's early-boot lines too; the killers' journal is where a
    // live run takes their records from, so they are not collected twice.
    Counter counter = new Counter(output, null);
    output.beginInput(log.name(), emptyMessage);
    new KernelLogReader(options).read(log.name(), in, counter);
    log.problems().forEach(counter::problem);
    output.endInput();
    return Optional.of(counter.tally());
  }

  /**
   * Reads the records of userspace OOM killers from a live log (the journal matched to them) into
   * {@link #killers()}; returns true when it could be read, even if it held none. Its problems go
   * to standard error and to the JSON document's problems, and never change the exit code: the
   * kernel log is the input that must be read; without the killers' records the kernel's side of
   * the story still stands.
   */
  boolean readKillers(LiveLog log) {
    boolean anything;
    // A part of the log that could not be read must not pass for a time when no killer acted.
    List<Problem> spoiling = new ArrayList<>();
    try (BufferedInputStream in = new BufferedInputStream(log.stream(), BUFFER_BYTES)) {
      in.mark(1);
      anything = in.read() >= 0;
      in.reset();
      new KernelLogReader(options).read(log.name(), in, new KernelLogSink() {
        @Override
        public void report(OomReport report) {}

        @Override
        public void allocFailure(AllocFailure failure) {}

        @Override
        public void problem(Problem problem) {
          if (problem.kind().spoilsInput()) {
            spoiling.add(problem);
          }
        }

        @Override
        public void killerEvent(KillerEvent event) {
          killers.add(event);
        }
      });
    } catch (IOException e) {
      // A live log ends its stream instead of throwing; what was read before stands.
      anything = false;
    }
    List<Problem> problems = new ArrayList<>(log.problems());
    problems.addAll(spoiling);
    for (Problem p : problems) {
      err.println("oomlens: " + p);
      // No input of the text report holds these lines, so they are told like an unreadable
      // input's: on standard error, and among the JSON document's problems.
      output.unreadable(p);
    }
    err.flush();
    return (anything || log.problems().isEmpty())
        && spoiling.stream().noneMatch(p -> p.kind() == Problem.Kind.NOT_TEXT);
  }

  /**
   * What {@link #readRoot} read.
   *
   * @param kernelLog the kernel log read, in words; empty when none could be
   * @param killerLog the logs the killers' records were read from, when apart from it
   * @param code the exit code the reading earns
   */
  record RootRead(Optional<String> kernelLog, Optional<String> killerLog, int code) {}

  /**
   * Reads the logs of a host root other than this machine's: its kernel log (the first of the
   * found sources that can be read), then the killers' records beside it. What a snapshot could
   * not save is told first; a root without a kernel log says where it was looked for, and its
   * kernel log stays unknown (exit 3), never "no OOM kill".
   */
  RootRead readRoot(RootLogs logs) {
    for (Problem p : logs.problems()) {
      err.println("oomlens: " + p);
      output.unreadable(p);
    }
    List<String> why = new ArrayList<>();
    for (RootLogs.Source source : logs.sources()) {
      Optional<String> kernelLog;
      int code = ExitCodes.OK;
      if (source.live().isPresent()) {
        try (LiveLog log = source.live().get().get()) {
          if (readLive(log, "No OOM kill since boot (read " + log.name() + ").").isEmpty()) {
            why.add(why(log));
            continue;
          }
          kernelLog = Optional.of(log.name());
        }
      } else {
        List<String> read = new ArrayList<>();
        for (Path file : source.files()) {
          int fileCode = readFile(file.toString());
          code = Math.max(code, fileCode);
          if (fileCode != ExitCodes.INPUT) {
            read.add(file.toString());
          }
        }
        kernelLog = read.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", read));
      }
      List<String> killerLogs = new ArrayList<>();
      for (Supplier<LiveLog> killerSource : source.killers()) {
        try (LiveLog log = killerSource.get()) {
          if (readKillers(log)) {
            killerLogs.add(log.name());
          }
        }
      }
      return new RootRead(kernelLog, killerLogs.isEmpty() ? Optional.empty()
          : Optional.of(String.join(", ", killerLogs)), code);
    }
    if (logs.isEmpty()) {
      err.println("oomlens: " + logs.notFound());
    } else {
      err.println("oomlens: no kernel log under " + logs.root() + " can be read:");
      why.forEach(w -> err.println("  " + w));
    }
    err.println("Read a saved log instead: oomlens doctor --path.rootfs " + logs.root()
        + " --kernel-log FILE");
    err.flush();
    return new RootRead(Optional.empty(), Optional.empty(), ExitCodes.INPUT);
  }

  /** The live log's own problems, for saying why it could not be read. */
  static String why(LiveLog log) {
    return log.problems().isEmpty() ? "nothing could be read" : log.problems().get(0).message();
  }

  /** The reason of an I/O failure in the words of the C library, which users know from cat(1). */
  static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "No such file or directory";
    }
    if (e instanceof AccessDeniedException) {
      return "Permission denied";
    }
    if (e instanceof FileSystemException fse && fse.getReason() != null) {
      return fse.getReason();
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  /** Passes events on while counting them. */
  private static final class Counter implements KernelLogSink {
    private final KernelLogSink next;
    private final List<KillerEvent> killers;
    private long reports;
    private long allocFailures;
    private long problems;
    private Problem first;
    private final List<Problem> spoiling = new ArrayList<>();

    /** {@code killers}: where the killers' records go; null to leave them out. */
    Counter(KernelLogSink next, List<KillerEvent> killers) {
      this.next = next;
      this.killers = killers;
    }

    @Override
    public void killerEvent(KillerEvent event) {
      if (killers != null) {
        killers.add(event);
      }
    }

    @Override
    public void report(OomReport report) {
      reports++;
      next.report(report);
    }

    @Override
    public void allocFailure(AllocFailure failure) {
      allocFailures++;
      next.allocFailure(failure);
    }

    @Override
    public void problem(Problem problem) {
      if (first == null) {
        first = problem;
      }
      problems++;
      if (problem.kind().spoilsInput()) {
        spoiling.add(problem);
      }
      next.problem(problem);
    }

    Tally tally() {
      return new Tally(reports, allocFailures, problems, Optional.ofNullable(first),
          List.copyOf(spoiling));
    }
  }
}
