package dev.oomlens.host.journal;

import dev.oomlens.core.model.Problem;
import dev.oomlens.host.LiveLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * One run of journalctl in progress, made by {@link JournalReader#open()} or {@link
 * KillerJournalReader#open()}: its output as a stream of lines without journalctl's own {@code --
 * ... --} lines, and the problems met.
 *
 * <p>Only one thread may consume the stream; {@link #close()} may be called from any thread and
 * stops journalctl if it still runs.
 */
public final class JournalLog implements LiveLog {
  private static final int STDERR_KEPT_BYTES = 4096;
  private static final long EXIT_WAIT_MILLIS = 5_000;

  /* journalctl(1) prints this notice on stderr when it can open only the user's own journal. */
  private static final String OWN_JOURNAL_ONLY = "Hint: You are currently not seeing messages from";

  private final JournalQuery query;
  private final String name;
  private final Process process;
  private final List<Problem> problems = new CopyOnWriteArrayList<>();
  private final InputStream stream;
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
  private final Thread stderrReader;
  private final Thread watchdog;
  private final long limitMillis;

  private volatile boolean timedOut;
  private volatile boolean closed;
  private boolean finished;
  private long lines;
  private boolean sawNoEntries;

  private JournalLog(JournalQuery query, Process process, Duration limit) {
    this.query = query;
    this.name = query.name();
    this.process = process;
    this.limitMillis = limit.toMillis();
    this.stream = process == null ? InputStream.nullInputStream() : new FilteredStream();
    if (process == null) {
      stderrReader = null;
      watchdog = null;
      return;
    }
    stderrReader = new Thread(this::drainStderr, "oomlens-journalctl-stderr");
    stderrReader.setDaemon(true);
    watchdog = new Thread(this::watch, "oomlens-journalctl-watchdog");
    watchdog.setDaemon(true);
  }

  static JournalLog start(JournalQuery query, List<String> command, Duration limit) {
    Process process;
    try {
      process =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
    } catch (IOException | RuntimeException e) {
      return failed(
          query,
          "cannot run "
              + command.get(0)
              + ": "
              + Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName()));
    }
    JournalLog log = new JournalLog(query, process, limit);
    log.stderrReader.start();
    log.watchdog.start();
    return log;
  }

  /** A run that could not start: {@code why}, with the query's hint, is its only problem. */
  static JournalLog failed(JournalQuery query, String why) {
    JournalLog log = new JournalLog(query, null, Duration.ofMillis(1));
    log.problems.add(new Problem(query.name(), 0, why + "; " + query.hint()));
    log.finished = true;
    return log;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public InputStream stream() {
    return stream;
  }

  @Override
  public List<Problem> problems() {
    return List.copyOf(problems);
  }

  @Override
  public void close() {
    closed = true;
    if (process != null) {
      process.destroy();
      try {
        process.getInputStream().close();
      } catch (IOException e) {
        // Closing our end of the pipe cannot fail in a way the user could act on.
      }
    }
  }

  private void watch() {
    try {
      if (!process.waitFor(limitMillis, TimeUnit.MILLISECONDS)) {
        timedOut = true;
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
    }
  }

  private void drainStderr() {
    byte[] buffer = new byte[1024];
    try (InputStream in = process.getErrorStream()) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        synchronized (stderr) {
          stderr.write(buffer, 0, Math.min(n, Math.max(0, STDERR_KEPT_BYTES - stderr.size())));
        }
      }
    } catch (IOException e) {
      // The process is gone; what it wrote so far is kept.
    }
  }

  /** Called once, when stdout has ended: turns how journalctl ended into problems. */
  private void onEnd() {
    if (finished) {
      return;
    }
    finished = true;
    if (closed) {
      return;
    }
    boolean exited;
    try {
      exited = process.waitFor(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS);
      stderrReader.join(EXIT_WAIT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      exited = false;
    }
    String err;
    synchronized (stderr) {
      err = stderr.toString(StandardCharsets.UTF_8).strip();
    }
    String firstErr = err.lines().findFirst().orElse("");
    String hint = "; " + query.hint();
    if (timedOut) {
      problems.add(
          new Problem(
              name,
              0,
              "journalctl did not finish within "
                  + limitMillis
                  + " ms and was stopped; the "
                  + query.contents()
                  + " after the last line read are missing"));
    } else if (!exited) {
      process.destroyForcibly();
      problems.add(
          new Problem(name, 0, "journalctl closed its output but did not exit; stopped it"));
    } else if (process.exitValue() != 0) {
      problems.add(
          new Problem(
              name,
              0,
              "journalctl failed with exit code "
                  + process.exitValue()
                  + (firstErr.isEmpty() ? "" : ": " + firstErr)
                  + hint));
    } else if (lines == 0 && err.contains("No journal files were found")) {
      problems.add(
          new Problem(
              name, 0, "no systemd journal on this machine (journalctl: " + firstErr + ")" + hint));
    } else if (err.contains(OWN_JOURNAL_ONLY)) {
      problems.add(
          new Problem(
              name,
              0,
              "journalctl shows this user only their own messages, not"
                  + " the system's (it needs root or the systemd-journal or adm group)"
                  + hint));
    } else if (lines == 0 && sawNoEntries && query.whenEmpty().isPresent()) {
      problems.add(new Problem(name, 0, query.whenEmpty().get() + hint));
    } else if (query.maxEntries().isPresent() && lines >= query.maxEntries().getAsInt()) {
      problems.add(
          new Problem(
              name,
              0,
              "journalctl printed its limit of "
                  + query.maxEntries().getAsInt()
                  + " entries, the newest; the older "
                  + query.contents()
                  + " of this boot were not read"));
    }
  }

  /** journalctl's stdout, line by line, without its own {@code -- ... --} lines. */
  private final class FilteredStream extends InputStream {
    private final InputStream in = process.getInputStream();
    private final byte[] chunk = new byte[8192];
    private int chunkLength;
    private int chunkPosition;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private byte[] pending = new byte[0];
    private int pendingPosition;
    private boolean eof;

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      while (pendingPosition == pending.length) {
        if (!nextLine()) {
          onEnd();
          return -1;
        }
      }
      int n = Math.min(len, pending.length - pendingPosition);
      System.arraycopy(pending, pendingPosition, b, off, n);
      pendingPosition += n;
      return n;
    }

    /** Loads the next line to hand over into {@code pending}; false at the end of the output. */
    private boolean nextLine() {
      while (true) {
        if (eof) {
          if (line.size() == 0) {
            return false;
          }
          return take();
        }
        if (chunkPosition == chunkLength) {
          try {
            chunkLength = in.read(chunk);
          } catch (IOException e) {
            chunkLength = -1;
            if (!closed && !timedOut) {
              problems.add(
                  new Problem(
                      name,
                      0,
                      "reading journalctl's output failed: "
                          + Objects.requireNonNullElse(
                              e.getMessage(), e.getClass().getSimpleName())));
            }
          }
          chunkPosition = 0;
          if (chunkLength < 0) {
            eof = true;
            chunkLength = 0;
            continue;
          }
        }
        while (chunkPosition < chunkLength) {
          byte c = chunk[chunkPosition++];
          line.write(c);
          if (c == '\n') {
            if (take()) {
              return true;
            }
          }
        }
      }
    }

    /** Moves the collected line to {@code pending} unless it is journalctl's own; true if moved. */
    private boolean take() {
      byte[] bytes = line.toByteArray();
      line.reset();
      if (isJournalctlLine(bytes)) {
        String text = new String(bytes, StandardCharsets.UTF_8).strip();
        if (text.equals("-- No entries --")) {
          sawNoEntries = true;
        }
        return false;
      }
      lines++;
      pending = bytes;
      pendingPosition = 0;
      return true;
    }

    @Override
    public void close() {
      JournalLog.this.close();
    }
  }

  /** True for journalctl's own lines: {@code -- No entries --}, {@code -- Boot <id> --}... */
  static boolean isJournalctlLine(byte[] line) {
    String text = new String(line, StandardCharsets.UTF_8).strip();
    return text.length() >= 7 && text.startsWith("-- ") && text.endsWith(" --");
  }
}
