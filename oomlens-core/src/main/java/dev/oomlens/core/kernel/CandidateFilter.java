package dev.oomlens.core.kernel;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/*
 * Why this class: on a node's log most lines that hold an anchor are nobody's business: AppArmor
 * audit records of a process named "zoom", systemd's "Killing process N (comm) with signal SIGKILL"
 * of every closed session, a "Disk failure" of md. Each cost the one ordered thread a decode, its
 * framing and every consumer's checks (JFR at 1 GiB: about half of that thread's samples), while
 * the scan workers can turn them away in parallel, on the bytes.
 *
 * The rule is the consumers' own, read backwards: outside a report a line matters only if one of
 * them reacts to it, and each reaction needs a fixed phrase in the message, which is a piece of the
 * line's text. So a line is kept when it holds one of those phrases: a necessary condition, so no
 * line a consumer uses is ever turned away, while a line with a phrase but not the rest of its
 * consumer's pattern is still handed on, to be refused there as before:
 *  - ReportAssembler: an allocation failure (OomHeaderParser.allocFailure), a report's start
 *    (startsReport: the trigger, the summary, Task in / Memory cgroup stats for / ": usage ", the
 *    task table's title and header, any KillLineParser line), a tentative start (startsTentatively:
 *    CPU:, Hardware name:, Call Trace:/trace:, Mem-Info:, oom_kill_process:, a "+0x" frame), and a
 *    pending report's reaper, group-kill and panic lines (acceptPending: KillLineParser again);
 *  - KillerLogParser: every branch of oomd, unit, earlyoom (the old "Killing process" form only
 *    with the earlyoom tag, which is in the line), nohang and kubelet.
 * A message can differ from the line's bytes only where the framing rewrites it: rsyslog's #ooo and
 * kmsg's \xNN escapes, and colour codes taken off; a line with '#', '\' or ESC is kept. A line that
 * begins with a blank may be a continuation that reads the framer's memory of the record before,
 * and is kept too (the ordered thread frames the last line turned away before it, see
 * LineScanner.Handler#unused). Bytes of UTF-8 decoding never turn into ASCII, nor ASCII into other
 * characters, so a phrase is in the bytes exactly when it is in the text.
 *
 * A consumer that learns a new phrase must add it here; FilteredReadPropertyTest reads every corpus
 * report and killer log with and without this filter and fails when they differ.
 */

/** Tells, on the bytes of a line that holds an anchor, whether any consumer may use it. */
final class CandidateFilter {
  private CandidateFilter() {}

  private static final byte[][] T =
      words(
          "Task in ",
          "Tasks in ",
          "Tasks state (memory values in pages)",
          "The node was low on resource: ");
  private static final byte[][] M =
      words(
          "Memory cgroup stats for ",
          "Mem-Info:",
          "Main process exited, ",
          "MemAvailable [",
          "MemUsedZram [",
          "Memory status that requires corrective actions:");
  private static final byte[][] K =
      words("Kernel panic - not syncing: ", "Killed process ", "Kill process ");
  private static final byte[][] O = words("Out of memory", "OOM victim ");
  private static final byte[][] C = words("CPU: ", "Call Trace:", "Call trace:", "Current PSI");
  private static final byte[][] LOWER_O =
      words("oom-kill:", "oom_reaper: ", "oom killer ", "oom_kill_process: ");
  private static final byte[][] LOWER_S = words("sending SIG", "systemd-oomd killed ");
  private static final byte[][] LOWER_E = words("escalating to SIGKILL after ", "earlyoom");
  private static final byte[][] S = words("SwapFree [", "Sending SIG");
  private static final byte[][] P = words("PSI ", "PID: ");
  private static final byte[][] V = words("Vm, MiB: ", "Victim is ");
  private static final byte[][] PLUS = words("+0x");
  private static final byte[][] COLON = words(": usage ");
  private static final byte[][] LOWER_I = words("invoked oom-killer:");
  private static final byte[][] H = words("Hardware name:");
  private static final byte[][] LOWER_D = words("due to ");
  private static final byte[][] A = words("A process of this unit ");
  private static final byte[][] F = words("Failed with result ");
  private static final byte[][] LOWER_L = words("low memory! at or below ");
  private static final byte[][] LOWER_K = words("kill failed: ");
  private static final byte[][] LOWER_V = words("vict");
  private static final byte[][] LOWER_F = words("failure: order:");

  /**
   * False only when no consumer can use the line {@code b[from, to)} (without its newline) while no
   * report is open.
   */
  static boolean mayMatter(byte[] b, int from, int to) {
    if (from >= to || (b[from] & 0xff) <= ' ') {
      return true;
    }
    // Most bytes begin no phrase: a table of the byte pairs that may tells them apart with one
    // well-predicted branch, where a switch on every byte would jump somewhere new at every letter.
    int last = to - 1;
    for (int i = from; i < last; i++) {
      int pair = (b[i] & 0xff) | (b[i + 1] & 0xff) << 8;
      if ((PAIRS[pair >>> 6] & (1L << pair)) == 0) {
        continue;
      }
      byte[][] words =
          switch (b[i]) {
            case '#', '\\', 0x1b -> {
              yield null;
            }
            case 'T' -> T;
            case 'M' -> M;
            case 'K' -> K;
            case 'O' -> O;
            case 'C' -> C;
            case 'o' -> LOWER_O;
            case 's' -> LOWER_S;
            case 'e' -> LOWER_E;
            case 'S' -> S;
            case 'P' -> P;
            case 'V' -> V;
            case '+' -> PLUS;
            case ':' -> COLON;
            case 'i' -> LOWER_I;
            case 'H' -> H;
            case 'd' -> LOWER_D;
            case 'A' -> A;
            case 'F' -> F;
            case 'l' -> LOWER_L;
            case 'k' -> LOWER_K;
            case 'v' -> LOWER_V;
            case 'f' -> LOWER_F;
            case 'p' -> {
              if (taskTableHeaderPid(b, i, to)) {
                yield null;
              }
              yield NONE;
            }
            default -> NONE;
          };
      if (words == null) {
        return true;
      }
      for (byte[] w : words) {
        if (AnchorSearch.startsWith(b, i, to, w)) {
          return true;
        }
      }
    }
    return isEscapeOrEsc(b[last]);
  }

  private static boolean isEscapeOrEsc(byte c) {
    return c == '#' || c == '\\' || c == 0x1b;
  }

  /** Bit {@code first | second << 8} set for the first two bytes of every phrase. */
  private static final long[] PAIRS = pairs();

  private static long[] pairs() {
    long[] bits = new long[1 << 10];
    List<byte[]> all = new ArrayList<>();
    for (byte[][] group :
        List.of(
            T, M, K, O, C, LOWER_O, LOWER_S, LOWER_E, S, P, V, PLUS, COLON, LOWER_I, H, LOWER_D, A,
            F, LOWER_L, LOWER_K, LOWER_V, LOWER_F)) {
      all.addAll(List.of(group));
    }
    all.add(new byte[] {'p', 'i'});
    for (byte[] w : all) {
      int pair = (w[0] & 0xff) | (w[1] & 0xff) << 8;
      bits[pair >>> 6] |= 1L << pair;
    }
    for (int c = 0; c < 256; c++) {
      if (isEscapeOrEsc((byte) c)) {
        for (int next = 0; next < 256; next++) {
          int pair = c | next << 8;
          bits[pair >>> 6] |= 1L << pair;
        }
      }
    }
    return bits;
  }

  private static final byte[][] NONE = {};

  /** {@code pid}, blanks, {@code ]}: the start of TaskTableParser's header, {@code [ pid ] ...}. */
  private static boolean taskTableHeaderPid(byte[] b, int at, int to) {
    if (at + 3 > to || b[at + 1] != 'i' || b[at + 2] != 'd') {
      return false;
    }
    int q = at + 3;
    // The header's pattern reads \s*: space, tab, newline, vertical tab, form feed, return.
    while (q < to && (b[q] == ' ' || (b[q] >= '\t' && b[q] <= '\r'))) {
      q++;
    }
    return q < to && b[q] == ']';
  }

  private static byte[][] words(String... words) {
    byte[][] out = new byte[words.length][];
    for (int i = 0; i < words.length; i++) {
      out[i] = words[i].getBytes(StandardCharsets.US_ASCII);
    }
    return out;
  }
}
