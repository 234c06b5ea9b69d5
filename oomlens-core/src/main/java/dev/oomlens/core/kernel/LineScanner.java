package dev.oomlens.core.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/*
 * Why this class looks the way it does: a node's kernel log is mostly lines that have nothing to do
 * with memory, and the yardstick is `grep -c -F 'invoked oom-killer'` on a gigabyte of them.
 * Decoding every line into a String would cost several times grep's time, so while no report is
 * open the scanner only looks for the few anchors every interesting line carries ("oom", "Kill",
 * "failure"; see ReportAssembler's contract), all at once in one pass over the bytes that also
 * counts the newlines it passes (AnchorSearch), so every line it hands on still has its true line
 * number. Inside a report every line is handed on.
 *
 * Memory stays constant whatever the input size: one buffer, reused.
 */

/**
 * Splits a byte stream into lines and hands each line that may matter to a {@link Handler}, with
 * its 1-based line number. Line terminators are {@code \n}; a trailing {@code \r} is left to the
 * handler. A final line without a terminator is handed on too.
 */
final class LineScanner {

  /** Receives the lines of the input. */
  interface Handler {
    /** True while every line must be handed on; false lets the scanner skip to anchor lines. */
    boolean wantsEveryLine();

    /** The scanner passed over every line before {@code lineNumber} without handing it on. */
    void skippedTo(long lineNumber);

    /**
     * One line: {@code buf[start, end)}, without its {@code \n}, which begins at byte {@code
     * offset} of the input.
     */
    void line(long lineNumber, long offset, byte[] buf, int start, int end);

    /**
     * Line {@code lineNumber} was longer than the scanner keeps; only its first part was handed on.
     */
    void lineTooLong(long lineNumber, int keptBytes);

    /**
     * False when no consumer can use the anchor line {@code buf[start, end)} while no report is
     * open, so a scanner may pass over it. Called from scan worker threads, concurrently: it must
     * read nothing but its arguments.
     */
    default boolean mayMatter(byte[] buf, int start, int end) {
      return true;
    }

    /**
     * A line {@link #mayMatter} turned away, the last one before a line that may read what it left
     * behind (a continuation line reads the record before it): the handler frames it, to no
     * consumer.
     */
    default void unused(long lineNumber, long offset, byte[] buf, int start, int end) {}
  }

  /**
   * Substrings at least one of which every line of interest contains when no report is open: the
   * kernel's OOM and allocation-failure lines, and the userspace killers' records ({@code oom} also
   * covers the {@code earlyoom} and {@code systemd-oomd} tags and {@code oom-kill} unit results;
   * {@code vict} the kubelet's evictions; {@code nohang} its tag). A hit counts only when the bytes
   * after it agree: {@code failure} must be {@code failure: order} (or the older {@code failure.
   * order}). {@code Kill} and {@code kill} are searched apart, rather than as {@code ill}, because
   * "will", "fill" and "still" would make every other line a hit. {@link AnchorSearch} finds them.
   */
  static final String[] ANCHORS = {"oom", "Kill", "kill", "failure", "vict", "nohang"};

  /** Longest line kept whole; longer ones are cut (and reported) so memory stays bounded. */
  static final int DEFAULT_MAX_LINE_BYTES = 1 << 20;

  /* The buffer starts small and grows only for a long line. */
  private static final int INITIAL_BUFFER_BYTES = 64 << 10;

  private byte[] buf;
  private final int maxLineBytes;
  private final Handler handler;
  private final AnchorSearch search = new AnchorSearch();
  private long lineNumber = 1;

  /** Byte offset in the input of {@code buf[0]}. */
  private long base;

  LineScanner(Handler handler) {
    this(handler, DEFAULT_MAX_LINE_BYTES);
  }

  /** A scanner whose longest kept line is {@code maxLineBytes} long (tests use small ones). */
  LineScanner(Handler handler, int maxLineBytes) {
    if (maxLineBytes < 16) {
      throw new IllegalArgumentException("maxLineBytes=" + maxLineBytes);
    }
    this.handler = handler;
    this.maxLineBytes = maxLineBytes;
    this.buf = new byte[Math.min(INITIAL_BUFFER_BYTES, maxLineBytes)];
  }

  /** Number of the next line to be read; after {@link #scan} returns, one past the last line. */
  long lineNumber() {
    return lineNumber;
  }

  /**
   * Reads {@code in} to its end. An {@link IOException} from the stream propagates; every line
   * before the failure has been handed on and {@link #lineNumber()} tells where it stopped.
   */
  void scan(InputStream in) throws IOException {
    int filled = 0; // bytes of an unfinished line carried over from the previous read
    boolean skippingLongLine = false;
    while (true) {
      int n = in.read(buf, filled, buf.length - filled);
      if (n < 0) {
        if (skippingLongLine) {
          lineNumber++;
        } else if (filled > 0) {
          deliver(0, filled, true);
        }
        return;
      }
      int end = filled + n;
      int start = 0;
      if (skippingLongLine) {
        // The rest of a line already handed on in part: drop it up to its newline.
        int nl = indexOf(buf, (byte) '\n', 0, end);
        if (nl < 0) {
          base += end;
          filled = 0;
          continue;
        }
        skippingLongLine = false;
        lineNumber++;
        start = nl + 1;
      }
      // The carried-over bytes hold no newline, so only the new ones need searching.
      int lastNewline = lastIndexOf(buf, (byte) '\n', Math.max(start, filled), end);
      if (lastNewline >= 0) {
        deliver(start, lastNewline + 1, false);
        start = lastNewline + 1;
      }
      int rest = end - start;
      if (rest == buf.length && buf.length < maxLineBytes) {
        // A line longer than the buffer: make room for it, up to the longest line kept.
        buf = java.util.Arrays.copyOf(buf, Math.min(buf.length * 2, maxLineBytes));
        filled = rest;
        continue;
      }
      if (rest == buf.length) {
        // One line fills the whole buffer: hand on what fits, drop the rest of it.
        handler.skippedTo(lineNumber);
        handler.line(lineNumber, base, buf, 0, rest);
        handler.lineTooLong(lineNumber, rest);
        base += rest;
        filled = 0;
        skippingLongLine = true;
        continue;
      }
      System.arraycopy(buf, start, buf, 0, rest);
      base += start;
      filled = rest;
    }
  }

  /**
   * Hands on the lines of {@code buf[from, to)}, which starts at a line start and ends just after a
   * newline, or at the end of input when {@code last}.
   */
  private void deliver(int from, int to, boolean last) {
    if (from >= to) {
      return;
    }
    int pos = from;
    while (pos < to) {
      if (handler.wantsEveryLine()) {
        int nl = indexOf(buf, (byte) '\n', pos, to);
        int lineEnd = nl < 0 ? to : nl;
        handler.line(lineNumber, base + pos, buf, pos, lineEnd);
        lineNumber++;
        pos = lineEnd + 1;
        continue;
      }
      int lineStart = search.next(buf, pos, to);
      lineNumber += search.newlines();
      if (lineStart < 0) {
        if (last && buf[to - 1] != '\n') {
          lineNumber++;
        }
        return;
      }
      handler.skippedTo(lineNumber);
      int nl = indexOf(buf, (byte) '\n', lineStart, to);
      int lineEnd = nl < 0 ? to : nl;
      handler.line(lineNumber, base + lineStart, buf, lineStart, lineEnd);
      lineNumber++;
      pos = lineEnd + 1;
    }
  }

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGH = 0x8080808080808080L;

  /*
   * Eight bytes a step: the ordered thread finds the end of every line it hands on with this, and
   * the launcher's C1 compiles a byte-at-a-time loop to about a byte a cycle (JFR at 1 GiB: 9 of
   * the ordered thread's samples). In a word xor-ed with the byte sought, the zero-byte test may
   * flag a byte above a real zero (a borrow), never one below, so the lowest flag, the first byte
   * in little-endian order, is always a real match.
   */
  static int indexOf(byte[] b, byte value, int from, int to) {
    int i = from;
    long pattern = (value & 0xFFL) * ONES;
    for (; i + 8 <= to; i += 8) {
      long v = (long) LONGS.get(b, i) ^ pattern;
      long zeros = (v - ONES) & ~v & HIGH;
      if (zeros != 0) {
        return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
      }
    }
    for (; i < to; i++) {
      if (b[i] == value) {
        return i;
      }
    }
    return -1;
  }

  static int lastIndexOf(byte[] b, byte value, int from, int to) {
    for (int i = to - 1; i >= from; i--) {
      if (b[i] == value) {
        return i;
      }
    }
    return -1;
  }
}
