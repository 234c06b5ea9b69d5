package dev.oomlens.core.kernel;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/*
 * The head of an OOM report (mm/oom_kill.c dump_header(), lib/dump_stack.c) and of a warn_alloc()
 * report (mm/page_alloc.c):
 *
 *   3.x-4.5   "%s invoked oom-killer: gfp_mask=0x%x, order=%d, oom_score_adj=%hd"
 *   4.6-4.8   "%s invoked oom-killer: gfp_mask=%#x(%pGg), order=%d, oom_score_adj=%hd"
 *   4.9-4.18  "%s invoked oom-killer: gfp_mask=%#x(%pGg), nodemask=%*pbl, order=%d, oom_score_adj=%hd"
 *   4.19+     "%s invoked oom-killer: gfp_mask=%#x(%pGg), order=%d, oom_score_adj=%hd"
 *   2.6       "... order=%d, oomkilladj=%d" (no oom_score_adj: left empty)
 *   <=4.18    "%s cpuset=%s mems_allowed=%*pbl" (cpuset_print_current_mems_allowed)
 *   dump_stack "CPU: %d PID: %d Comm: %.20s %s %.*s %.*s" -> "Not tainted"/"Tainted: <flags>", the
 *             release, then the version string that starts with '#'; 6.x inserts "UID: %u" before
 *             PID and distro kernels "Kdump: loaded" before the taint
 *   warn_alloc "%s: page allocation failure: order:%u, mode:%#x(%pGg), nodemask=%*pbl[,cpuset=..]"
 *             and other "<kind> failure: order:%u, mode:%#x" (vmemmap alloc failure, ...)
 *   ratelimit "oom_kill_process: %d callbacks suppressed" (lib/ratelimit.c ___ratelimit(), for the
 *             oom_rs state of oom_kill_process()): printed right before the dump_header() of the
 *             first report after a burst whose headers were suppressed (only the headers: the kill
 *             lines of those reports are printed in full)
 *
 * nodemask=%*pbl prints lists with commas ("0,2-3"), so fields are found by their names, not by
 * splitting on commas.
 *
 * Read by hand: the trigger and allocation-failure tests run on every line the reader hands over,
 * the others on every line of an open report. The readings are those of the patterns they replaced
 * (kept in the test sources as OomHeaderRegexParser, held to the same results by
 * OomHeaderParserPropertyTest). The wrapped trigger's tail keeps its pattern: it is tried only on
 * the one line after a trigger cut before its oom_score_adj.
 */
final class OomHeaderParser {
  private static final String INVOKED = " invoked oom-killer: ";
  private static final String INVOKED_AT_END = " invoked oom-killer:";
  private static final String FAILURE = " failure: order:";
  private static final String SUPPRESSED = "oom_kill_process: ";
  private static final String SUPPRESSED_END = " callbacks suppressed";
  private static final Pattern TRIGGER_TAIL = Pattern.compile("^[\\w=(),|.\\- ]+$", Pattern.DOTALL);

  private OomHeaderParser() {}

  /** {@code X invoked oom-killer: ...}, with every field the line holds. */
  record TriggerLine(
      String comm, Optional<String> gfpMask, OptionalInt order, OptionalInt oomScoreAdj) {}

  /** {@code X cpuset=<leaf> mems_allowed=<nodes>} of kernels up to 4.18. */
  record CpusetLine(String comm, String cpuset, String memsAllowed) {}

  /** The {@code CPU: n PID: n Comm: x ...} header of the stack dump. */
  record CpuLine(long pid, String comm, Optional<String> release) {}

  /** {@code <comm>: <kind> failure: order:N, mode:0x...}. */
  record AllocFailureLine(String comm, String kind, int order, Optional<String> mode) {}

  static Optional<TriggerLine> trigger(String message) {
    String m = message.strip();
    int at = m.indexOf(INVOKED);
    String rest;
    if (at >= 0) {
      rest = m.substring(at + INVOKED.length());
    } else if (m.endsWith(INVOKED_AT_END)) {
      // Wrapped right after the colon: the fields are on the next line.
      at = m.length() - INVOKED_AT_END.length();
      rest = "";
    } else {
      return Optional.empty();
    }
    String comm = m.substring(0, at);
    Optional<String> gfp = Optional.empty();
    int g = rest.indexOf("gfp_mask=");
    if (g >= 0) {
      String v = rest.substring(g + "gfp_mask=".length());
      int end = v.indexOf(", ");
      String mask = (end >= 0 ? v.substring(0, end) : v).strip();
      // A name list cut short has no ')': keep the hex, which is whole.
      if (mask.contains("(") && !mask.endsWith(")")) {
        mask = mask.substring(0, mask.indexOf('('));
      }
      if (isMask(mask)) {
        gfp = Optional.of(mask);
      }
    }
    return Optional.of(
        new TriggerLine(
            comm,
            gfp,
            intField(rest, ", order=", "order="),
            intField(rest, "oom_score_adj=", null)));
  }

  /** {@code "0x[0-9a-fA-F]+(\\(.*\\))?"}: "." takes no line terminator. */
  private static boolean isMask(String mask) {
    int hex = LineChars.hexEnd(mask, 2);
    if (!mask.startsWith("0x") || hex == 2) {
      return false;
    }
    if (hex == mask.length()) {
      return true;
    }
    int close = mask.length() - 1;
    if (mask.charAt(hex) != '(' || close <= hex || mask.charAt(close) != ')') {
      return false;
    }
    for (int i = hex + 1; i < close; i++) {
      if (LineChars.isLineTerminator(mask.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * The trigger line {@code head} with its wrapped tail {@code tail} (the next line of the paste)
   * put back, when the two read as one trigger that holds its oom_score_adj: a tail wrapped after a
   * comma lost the space after it, one cut inside a word (a fixed-width terminal) lost nothing.
   */
  static Optional<TriggerLine> joined(String head, String tail) {
    String h = head.strip();
    String t = tail.strip();
    if (t.isEmpty() || t.contains(INVOKED) || !TRIGGER_TAIL.matcher(t).matches()) {
      return Optional.empty();
    }
    for (String glue : h.endsWith(",") ? new String[] {" "} : new String[] {"", " "}) {
      Optional<TriggerLine> whole = trigger(h + glue + t);
      if (whole.isPresent() && whole.get().oomScoreAdj().isPresent()) {
        return whole;
      }
    }
    return Optional.empty();
  }

  /** {@code oom_kill_process: N callbacks suppressed}: N reports' headers were not printed. */
  static OptionalInt suppressedHeaders(String message) {
    String m = message.strip();
    // "^oom_kill_process: (\\d+) callbacks suppressed$"
    if (!m.startsWith(SUPPRESSED)) {
      return OptionalInt.empty();
    }
    int end = LineChars.digitsEnd(m, SUPPRESSED.length());
    if (end == SUPPRESSED.length()
        || end + SUPPRESSED_END.length() != m.length()
        || !m.startsWith(SUPPRESSED_END, end)) {
      return OptionalInt.empty();
    }
    return intOf(m, SUPPRESSED.length(), end);
  }

  private static OptionalInt intField(String s, String key, String keyAtStart) {
    int at = s.indexOf(key);
    int len = key.length();
    if (at < 0 && keyAtStart != null && s.startsWith(keyAtStart)) {
      at = 0;
      len = keyAtStart.length();
    }
    if (at < 0) {
      return OptionalInt.empty();
    }
    // "^-?\\d+" after the key
    int from = at + len;
    int digitsAt = s.startsWith("-", from) ? from + 1 : from;
    int end = LineChars.digitsEnd(s, digitsAt);
    if (end == digitsAt) {
      return OptionalInt.empty();
    }
    // A number at the very end of the line may have been cut: accept it only when the format ends
    // there.
    boolean whole = end < s.length() || key.startsWith("oom_score_adj");
    if (!whole) {
      return OptionalInt.empty();
    }
    return intOf(s, from, end);
  }

  /** The number {@code s[from, to)} when it fits an int; empty otherwise. */
  private static OptionalInt intOf(String s, int from, int to) {
    boolean negative = s.charAt(from) == '-';
    long v = LineChars.digits(s, negative ? from + 1 : from, to);
    long signed = negative ? -v : v;
    return v < 0 || signed < Integer.MIN_VALUE || signed > Integer.MAX_VALUE
        ? OptionalInt.empty()
        : OptionalInt.of((int) signed);
  }

  static Optional<CpusetLine> cpuset(String message) {
    String m = message.strip();
    // contains() first: a forward search is the quick one, and nearly every line fails it.
    if (!m.contains(" cpuset=") || m.startsWith("oom-kill:") || m.contains(FAILURE)) {
      return Optional.empty();
    }
    // "^(.*) cpuset=(\\S*) mems_allowed=(\\S*)$": the comm ends at the last " cpuset=" the rest
    // of the format follows.
    for (int p = m.lastIndexOf(" cpuset="); p >= 0; p = m.lastIndexOf(" cpuset=", p - 1)) {
      int leaf = p + " cpuset=".length();
      int space = spaceAt(m, leaf);
      int nodes = space + " mems_allowed=".length();
      if (space >= 0 && m.startsWith(" mems_allowed=", space) && spaceAt(m, nodes) < 0) {
        return Optional.of(
            new CpusetLine(m.substring(0, p), m.substring(leaf, space), m.substring(nodes)));
      }
    }
    return Optional.empty();
  }

  /** The first of "\\s" at or after {@code from}; -1 when none. */
  private static int spaceAt(String s, int from) {
    for (int i = from; i < s.length(); i++) {
      if (LineChars.isSpace(s.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  static Optional<CpuLine> cpu(String message) {
    String m = message.strip();
    // Every line of an open report comes through here: no pattern unless the line can match.
    if (!m.startsWith("CPU: ")) {
      return Optional.empty();
    }
    // "^CPU: (\\d+) (?:UID: (\\d+) )?PID: (\\d+) Comm: (.*)$"
    int cpuEnd = LineChars.digitsEnd(m, "CPU: ".length());
    if (cpuEnd == "CPU: ".length() || !m.startsWith(" ", cpuEnd)) {
      return Optional.empty();
    }
    int at = cpuEnd + 1;
    if (m.startsWith("UID: ", at)) {
      int uidEnd = LineChars.digitsEnd(m, at + "UID: ".length());
      if (uidEnd > at + "UID: ".length() && m.startsWith(" ", uidEnd)) {
        at = uidEnd + 1;
      }
    }
    if (!m.startsWith("PID: ", at)) {
      return Optional.empty();
    }
    int pidAt = at + "PID: ".length();
    int pidEnd = LineChars.digitsEnd(m, pidAt);
    if (pidEnd == pidAt || !m.startsWith(" Comm: ", pidEnd)) {
      return Optional.empty();
    }
    long pid = LineChars.digits(m, pidAt, pidEnd);
    if (pid < 0) {
      return Optional.empty();
    }
    String rest = m.substring(pidEnd + " Comm: ".length());
    int taint = rest.lastIndexOf(" Not tainted");
    int taintLen = " Not tainted".length();
    int tainted = rest.lastIndexOf(" Tainted: ");
    if (tainted > taint) {
      taint = tainted;
      taintLen = " Tainted: ".length();
    }
    if (taint < 0) {
      // Cut before the taint: the name may be cut too, but it is all there is.
      return Optional.of(new CpuLine(pid, rest.strip(), Optional.empty()));
    }
    String comm = rest.substring(0, taint);
    if (comm.endsWith(" Kdump: loaded")) {
      comm = comm.substring(0, comm.length() - " Kdump: loaded".length());
    }
    String after = rest.substring(taint + taintLen);
    int hash = after.indexOf(" #");
    String beforeVersion = (hash >= 0 ? after.substring(0, hash) : after).strip();
    Optional<String> release = Optional.empty();
    if (!beforeVersion.isEmpty() && hash >= 0) {
      int lastSpace = beforeVersion.length() - 1;
      while (lastSpace >= 0 && !LineChars.isSpace(beforeVersion.charAt(lastSpace))) {
        lastSpace--;
      }
      String last = beforeVersion.substring(lastSpace + 1);
      // The taint flags are single letters; a release always has a digit and a dot.
      if (last.length() > 1 && hasDigitOnOneLine(last)) {
        release = Optional.of(last);
      }
    }
    return Optional.of(new CpuLine(pid, comm, release));
  }

  /** {@code ".*\\d.*"}: a digit, and no line terminator, which "." refuses. */
  private static boolean hasDigitOnOneLine(String s) {
    boolean digit = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (LineChars.isLineTerminator(c)) {
        return false;
      }
      digit |= c >= '0' && c <= '9';
    }
    return digit;
  }

  static Optional<String> hardware(String message) {
    String m = message.strip();
    return m.startsWith("Hardware name:")
        ? Optional.of(m.substring("Hardware name:".length()).strip())
        : Optional.empty();
  }

  static boolean isWorkqueue(String message) {
    return message.strip().startsWith("Workqueue: ");
  }

  /**
   * The work function of {@code Workqueue: <queue> <function>[ (<description>)]}
   * (kernel/workqueue.c print_worker_info()), e.g. {@code moom_callback}; empty when the line does
   * not name one.
   */
  static Optional<String> workFunction(String message) {
    String m = message.strip();
    if (!m.startsWith("Workqueue: ")) {
      return Optional.empty();
    }
    String[] words = m.substring("Workqueue: ".length()).strip().split("\\s+");
    return words.length >= 2 && !words[1].isEmpty() ? Optional.of(words[1]) : Optional.empty();
  }

  static Optional<AllocFailureLine> allocFailure(String message) {
    String m = message.strip();
    if (!m.contains(FAILURE)) {
      return Optional.empty();
    }
    // "^(.*?): ([A-Za-z][\\w ]*?) failure: order:(-?\\d+)(?:,
    // mode:(0x[0-9a-fA-F]+(?:\\([^)]*\\))?))?.*$":
    // the comm ends at the first ": " after which a kind of letters, digits, '_' and spaces reaches
    // " failure: order:" and a number; the kind is the shortest that does.
    for (int c = m.indexOf(": "); c >= 0; c = m.indexOf(": ", c + 1)) {
      int kindAt = c + 2;
      if (kindAt >= m.length() || !LineChars.isAsciiLetter(m.charAt(kindAt))) {
        continue;
      }
      for (int k = kindAt + 1; k < m.length(); k++) {
        if (m.startsWith(FAILURE, k)) {
          int orderAt = k + FAILURE.length();
          int digitsAt = m.startsWith("-", orderAt) ? orderAt + 1 : orderAt;
          int orderEnd = LineChars.digitsEnd(m, digitsAt);
          if (orderEnd > digitsAt) {
            OptionalInt order = intOf(m, orderAt, orderEnd);
            return order.isEmpty()
                ? Optional.empty()
                : Optional.of(
                    new AllocFailureLine(
                        m.substring(0, c),
                        m.substring(kindAt, k),
                        order.getAsInt(),
                        mode(m, orderEnd)));
          }
        }
        if (!isWordOrSpace(m.charAt(k))) {
          break;
        }
      }
    }
    return Optional.empty();
  }

  /** {@code ", mode:(0x[0-9a-fA-F]+(?:\\([^)]*\\))?)"} at {@code at}, when it is there. */
  private static Optional<String> mode(String m, int at) {
    if (!m.startsWith(", mode:0x", at)) {
      return Optional.empty();
    }
    int hexAt = at + ", mode:0x".length();
    int end = LineChars.hexEnd(m, hexAt);
    if (end == hexAt) {
      return Optional.empty();
    }
    if (m.startsWith("(", end)) {
      int close = m.indexOf(')', end + 1);
      if (close >= 0) {
        end = close + 1;
      }
    }
    return Optional.of(m.substring(at + ", mode:".length(), end));
  }

  /** The characters of "[\\w ]". */
  private static boolean isWordOrSpace(char c) {
    return LineChars.isAsciiLetter(c) || (c >= '0' && c <= '9') || c == '_' || c == ' ';
  }
}
