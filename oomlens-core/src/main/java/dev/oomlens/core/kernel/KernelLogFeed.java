package dev.oomlens.core.kernel;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.model.LogLine;
import dev.oomlens.core.model.SourceLine;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/*
 * The live twin of KernelLogReader.read: the same framer, assembler and killer parser, fed one
 * line at a time by a follower that never reaches an end. The same anchor filter is applied, so
 * a live log is read exactly as the same lines saved to a file would be; only the hand-over
 * differs, since a live log has no end to flush at: the follower calls quiet() when nothing has
 * arrived for a while, and a finished report goes out then instead of waiting for the next one.
 */

/**
 * Reads a kernel log that is still being written, line by line, and hands every OOM-killer report,
 * allocation failure and userspace killer's record to a {@link KernelLogSink}. Not thread-safe: one
 * follower thread feeds it.
 */
public final class KernelLogFeed {
  private final String name;
  private final KernelLogSink sink;
  private final LineFramer framer;
  private final ReportAssembler assembler;
  private final KillerLogParser killers = new KillerLogParser();
  private final Consumer<LogLine> accept;
  private long lineNumber;
  private boolean skipped;

  /**
   * @param name what to call the log in sources and citations ({@code /dev/kmsg})
   */
  public KernelLogFeed(String name, ReaderOptions options, KernelLogSink sink) {
    this.name = requireNonNull(name, "name");
    this.sink = requireNonNull(sink, "sink");
    this.framer = new LineFramer(requireNonNull(options, "options"));
    this.assembler = new ReportAssembler(sink);
    this.accept =
        line -> {
          assembler.accept(line);
          killers.accept(line, sink::killerEvent);
        };
  }

  /** Feeds the next line (without its line end); returns the line number it was given. */
  public long line(String text) {
    long number = ++lineNumber;
    if (!assembler.inReport() && !hasAnchor(text)) {
      skipped = true;
      return number;
    }
    if (skipped) {
      assembler.skippedTo(number);
      skipped = false;
    }
    String clean = text.indexOf('\u001b') >= 0 ? KernelLogReader.withoutCsi(text) : text;
    if (clean.endsWith("\r")) {
      clean = clean.substring(0, clean.length() - 1);
    }
    framer.frame(new SourceLine(name, number, clean), accept);
    return number;
  }

  /** The number of the last line fed; 0 before the first. */
  public long lineNumber() {
    return lineNumber;
  }

  /**
   * True while an event is held (a report open or waiting for its reaper line): a follower records
   * how far it has read only when this is false.
   */
  public boolean holdsEvents() {
    return assembler.holdsEvents();
  }

  /**
   * The log has been quiet for a moment: hands over the reports whose kill line has been read; with
   * {@code cutOpen} (quiet for long), also those the kernel stopped writing in the middle.
   */
  public void quiet(boolean cutOpen) {
    if (skipped) {
      assembler.skippedTo(lineNumber + 1);
      skipped = false;
    }
    assembler.handOverQuiet(cutOpen);
  }

  /** The log ended (the follower stopped): hands over everything still open. */
  public void finish() {
    assembler.finish();
  }

  /** The same test as the file reader's scanner: a line without one cannot begin an event. */
  static boolean hasAnchor(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return new AnchorSearch().next(bytes, 0, bytes.length) >= 0;
  }

  @Override
  public String toString() {
    return "KernelLogFeed[" + name + ", line " + lineNumber + ", " + sink + "]";
  }
}
