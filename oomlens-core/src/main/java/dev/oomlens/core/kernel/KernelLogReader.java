package dev.oomlens.core.kernel;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.host.KillerEvent;
import dev.oomlens.core.model.LogLine;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.model.SourceLine;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 */

/**
 * Reads kernel logs (any framing, mixed, several hosts; plain or gzip) and hands every OOM-killer
 * report, page allocation failure, userspace killer's record and unreadable line to a {@link
 * KernelLogSink}, in one pass.
 *
 * <p>Nothing in the content of an input makes it throw: what cannot be read becomes a {@link
 * Problem} naming the line, and the reports before and after it are kept. Only failing to open an
 * input at all is an {@link IOException}.
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

  public KernelLogReader(ReaderOptions options) {
    this.options = requireNonNull(options, "options");
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
      if (Files.isRegularFile(file)
          && channel.size() >= PARALLEL_MIN_BYTES
          && !startsWithGzipMagic(channel)
          && WORKERS > 1) {
        readInParallel(file.toString(), channel, sink);
        return;
      }
      read(file.toString(), Channels.newInputStream(channel), sink);
    }
  }

  private void readInParallel(String name, FileChannel channel, KernelLogSink sink) {
    ReportAssembler assembler = new ReportAssembler(sink);
    ParallelFileScanner scanner =
        new ParallelFileScanner(handler(name, assembler, new LineFramer(options), sink), WORKERS);
    try {
      scanner.scan(channel);
    } catch (IOException e) {
      sink.problem(new Problem(name, scanner.lineNumber(),
          "reading stopped: " + e.getMessage() + "; the lines before were read"));
    } finally {
      assembler.finish();
    }
  }

  private static boolean startsWithGzipMagic(FileChannel channel) throws IOException {
    ByteBuffer head = ByteBuffer.allocate(2);
    while (head.hasRemaining() && channel.read(head, head.position()) > 0) {
      // positional reads leave the channel's position at the start
    }
    return head.position() == 2
        && (head.get(0) & 0xff) == GZIP_MAGIC_1
        && (head.get(1) & 0xff) == GZIP_MAGIC_2;
  }

  /**
   * Reads a stream to its end (gzip decompressed when its first bytes say so). The stream is not
   * closed. Read errors part-way become a {@link Problem} at the line where reading stopped.
   *
   * @param name what to call the input in sources and problems ({@code -} for standard input)
   */
  public void read(String name, InputStream in, KernelLogSink sink) {
    requireNonNull(name, "name");
    requireNonNull(in, "in");
    requireNonNull(sink, "sink");
    ReportAssembler assembler = new ReportAssembler(sink);
    LineScanner scanner =
        new LineScanner(handler(name, assembler, new LineFramer(options), sink));
    try {
      scanner.scan(decompressIfGzip(in));
    } catch (ZipException | EOFException e) {
      sink.problem(new Problem(name, scanner.lineNumber(),
          "compressed data is damaged or cut short (" + e.getMessage()
              + "); the lines before were read"));
    } catch (IOException e) {
      sink.problem(new Problem(name, scanner.lineNumber(),
          "reading stopped: " + e.getMessage() + "; the lines before were read"));
    } finally {
      assembler.finish();
    }
  }

  /** Decodes, frames and assembles each line a scanner hands on. */
  private static LineScanner.Handler handler(
      String name, ReportAssembler assembler, LineFramer framer, KernelLogSink sink) {
    KillerLogParser killers = new KillerLogParser();
    Consumer<KillerEvent> killerEvents = sink::killerEvent;
    Consumer<LogLine> accept = line -> {
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
      public void line(long lineNumber, byte[] buf, int start, int end) {
        if (end > start && buf[end - 1] == '\r') {
          end--;
        }
        String text = new String(buf, start, end - start, StandardCharsets.UTF_8);
        framer.frame(new SourceLine(name, lineNumber, text), accept);
      }

      @Override
      public void lineTooLong(long lineNumber, int keptBytes) {
        sink.problem(new Problem(name, lineNumber,
            "line is longer than " + keptBytes / 1024 + " KiB; only its beginning was read"));
      }
    };
  }

  private static InputStream decompressIfGzip(InputStream in) throws IOException {
    PushbackInputStream pushback = new PushbackInputStream(in, 2);
    int first = pushback.read();
    if (first < 0) {
      return pushback;
    }
    int second = pushback.read();
    if (second >= 0) {
      pushback.unread(second);
    }
    pushback.unread(first);
    if (first == GZIP_MAGIC_1 && second == GZIP_MAGIC_2) {
      return new GZIPInputStream(pushback, 1 << 16);
    }
    return pushback;
  }
}
