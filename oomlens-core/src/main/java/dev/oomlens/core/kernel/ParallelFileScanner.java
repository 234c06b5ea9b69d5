package dev.oomlens.core.kernel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/*
 * Why a second scanner: on a regular file the expensive part of reading a kernel log, finding the
 * few lines that may matter and counting the newlines before them, splits cleanly across cores,
 * while the part that must stay in order (framing, report assembly) touches only those lines and
 * the reports around them. So the file is read in windows; each window is cut at a newline into one
 * part per worker; the workers find anchor lines and count newlines in their part; then one thread
 * hands the lines on in file order, exactly as LineScanner would, reading every line of the window
 * itself while the handler is inside a report. Two windows take turns, so that while one thread
 * hands on the lines of one window the workers already search the next (and the read of the one
 * after overlaps both): the ordered part and the searching part run side by side.
 *
 * Memory is two window buffers and a few small arrays per part, whatever the file size.
 */

/**
 * Scans a regular file like {@link LineScanner} does, with the search for candidate lines spread
 * over threads.
 */
final class ParallelFileScanner {
  /* Two of them are most of the scan's memory; 8 MiB still leaves each worker megabytes a turn. */
  static final int DEFAULT_WINDOW_BYTES = 8 << 20;
  private static final int READ_BYTES = 1 << 20;
  private static final int VIEW_BYTES = 64 << 10;

  private final LineScanner.Handler handler;
  private final int maxLineBytes;
  private final int workers;
  private final Window[] windows;
  private long lineNumber = 1;

  /** Byte offset in the file of the buffer whose lines are being handed on. */
  private long handBase;

  ParallelFileScanner(LineScanner.Handler handler, int workers) {
    this(handler, workers, DEFAULT_WINDOW_BYTES, LineScanner.DEFAULT_MAX_LINE_BYTES);
  }

  ParallelFileScanner(LineScanner.Handler handler, int workers, int windowBytes, int maxLineBytes) {
    if (workers < 1 || maxLineBytes < 16 || windowBytes < 2 * maxLineBytes) {
      throw new IllegalArgumentException(
          "workers=" + workers + " windowBytes=" + windowBytes + " maxLineBytes=" + maxLineBytes);
    }
    this.handler = handler;
    this.workers = workers;
    this.maxLineBytes = maxLineBytes;
    this.windows = new Window[] {new Window(windowBytes), new Window(windowBytes)};
  }

  /** Number of the next line to be read; after {@link #scan} returns, one past the last line. */
  long lineNumber() {
    return lineNumber;
  }

  /** Reads {@code channel} from its current position to its end. */
  void scan(FileChannel channel) throws IOException {
    ExecutorService pool =
        workers > 1
            ? Executors.newFixedThreadPool(
                workers,
                r -> {
                  Thread t = new Thread(r, "oomlens-scan");
                  t.setDaemon(true);
                  return t;
                })
            : null;
    try {
      scanWindows(channel, pool);
    } finally {
      if (pool != null) {
        pool.shutdownNow();
      }
    }
  }

  /** One buffer of the file and the search under way in it. */
  private static final class Window {
    final byte[] buf;
    long base; // byte offset in the file of buf[0]
    int limit;
    boolean last;
    List<Part> parts = List.of();
    List<Future<?>> searches = List.of();

    Window(int bytes) {
      buf = new byte[bytes];
    }
  }

  private void scanWindows(FileChannel channel, ExecutorService pool) throws IOException {
    Window cur = windows[0];
    Window pending = null; // searched, or being searched, but not yet handed on
    int filled = 0; // bytes of an unfinished line carried over into cur
    boolean skippingLongLine = false;
    long base = channel.position(); // byte offset in the file of cur.buf[0]
    while (true) {
      byte[] buf = cur.buf;
      ByteBuffer target = ByteBuffer.wrap(buf, filled, buf.length - filled);
      boolean eof = false;
      while (target.hasRemaining() && !eof) {
        // A read into a heap buffer goes through a temporary direct buffer as large as the read,
        // which the JDK then keeps per thread: reading a slice at a time keeps that one small.
        target.limit(Math.min(buf.length, target.position() + READ_BYTES));
        eof = channel.read(target) < 0;
        target.limit(buf.length);
      }
      int end = target.position();
      if (skippingLongLine) {
        // The rest of a line already handed on in part: drop it up to its newline.
        handOn(pending);
        pending = null;
        int nl = LineScanner.indexOf(buf, (byte) '\n', 0, end);
        if (nl < 0) {
          base += end;
          filled = 0;
          if (eof) {
            lineNumber++;
            return;
          }
          continue;
        }
        skippingLongLine = false;
        lineNumber++;
        filled = end - (nl + 1);
        System.arraycopy(buf, nl + 1, buf, 0, filled);
        base += nl + 1;
        if (eof && filled == 0) {
          return;
        }
        continue;
      }
      if (end == 0) {
        handOn(pending);
        return;
      }
      int limit = eof ? end : LineScanner.lastIndexOf(buf, (byte) '\n', 0, end) + 1;
      if (limit == 0) {
        // A full window without a newline: a line longer than any kept; hand on its beginning.
        handOn(pending);
        pending = null;
        handler.skippedTo(lineNumber);
        handler.line(lineNumber, base, buf, 0, maxLineBytes);
        handler.lineTooLong(lineNumber, maxLineBytes);
        skippingLongLine = true;
        base += end;
        filled = 0;
        continue;
      }
      cur.base = base;
      search(cur, limit, eof, pool);
      handOn(pending);
      if (eof) {
        handOn(cur);
        return;
      }
      pending = cur;
      Window next = cur == windows[0] ? windows[1] : windows[0];
      filled = end - limit;
      System.arraycopy(buf, limit, next.buf, 0, filled);
      base += limit;
      cur = next;
    }
  }

  /** What one worker found in its part of a window. */
  private static final class Part {
    final byte[] buf;
    final int from;
    final int to;
    int[] starts = new int[64];
    long[] localLines = new long[64];
    int count;
    long newlines;

    Part(byte[] buf, int from, int to) {
      this.buf = buf;
      this.from = from;
      this.to = to;
    }

    void add(int start, long localLine) {
      if (count == starts.length) {
        starts = Arrays.copyOf(starts, count * 2);
        localLines = Arrays.copyOf(localLines, count * 2);
      }
      starts[count] = start;
      localLines[count] = localLine;
      count++;
    }
  }

  /** Starts the search of {@code w.buf[0, to)}; {@code last} when the input ends there. */
  private void search(Window w, int to, boolean last, ExecutorService pool) {
    w.limit = to;
    w.last = last;
    w.parts = split(w.buf, 0, to);
    if (pool == null || w.parts.size() == 1) {
      w.parts.forEach(this::findCandidates);
      w.searches = List.of();
      return;
    }
    List<Future<?>> searches = new ArrayList<>();
    for (Part part : w.parts) {
      searches.add(pool.submit(() -> findCandidates(part)));
    }
    w.searches = searches;
  }

  /** Waits for the search of {@code w} and hands on its lines in order; nothing for null. */
  private void handOn(Window w) throws IOException {
    if (w == null) {
      return;
    }
    for (Future<?> f : w.searches) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      } catch (ExecutionException e) {
        throw new IllegalStateException("scan worker failed", e.getCause());
      }
    }
    byte[] buf = w.buf;
    int to = w.limit;
    handBase = w.base;
    // Line numbers of the window count from its first line, whatever is handed on before the
    // candidates: a report that began in the previous window goes on here.
    long partBase = lineNumber;
    int pos = everyLine(buf, 0, to);
    for (Part part : w.parts) {
      for (int i = 0; i < part.count; i++) {
        int start = part.starts[i];
        boolean unused = start < 0;
        if (unused) {
          start = ~start;
        }
        if (start < pos) {
          continue;
        }
        if (unused) {
          // Passed over like a line without an anchor; only the framer may still need it.
          unusedStart = start;
          unusedLine = partBase + part.localLines[i];
          continue;
        }
        lineNumber = partBase + part.localLines[i];
        handler.skippedTo(lineNumber);
        pos = handLine(buf, start, to);
        pos = everyLine(buf, pos, to);
      }
      partBase += part.newlines;
    }
    // The buffer is read into again next: what the framer may need of it is framed now.
    frameUnused(buf, to);
    // Every line of the window has been counted; an unterminated last line counts too.
    lineNumber = partBase;
    if (w.last && to > 0 && buf[to - 1] != '\n') {
      lineNumber++;
    }
  }

  /**
   * While the handler wants every line, hands on lines from {@code pos}; returns where it stopped.
   */
  private int everyLine(byte[] buf, int pos, int to) {
    while (pos < to && handler.wantsEveryLine()) {
      pos = handLine(buf, pos, to);
    }
    return pos;
  }

  /*
   * The last line turned away since the last line handed on, or -1. A line turned away starts with
   * no blank, so the framer's memory after it depends on it alone; the only line that reads that
   * memory is one that starts with a blank (a continuation), so it is framed just before such a
   * line, and forgotten when a line without a blank is handed on first.
   */
  private int unusedStart = -1;
  private long unusedLine;

  private void frameUnused(byte[] buf, int to) {
    if (unusedStart < 0) {
      return;
    }
    int start = unusedStart;
    unusedStart = -1;
    int nl = LineScanner.indexOf(buf, (byte) '\n', start, to);
    handler.unused(unusedLine, handBase + start, buf, start, nl < 0 ? to : nl);
  }

  private int handLine(byte[] buf, int start, int to) {
    if (unusedStart >= 0) {
      if (start >= to || (buf[start] & 0xff) <= ' ') {
        frameUnused(buf, to);
      } else {
        unusedStart = -1;
      }
    }
    int nl = LineScanner.indexOf(buf, (byte) '\n', start, to);
    int end = nl < 0 ? to : nl;
    if (end - start >= maxLineBytes) {
      // Cut as LineScanner cuts: only the first maxLineBytes of the line are handed on.
      handler.skippedTo(lineNumber);
      handler.line(lineNumber, handBase + start, buf, start, start + maxLineBytes);
      handler.lineTooLong(lineNumber, maxLineBytes);
    } else {
      handler.line(lineNumber, handBase + start, buf, start, end);
    }
    lineNumber++;
    return end + 1;
  }

  /** Cuts {@code [from, to)} at newlines into about equal parts, one per worker. */
  private List<Part> split(byte[] buf, int from, int to) {
    List<Part> parts = new ArrayList<>(workers);
    int partStart = from;
    for (int w = 1; w < workers && partStart < to; w++) {
      int target = from + (int) ((long) (to - from) * w / workers);
      if (target <= partStart) {
        continue;
      }
      int nl = LineScanner.indexOf(buf, (byte) '\n', target, to);
      if (nl < 0 || nl + 1 >= to) {
        break;
      }
      parts.add(new Part(buf, partStart, nl + 1));
      partStart = nl + 1;
    }
    parts.add(new Part(buf, partStart, to));
    return parts;
  }

  /**
   * Finds the lines of a part that contain an anchor or are too long to keep whole, and counts the
   * part's newlines. Views of the part always end at a newline, so every line lies in one view.
   */
  private void findCandidates(Part part) {
    int viewBytes = Math.min(VIEW_BYTES, maxLineBytes);
    long localLine = 0;
    int viewStart = part.from;
    AnchorSearch search = new AnchorSearch();
    while (viewStart < part.to) {
      int viewEnd = Math.min(part.to, viewStart + viewBytes);
      if (viewEnd < part.to) {
        int lastNewline = LineScanner.lastIndexOf(part.buf, (byte) '\n', viewStart, viewEnd);
        if (lastNewline >= viewStart) {
          viewEnd = lastNewline + 1;
        } else {
          // One line longer than a view: it is a view of its own, or a candidate if over-long.
          int nl = LineScanner.indexOf(part.buf, (byte) '\n', viewEnd, part.to);
          int lineEnd = nl < 0 ? part.to : nl;
          if (lineEnd - viewStart >= maxLineBytes) {
            part.add(viewStart, localLine);
            if (nl < 0) {
              break;
            }
            localLine++;
            viewStart = nl + 1;
            continue;
          }
          viewEnd = nl < 0 ? part.to : nl + 1;
        }
      } else if (viewEnd - viewStart >= maxLineBytes
          && LineScanner.indexOf(part.buf, (byte) '\n', viewStart, viewEnd) < 0) {
        // The unterminated last line of the input, too long to keep whole.
        part.add(viewStart, localLine);
        break;
      }
      int pos = viewStart;
      while (pos < viewEnd) {
        int lineStart = search.next(part.buf, pos, viewEnd);
        localLine += search.newlines();
        if (lineStart < 0) {
          break;
        }
        int nl = LineScanner.indexOf(part.buf, (byte) '\n', lineStart, viewEnd);
        int lineEnd = nl < 0 ? viewEnd : nl;
        boolean used =
            lineEnd - lineStart >= maxLineBytes || handler.mayMatter(part.buf, lineStart, lineEnd);
        // A line turned away is still listed, marked, for the framer's sake (see handOn).
        part.add(used ? lineStart : ~lineStart, localLine);
        if (nl < 0) {
          break;
        }
        localLine++;
        pos = nl + 1;
      }
      viewStart = viewEnd;
    }
    part.newlines = localLine;
  }
}
