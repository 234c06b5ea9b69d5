package dev.oomlens.core.kernel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The scanner's search as it was before {@link AnchorSearch}: a Latin-1 String of the region, one
 * String.indexOf pass per anchor, a confirm step, and a second pass to count newlines. Kept as the
 * baseline oomlens-bench's AnchorSearchBenchmark measures the one-pass search against.
 */
final class StringAnchorSearch {
  private static final int FAILURE = 3;
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
  private static final long LOW7 = 0x7F7F7F7F7F7F7F7FL;
  private final int[] anchorAt = new int[LineScanner.ANCHORS.length];
  private long newlines;

  long newlines() {
    return newlines;
  }

  private byte[] bytes;
  private int viewFrom;
  private String view;

  /** Starts the search of a view, {@code b[from, to)}: one String for all of it. */
  void view(byte[] b, int from, int to) {
    bytes = b;
    viewFrom = from;
    view = new String(b, from, to - from, StandardCharsets.ISO_8859_1);
    Arrays.fill(anchorAt, -2);
  }

  /** As {@link AnchorSearch#next} from {@code pos} to the end of the view. */
  int next(int pos) {
    int hit = nextAnchor(view, pos - viewFrom, anchorAt);
    if (hit < 0) {
      newlines = countNewlines(bytes, pos, viewFrom + view.length());
      return -1;
    }
    int lineStart = viewFrom + Math.max(pos - viewFrom, view.lastIndexOf('\n', hit) + 1);
    newlines = countNewlines(bytes, pos, lineStart);
    return lineStart;
  }

  private static int nextAnchor(String view, int pos, int[] anchorAt) {
    int best = -1;
    for (int i = 0; i < LineScanner.ANCHORS.length; i++) {
      int at = anchorAt[i];
      if (at == -2 || (at >= 0 && at < pos)) {
        at = view.indexOf(LineScanner.ANCHORS[i], pos);
        while (at >= 0 && !confirmed(view, at, i)) {
          at = view.indexOf(LineScanner.ANCHORS[i], at + 1);
        }
        anchorAt[i] = at;
      }
      if (at >= 0 && (best < 0 || at < best)) {
        best = at;
      }
    }
    return best;
  }

  private static boolean confirmed(String view, int hit, int anchor) {
    return anchor != FAILURE
        || view.startsWith(": order", hit + 7)
        || view.startsWith(". order", hit + 7);
  }

  /** Counts {@code \n} bytes in {@code b[from, to)}, eight at a time. */
  private static long countNewlines(byte[] b, int from, int to) {
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
}
