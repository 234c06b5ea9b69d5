package dev.oomlens.core.kernel;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.host.KillerEvent;
import dev.oomlens.core.model.LogLine;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.model.SourceLine;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/*
 * The reader streams: memory stays flat whatever the input size (one scan buffer, one open report
 * per host), and each report reaches the sink as soon as it is known, so a renderer can print it
 * before the rest of a multi-gigabyte log has been read.
 *
 * Input is bytes, not text: logs hold invalid UTF-8 (comm is whatever bytes a process named
 * itself), NUL bytes and CRLF line ends. Lines are decoded as UTF-8 with replacement only when they
 * are handed to the framer, so a damaged line costs one replacement character, never the file.
 * Terminal colours (dmesg --color=always) are taken off a line then too, so it reads as plain.
 */

/**
 * Reads kernel logs (any framing, mixed, several hosts; plain or gzip) and hands every OOM-killer
 * report, page allocation failure, userspace killer's record and unreadable line to a {@link
 * KernelLogSink}, in one pass.
 *
 * <p>Nothing in the content of an input makes it throw: what cannot be read becomes a {@link
 * Problem} naming the line, and the reports before and after it are kept. An input that stops
 * part-way (gzip cut short, a failing disk) keeps what was read before and says where it stopped
 * ({@link Problem.Kind#DAMAGED}); one that is not a text log at all is not read and says what it is
 * ({@link Problem.Kind#NOT_TEXT}). Only failing to open an input at all is an {@link IOException}.
 *
 * {@snippet :
 * KernelLogReader reader = new KernelLogReader(new ReaderOptions(LocalDate.now()));
 * reader.read(Path.of("/var/log/kern.log"), sink);
 * }
 */
public final class KernelLogReader {
  private static final int GZIP_MAGIC_1 = 0x1f;
  private static final int GZIP_MAGIC_2 = 0x8b;

  /** Below this size the threads of a parallel scan cost more than they save. */
  private static final long PARALLEL_MIN_BYTES = 8L << 20;

  private static final int WORKERS = Math.min(4, Runtime.getRuntime().availableProcessors());

  private final ReaderOptions options;
  private final boolean filterCandidates;
  private final int windowBytes;
  private final int maxLineBytes;

  public KernelLogReader(ReaderOptions options) {
    this(options, true);
  }

  /**
   * A reader whose parallel scan hands every anchor line on, {@link CandidateFilter} or not (tests
   * compare the two).
   */
  KernelLogReader(ReaderOptions options, boolean filterCandidates) {
    this(
        options,
        filterCandidates,
        ParallelFileScanner.DEFAULT_WINDOW_BYTES,
        LineScanner.DEFAULT_MAX_LINE_BYTES);
  }

  /** The same, with the parallel scan's windows and longest line as small as a test needs. */
  KernelLogReader(
      ReaderOptions options, boolean filterCandidates, int windowBytes, int maxLineBytes) {
    this.options = requireNonNull(options, "options");
    this.filterCandidates = filterCandidates;
    this.windowBytes = windowBytes;
    this.maxLineBytes = maxLineBytes;
  }

  /**
   * Reads one file, decompressing it when it is gzip (told by its first bytes, not its name).
   *
   * @throws IOException when the file cannot be opened (missing, unreadable, a directory)
   */
  public void read(Path file, KernelLogSink sink) throws IOException {
    if (Files.isDirectory(file)) {
      throw new IOException("is a directory");
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      if (!Files.isRegularFile(file)) {
        // A pipe, a FIFO, a character device: read once, so its lines keep their text.
        read(file.toString(), Channels.newInputStream(channel), sink);
        return;
      }
      // Positional reads leave the channel at its start for whichever path reads it next.
      ByteBuffer head = ByteBuffer.allocate(InputSniffer.HEAD_BYTES);
      while (head.hasRemaining() && channel.read(head, head.position()) > 0) {
        // a regular file gives all it has; the loop only guards against short reads
      }
      if (isGzip(head.array(), head.position())) {
        // Offsets into the decompressed text do not lead back into the file: lines keep text.
        read(file.toString(), Channels.newInputStream(channel), sink);
        return;
      }
      FileOrigin origin = FileOrigin.of(file.toString(), file);
      if (channel.size() >= PARALLEL_MIN_BYTES && WORKERS > 1) {
        Optional<String> notText =
            InputSniffer.notText(head.array(), head.position(), file.toString(), false);
        if (notText.isPresent()) {
          sink.problem(notText(file.toString(), notText.get()));
          return;
        }
        readInParallel(file.toString(), channel, sink, origin);
        return;
      }
      read(file.toString(), Channels.newInputStream(channel), sink, origin);
    }
  }

  /** Reads a large regular file with the parallel scanner (a test hands it a failing channel). */
  void readInParallel(String name, FileChannel channel, KernelLogSink sink) {
    readInParallel(name, channel, sink, null);
  }

  private void readInParallel(
      String name, FileChannel channel, KernelLogSink sink, FileOrigin origin) {
    ReportAssembler assembler = new ReportAssembler(sink);
    ParallelFileScanner scanner =
        new ParallelFileScanner(
            handler(name, origin, assembler, new LineFramer(options), sink, filterCandidates),
            WORKERS,
            windowBytes,
            maxLineBytes);
    FailureEndsChannel reading = new FailureEndsChannel(channel);
    try {
      scanner.scan(reading);
      reading
          .failure()
          .ifPresent(e -> sink.problem(stopped(name, scanner.lineNumber(), "reading failed", e)));
    } catch (IOException e) {
      sink.problem(stopped(name, scanner.lineNumber(), "reading failed", e));
    } finally {
      assembler.finish();
    }
  }

  /**
   * Reads a stream to its end (gzip decompressed when its first bytes say so). The stream is not
   * closed. An input that is not text (a program, a journal file, an archive) is not read: one
   * {@link Problem.Kind#NOT_TEXT} problem says what it is and how to read it. A read that fails
   * part-way, or gzip data that is damaged or cut short, ends the read with a {@link
   * Problem.Kind#DAMAGED} problem at the line where it stopped; what was read before stands.
   *
   * @param name what to call the input in sources and problems ({@code -} for standard input)
   */
  public void read(String name, InputStream in, KernelLogSink sink) {
    read(name, in, sink, null);
  }

  /**
   * Reads a stream as {@link #read(String, InputStream, KernelLogSink)} does; with an origin (the
   * stream is that regular file from its start, not compressed) lines keep their place in it
   * instead of their text.
   */
  private void read(String name, InputStream in, KernelLogSink sink, FileOrigin origin) {
    requireNonNull(name, "name");
    requireNonNull(in, "in");
    requireNonNull(sink, "sink");
    ReportAssembler assembler = new ReportAssembler(sink);
    LineScanner scanner =
        new LineScanner(handler(name, origin, assembler, new LineFramer(options), sink, false));
    boolean gzip = false;
    try {
      Head raw = Head.of(in);
      gzip = isGzip(raw.bytes, raw.length);
      Head text = gzip ? Head.of(new GZIPInputStream(raw.stream(), 1 << 16)) : raw;
      Optional<String> notText = InputSniffer.notText(text.bytes, text.length, name, gzip);
      if (notText.isPresent()) {
        sink.problem(notText(name, notText.get()));
        return;
      }
      scanner.scan(text.stream());
    } catch (ZipException | EOFException e) {
      sink.problem(
          stopped(
              name,
              scanner.lineNumber(),
              gzip ? "the gzip data is damaged or cut short" : "reading failed",
              e));
    } catch (IOException e) {
      sink.problem(stopped(name, scanner.lineNumber(), "reading failed", e));
    } finally {
      assembler.finish();
    }
  }

  private static Problem notText(String name, String why) {
    return new Problem(name, 0, why + "; not read", Problem.Kind.NOT_TEXT);
  }

  /** The problem of a read that stopped before the end, at the line it would have read next. */
  private static Problem stopped(String name, long line, String what, IOException e) {
    String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new Problem(
        name,
        line,
        what
            + " ("
            + detail
            + "); reading stopped at this line: "
            + (line <= 1 ? "nothing was read" : "lines 1 to " + (line - 1) + " were read")
            + ", what followed is unknown",
        Problem.Kind.DAMAGED);
  }

  /** Decodes, frames and assembles each line a scanner hands on. */
  private static LineScanner.Handler handler(
      String name,
      FileOrigin origin,
      ReportAssembler assembler,
      LineFramer framer,
      KernelLogSink sink,
      boolean filterCandidates) {
    KillerLogParser killers = new KillerLogParser();
    Consumer<KillerEvent> killerEvents = sink::killerEvent;
    Consumer<LogLine> accept =
        line -> {
          assembler.accept(line);
          killers.accept(line, killerEvents);
        };
    return new LineScanner.Handler() {
      @Override
      public boolean wantsEveryLine() {
        return assembler.inReport();
      }

      @Override
      public void skippedTo(long lineNumber) {
        assembler.skippedTo(lineNumber);
      }

      @Override
      public void line(long lineNumber, long offset, byte[] buf, int start, int end) {
        frame(lineNumber, offset, buf, start, end, accept);
      }

      @Override
      public boolean mayMatter(byte[] buf, int start, int end) {
        return !filterCandidates || CandidateFilter.mayMatter(buf, start, end);
      }

      @Override
      public void unused(long lineNumber, long offset, byte[] buf, int start, int end) {
        frame(lineNumber, offset, buf, start, end, unusedLine -> {});
      }

      private void frame(
          long lineNumber, long offset, byte[] buf, int start, int end, Consumer<LogLine> to) {
        if (end > start && buf[end - 1] == '\r') {
          end--;
        }
        String text = decode(buf, start, end);
        SourceLine line =
            origin == null
                ? new SourceLine(name, lineNumber, text)
                : new SourceLine(origin, lineNumber, offset, end - start, text);
        framer.frame(line, text, to);
      }

      @Override
      public void lineTooLong(long lineNumber, int keptBytes) {
        sink.problem(
            new Problem(
                name,
                lineNumber,
                "line is longer than " + keptBytes / 1024 + " KiB; only its beginning was read"));
      }
    };
  }

  private static final char ESC = '\u001b';

  /**
   * The text of the line {@code buf[start, end)} (its {@code \r} already taken off): UTF-8 with
   * replacement, colour codes taken off. A line read back to be quoted is made by this again.
   */
  static String decode(byte[] buf, int start, int end) {
    String text = new String(buf, start, end - start, StandardCharsets.UTF_8);
    return text.indexOf(ESC) >= 0 ? withoutCsi(text) : text;
  }

  /**
   * A regular file, not compressed, whose lines keep only their place: a quote reads the line again
   * from the file it was read from, through a channel opened when the read began and kept open
   * while a line of it is held (a cleaner closes it after), so a quote costs one positional read,
   * not an open (about 60 us of CPU each, tens of thousands of quotes at 16 GiB), and a file
   * rotated away since is still the file read. One rewritten in place is caught by the line's hash,
   * one cut shorter by the end of the file ({@link SourceLine.ChangedException}).
   */
  static final class FileOrigin implements SourceLine.Origin {
    private static final Cleaner CLEANER = Cleaner.create();

    private final String name;
    private final FileChannel channel;

    private FileOrigin(String name, FileChannel channel) {
      this.name = name;
      this.channel = channel;
    }

    static FileOrigin of(String name, Path path) throws IOException {
      FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
      FileOrigin origin = new FileOrigin(name, channel);
      CLEANER.register(origin, () -> closeQuietly(channel));
      return origin;
    }

    private static void closeQuietly(FileChannel channel) {
      try {
        channel.close();
      } catch (IOException e) {
        // Nothing is read from it any more; a failing close loses nothing.
      }
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String text(long offset, int length) throws IOException {
      ByteBuffer bytes = ByteBuffer.allocate(length);
      while (bytes.hasRemaining()) {
        if (channel.read(bytes, offset + bytes.position()) < 0) {
          throw new EOFException("the file is shorter than when it was read");
        }
      }
      return decode(bytes.array(), 0, length);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /**
   * The text without its colour codes (ANSI SGR, {@code ESC [ parameters m}). The colours of {@code
   * dmesg --color=always}, or of a terminal session saved whole, split a line's words, as in {@code
   * ESC[33mMemory cgroup out of memory: ESC[0mESC[31mKilled process ...}; without them the line is
   * read, and cited, as plain dmesg printed it. Any other ESC (a cursor move, a screen clear a
   * process put in its name) is left as it is, for the renderers to show.
   */
  static String withoutCsi(String text) {
    StringBuilder out = new StringBuilder(text.length());
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == ESC && i + 1 < text.length() && text.charAt(i + 1) == '[') {
        int j = i + 2;
        while (j < text.length() && text.charAt(j) >= 0x20 && text.charAt(j) <= 0x3f) {
          j++;
        }
        if (j < text.length() && text.charAt(j) == 'm') {
          i = j + 1;
          continue;
        }
      }
      out.append(c);
      i++;
    }
    return out.toString();
  }

  private static boolean isGzip(byte[] head, int length) {
    return length >= 2 && (head[0] & 0xff) == GZIP_MAGIC_1 && (head[1] & 0xff) == GZIP_MAGIC_2;
  }

  /**
   * The first bytes of a stream, taken to look at, and the stream whole again: those bytes, then
   * the rest. A failure while they are taken is kept and thrown by the stream after them, so the
   * lines before it are still read.
   */
  private static final class Head {
    final byte[] bytes = new byte[InputSniffer.HEAD_BYTES];
    final InputStream rest;
    int length;
    IOException failure;

    private Head(InputStream rest) {
      this.rest = rest;
    }

    static Head of(InputStream in) {
      Head head = new Head(in);
      try {
        int n;
        while (head.length < head.bytes.length
            && (n = in.read(head.bytes, head.length, head.bytes.length - head.length)) > 0) {
          head.length += n;
        }
      } catch (IOException e) {
        head.failure = e;
      }
      return head;
    }

    InputStream stream() {
      return new InputStream() {
        private int position;

        @Override
        public int read() throws IOException {
          byte[] one = new byte[1];
          return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          if (position < length) {
            int n = Math.min(len, length - position);
            System.arraycopy(bytes, position, b, off, n);
            position += n;
            return n;
          }
          if (failure != null) {
            throw failure;
          }
          return rest.read(b, off, len);
        }
      };
    }
  }
}
