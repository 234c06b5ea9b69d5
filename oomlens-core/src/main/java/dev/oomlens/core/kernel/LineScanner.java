package dev.oomlens.core.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/*
 * Why this class looks the way it does: a node's kernel log is mostly lines that have nothing to do
 * with memory, and the yardstick is `grep -c -F 'invoked oom-killer'` on a gigabyte of them.
 * Decoding every line into a String would cost several times grep's time, so while no report is
 * open the scanner only looks for the few anchors every interesting line carries ("oom", "ill",
 * "failure"; see ReportAssembler's contract) with String.indexOf over a Latin-1 view of the chunk,
 * which the JIT turns into SIMD code, and counts the newlines it passes over eight bytes at a time so
 * every line it hands on still has its true line number. Inside a report every line is handed on.
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

    /** One line: {@code buf[start, end)}, without its {@code \n}. */
    void line(long lineNumber, byte[] buf, int start, int end);

    /** Line {@code lineNumber} was longer than the scanner keeps; only its first part was handed on. */
    void lineTooLong(long lineNumber, int keptBytes);
  }

  /**
   * Substrings at least one of which every line of interest contains when no report is open: the
   * kernel's OOM and allocation-failure lines, and the userspace killers' records ({@code oom}
   * also covers the {@code earlyoom} and {@code systemd-oomd} tags and {@code oom-kill} unit
   * results; {@code vict} the kubelet's evictions; {@code nohang} its tag). A hit counts only when
   * {@link #confirmed} agrees: {@code failure} must be {@code failure: order} (or the older
   * {@code failure. order}). {@code Kill} and {@code kill} are searched apart, rather than as
   * {@code ill}, because "will", "fill" and "still" would make every other line a hit.
   */
  static final String[] ANCHORS = {"oom", "Kill", "kill", "failure", "vict", "nohang"};
  private static final int FAILURE = 3;

  /** Longest line kept whole; longer ones are cut (and reported) so memory stays bounded. */
  static final int DEFAULT_MAX_LINE_BYTES = 1 << 20;

  /*
   * The buffer starts small and grows only for a long line: the Latin-1 view made of each buffer
   * load is then an ordinary young-generation allocation, not a humongous one, which matters at a
   * gigabyte of input.
   */
  private static final int INITIAL_BUFFER_BYTES = 64 << 10;

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
  private static final long LOW7 = 0x7F7F7F7F7F7F7F7FL;

  private byte[] buf;
  private final int maxLineBytes;
  private final Handler handler;
  private final int[] anchorAt = new int[ANCHORS.length];
  private long lineNumber = 1;

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
        handler.line(lineNumber, buf, 0, rest);
        handler.lineTooLong(lineNumber, rest);
        filled = 0;
        skippingLongLine = true;
        continue;
      }
      System.arraycopy(buf, start, buf, 0, rest);
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
    // A Latin-1 String of the region lets String.indexOf's vectorised search find the anchors.
    String view = new String(buf, from, to - from, StandardCharsets.ISO_8859_1);
    int offset = from;
    int regionEnd = to - from;
    for (int i = 0; i < anchorAt.length; i++) {
      anchorAt[i] = -2; // not searched yet
    }
    int pos = 0;
    while (pos < regionEnd) {
      if (handler.wantsEveryLine()) {
        int nl = view.indexOf('\n', pos);
        int lineEnd = nl < 0 ? regionEnd : nl;
        handler.line(lineNumber, buf, offset + pos, offset + lineEnd);
        lineNumber++;
        pos = lineEnd + 1;
        continue;
      }
      int hit = nextAnchor(view, pos, anchorAt);
      if (hit < 0) {
        lineNumber += countNewlines(buf, offset + pos, offset + regionEnd);
        if (last && (regionEnd == 0 || buf[offset + regionEnd - 1] != '\n')) {
          lineNumber++;
        }
        return;
      }
      int lineStart = view.lastIndexOf('\n', hit) + 1;
      if (lineStart < pos) {
        lineStart = pos;
      }
      lineNumber += countNewlines(buf, offset + pos, offset + lineStart);
      handler.skippedTo(lineNumber);
      int nl = view.indexOf('\n', hit);
      int lineEnd = nl < 0 ? regionEnd : nl;
      handler.line(lineNumber, buf, offset + lineStart, offset + lineEnd);
      lineNumber++;
      pos = lineEnd + 1;
    }
  }

  /**
   * Position of the first anchor at or after {@code pos} in {@code view}, or -1. {@code anchorAt}
   * remembers each anchor's next hit (-2: not searched yet) so each is searched for once per view.
   */
  static int nextAnchor(String view, int pos, int[] anchorAt) {
    int best = -1;
    for (int i = 0; i < ANCHORS.length; i++) {
      int at = anchorAt[i];
      if (at == -2 || (at >= 0 && at < pos)) {
        at = view.indexOf(ANCHORS[i], pos);
        while (at >= 0 && !confirmed(view, at, i)) {
          at = view.indexOf(ANCHORS[i], at + 1);
        }
        anchorAt[i] = at;
      }
      if (at >= 0 && (best < 0 || at < best)) {
        best = at;
      }
    }
    return best;
  }

  /*
   * Confirming a hit by the bytes around it keeps ordinary words ("firmware: failure") from
   * reaching the ordered, decoding part of the read: on a busy node's log they can outnumber the
   * lines of OOM reports several times over.
   */
  static boolean confirmed(String view, int hit, int anchor) {
    return anchor != FAILURE
        || view.startsWith(": order", hit + 7) || view.startsWith(". order", hit + 7);
  }

  /** Counts {@code \n} bytes in {@code b[from, to)}, eight at a time. */
  static long countNewlines(byte[] b, int from, int to) {
    long count = 0;
    int i = from;
    for (; i + 8 <= to; i += 8) {
      long x = (long) LONGS.get(b, i) ^ NEWLINES;
      // High bit of each byte set exactly where that byte of x is zero, i.e. was '\n'.
      long zeros = ~(((x & LOW7) + LOW7) | x | LOW7);
      count += Long.bitCount(zeros);
    }
    for (; i < to; i++) {
      if (b[i] == '\n') {
        count++;
      }
    }
    return count;
  }

  static int indexOf(byte[] b, byte value, int from, int to) {
    for (int i = from; i < to; i++) {
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
