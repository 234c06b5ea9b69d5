package dev.oomlens.core.kernel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/*
 * Why this class looks the way it does: the scan of a large log is one question asked of every byte,
 * "does a line of interest start here?", and the answer is almost always no. So one pass over the
 * bytes, eight at a time in a long (SWAR), asks it for all the anchors at once and counts the
 * newlines on the way, instead of one String.indexOf pass per anchor over a Latin-1 copy of the
 * bytes and another pass to count newlines. Each anchor is found by its first two bytes ("oo",
 * "ki"/"Ki", "fa", "vi", "no"): a pair is one zero-byte test of (x ^ first) | (y ^ second), where y
 * is the same eight bytes one position later, and "oo"/"no" and "ki"/"Ki" share one test each; the few pairs that match ("no" in "node", "vi" in
 * "device") are then checked byte by byte, the confirm step included. The zero-byte test used for
 * pairs may also flag the byte after a real zero, which only costs a check; the one that counts
 * newlines is exact, and is computed only for the words that the cheap test of pairs and newlines
 * together did not clear (under C1, which the launcher runs, that cut the loop's CPU by about a
 * fifth). The Vector API would take 32 or 64 bytes a step, but it is an incubator module
 * that prints a warning on every start, so plain longs it is; bytes too few for a long are read one
 * at a time.
 *
 * The hot loop is one method of a few dozen bytecodes, so C2 compiles it early and has little to
 * compile.
 */

/**
 * Finds, in a region of bytes, the first line holding one of {@link LineScanner#ANCHORS} (with
 * {@code failure} confirmed by the {@code : order} after it) and counts the newlines before that
 * line. One instance per thread: it keeps the count of the last search.
 */
final class AnchorSearch {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGH = 0x8080808080808080L;
  private static final long LOW7 = 0x7F7F7F7F7F7F7F7FL;
  private static final long NEWLINE = '\n' * ONES;
  private static final long CASE = 0x20 * ONES;

  private long newlines;

  /**
   * Newlines the last {@link #next} passed: in {@code [from, line start)}, or all of the region.
   */
  long newlines() {
    return newlines;
  }

  /**
   * The start of the first line of {@code b[from, to)} that holds a confirmed anchor, or -1 when
   * none does; {@code from} must be a line start. Anchors must lie wholly inside the region.
   */
  int next(byte[] b, int from, int to) {
    long count = 0;
    int lastNewline = from - 1;
    int i = from;
    // Reads b[i, i + 9): the word and the word one byte on.
    for (; i + 9 <= to; i += 8) {
      long x = (long) LONGS.get(b, i);
      long y = (long) LONGS.get(b, i + 1);
      long n = x ^ NEWLINE;
      long pairs = pairs(x, y);
      // Most words hold neither a pair nor a newline: one test of both, before the exact
      // newline mask and its bookkeeping.
      if (((pairs | zeroBorrows(n)) & HIGH) == 0) {
        continue;
      }
      pairs &= HIGH;
      long nl = exactZeros(n);
      while (pairs != 0) {
        int at = i + (Long.numberOfTrailingZeros(pairs) >>> 3);
        if (anchorAt(b, at, to)) {
          long before = nl & ((1L << ((at - i) << 3)) - 1);
          newlines = count + Long.bitCount(before);
          return before != 0 ? i + 8 - (Long.numberOfLeadingZeros(before) >>> 3) : lastNewline + 1;
        }
        pairs &= pairs - 1;
      }
      if (nl != 0) {
        count += Long.bitCount(nl);
        lastNewline = i + 7 - (Long.numberOfLeadingZeros(nl) >>> 3);
      }
    }
    for (; i < to; i++) {
      if (b[i] == '\n') {
        count++;
        lastNewline = i;
      } else if (anchorAt(b, i, to)) {
        newlines = count;
        return lastNewline + 1;
      }
    }
    newlines = count;
    return -1;
  }

  /**
   * High bit of byte k set when bytes k and k+1 may begin an anchor (a superset, never less); the
   * other bits are noise for the caller to mask off with {@link #HIGH}.
   */
  private static long pairs(long x, long y) {
    // "oo" and "no" in one test: x | 1 turns 'n' (0x6E) into 'o' (0x6F) and nothing else into it.
    long ooNo = ((x | ONES) ^ ('o' * ONES)) | (y ^ ('o' * ONES));
    // "ki" and "Ki": x | 0x20 turns 'K' into 'k' and nothing else into it.
    long ki = ((x | CASE) ^ ('k' * ONES)) | (y ^ ('i' * ONES));
    long vi = (x ^ ('v' * ONES)) | (y ^ ('i' * ONES));
    long fa = (x ^ ('f' * ONES)) | (y ^ ('a' * ONES));
    return zeroBorrows(ooNo) | zeroBorrows(ki) | zeroBorrows(vi) | zeroBorrows(fa);
  }

  /**
   * High bit set in every zero byte of v, and maybe in a byte just above one; other bits are noise,
   * so that several of these can be or-ed and masked with {@link #HIGH} once.
   */
  private static long zeroBorrows(long v) {
    return (v - ONES) & ~v;
  }

  /** High bit set in exactly the zero bytes of v. */
  private static long exactZeros(long v) {
    return ~(((v & LOW7) + LOW7) | v | LOW7);
  }

  /** True when a confirmed anchor starts at {@code b[at]} and ends before {@code to}. */
  static boolean anchorAt(byte[] b, int at, int to) {
    return switch (b[at]) {
      case 'o' -> at + 3 <= to && b[at + 1] == 'o' && b[at + 2] == 'm';
      case 'K', 'k' -> at + 4 <= to && b[at + 1] == 'i' && b[at + 2] == 'l' && b[at + 3] == 'l';
      case 'v' -> at + 4 <= to && b[at + 1] == 'i' && b[at + 2] == 'c' && b[at + 3] == 't';
      case 'n' -> startsWith(b, at, to, NOHANG);
      case 'f' ->
          startsWith(b, at, to, FAILURE)
              && (startsWith(b, at + 7, to, COLON_ORDER) || startsWith(b, at + 7, to, DOT_ORDER));
      default -> false;
    };
  }

  private static final byte[] NOHANG = {'n', 'o', 'h', 'a', 'n', 'g'};
  private static final byte[] FAILURE = {'f', 'a', 'i', 'l', 'u', 'r', 'e'};
  private static final byte[] COLON_ORDER = {':', ' ', 'o', 'r', 'd', 'e', 'r'};
  private static final byte[] DOT_ORDER = {'.', ' ', 'o', 'r', 'd', 'e', 'r'};

  static boolean startsWith(byte[] b, int at, int to, byte[] word) {
    if (at + word.length > to) {
      return false;
    }
    for (int k = 0; k < word.length; k++) {
      if (b[at + k] != word[k]) {
        return false;
      }
    }
    return true;
  }
}
