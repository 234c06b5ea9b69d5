package dev.oomlens.core.kernel;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/*
 * The kill, reaper and ending lines of an OOM report (mm/oom_kill.c):
 *
 *   3.x-5.0   "%s: Kill process %d (%s) score %u or sacrifice child"
 *             "Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, file-rss:%lukB[, shmem-rss:%lukB]"
 *             "Kill process %d (%s) sharing same memory"
 *   5.1+      "%s: Killed process %d (%s) total-vm:..kB, anon-rss:..kB, file-rss:..kB, shmem-rss:..kB"
 *   5.3+      "..., UID:%u pgtables:%lukB oom_score_adj:%hd"
 *   4.x+      "oom killer %d (%s) has mm pinned by %d (%s)"
 *   5.x+      "%s: OOM victim %d (%s) is already exiting. Skip killing the task"
 *   4.6+      "oom_reaper: reaped process %d (%s), now anon-rss:%lukB, file-rss:%lukB, shmem-rss:%lukB"
 *             "oom_reaper: unable to reap pid:%d (%s)"
 *   panics    "Out of memory and no killable processes..." (a panic before 4.19),
 *             "Kernel panic - not syncing: Out of memory: %s panic_on_oom is enabled",
 *             "Kernel panic - not syncing: System is deadlocked on memory"
 *   4.19+     "Tasks in %s are going to be killed due to memory.oom.group set" (mm/memcontrol.c)
 *
 * %s of a task is task->comm: up to 15 characters that may hold spaces, '/', ':' and parentheses
 * ("CPU 1/KVM", "runc:[2:INIT]"), so the name is read up to the ") total-vm" or ") score" that the
 * format puts after it, never up to the first ')'.
 *
 * The same name may hold any byte, line terminators included (CR, U+0085, U+2028, U+2029 once
 * decoded): the patterns are DOTALL, so "(.*)" takes them in, where it once lost the kill.
 *
 * Lines cut at a fixed width (terminal copies) keep every field that is whole: a kB field counts
 * only with its "kB", so "pgtables:103480" at the end of a cut line is dropped without complaint.
 *
 * Read by hand, not by regular expressions: every line of a host with no report open, and every
 * line of an open report the earlier readers did not take, is offered here, and nearly none is a
 * kill line. A line is refused after one pass for ": " followed by 'K' or 'O' unless it begins with
 * one of the formats' words. The readings are those of the patterns they replaced (kept in the test
 * sources as KillLineRegexParser and held to the same results by KillLineParserPropertyTest): a
 * "(.+?): " message prefix ends at the first ": " after which the rest of the format reads, a
 * "(.*)" name at the last place its fixed suffix fits.
 */
final class KillLineParser {
  private static final String PANIC = "Kernel panic - not syncing: ";
  private static final String NO_KILLABLE = "Out of memory and no killable processes";
  private static final String KILLED = "Killed process ";
  private static final String KILL = "Kill process ";
  private static final String VICTIM = "OOM victim ";
  private static final String SCORE = ") score ";
  private static final String SACRIFICE = " or sacrifice child";
  private static final String SHARING = ") sharing same memory";
  private static final String EXITING = ") is already exiting. Skip killing the task";
  private static final String REAPER = "oom_reaper: ";
  private static final String REAPED = "oom_reaper: reaped process ";
  private static final String NOW_ANON = "), now anon-rss:";
  private static final String UNABLE = "oom_reaper: unable to reap pid:";
  private static final String MM_PINNED = "oom killer ";
  private static final String PINNED_BY = ") has mm pinned by ";
  private static final String GROUP = "Tasks in ";
  private static final String GROUP_END = " are going to be killed due to memory.oom.group set";

  private KillLineParser() {}

  /** Reads one message (framing removed); empty when it is none of the lines above. */
  static Optional<KillLine> parse(String message) {
    String m = message.strip();
    if (m.isEmpty()) {
      return Optional.empty();
    }
    if (m.startsWith(PANIC)) {
      String text = m.substring(PANIC.length()).strip();
      if (text.startsWith(NO_KILLABLE)) {
        return Optional.of(new KillLine.NoKillable(true, text));
      }
      if (text.startsWith("Out of memory")
          || text.contains("deadlocked on memory")
          || text.contains("panic_on_oom")) {
        return Optional.of(new KillLine.Panic(text));
      }
      return Optional.empty();
    }
    if (m.startsWith(NO_KILLABLE)) {
      return Optional.of(new KillLine.NoKillable(false, m));
    }
    if (m.startsWith(REAPER)) {
      return reaper(m);
    }
    if (m.startsWith(GROUP)) {
      return group(m);
    }
    if (m.startsWith(MM_PINNED)) {
      return mmPinned(m);
    }
    // Each format below begins the line or follows ": ": a line with neither reads as none.
    if (!mayBeKill(m)) {
      return Optional.empty();
    }
    if (m.contains(KILLED)) {
      return killed(m);
    }
    if (m.contains(KILL)) {
      return kill(m);
    }
    if (m.contains(VICTIM)) {
      return exiting(m);
    }
    return Optional.empty();
  }

  private static boolean mayBeKill(String m) {
    if (m.startsWith("Kill") || m.startsWith(VICTIM)) {
      return true;
    }
    // ": " rather than ':': the Mem-Info counter lines hold a dozen colons and no ": ".
    for (int c = m.indexOf(": "); c >= 0; c = m.indexOf(": ", c + 2)) {
      char k = c + 2 < m.length() ? m.charAt(c + 2) : 0;
      if ((k == 'K' && m.startsWith("Kill", c + 2)) || (k == 'O' && m.startsWith(VICTIM, c + 2))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Where the message prefix of {@code "^(?:(.+?): )?<word>(\\d+) \\("} ends (the index of its ":
   * "), 0 when the line begins with the word, -1 when neither reads; the first ": " after at least
   * one character that fits wins, as the lazy prefix has it. The name that follows must begin no
   * later than {@code nameEnd}, where the format's suffix begins.
   */
  private static int prefixEnd(String m, String word, int nameEnd) {
    String key = ": " + word;
    for (int c = m.indexOf(key, 1); c >= 0; c = m.indexOf(key, c + 1)) {
      int open = pidEnd(m, c + key.length());
      if (open >= 0 && open + 2 <= nameEnd) {
        return c;
      }
    }
    if (m.startsWith(word)) {
      int open = pidEnd(m, word.length());
      if (open >= 0 && open + 2 <= nameEnd) {
        return 0;
      }
    }
    return -1;
  }

  /** The end of the digits at {@code from} when {@code " ("} follows them; -1 otherwise. */
  private static int pidEnd(String m, int from) {
    int end = LineChars.digitsEnd(m, from);
    return end > from && m.startsWith(" (", end) ? end : -1;
  }

  /** The message prefix that ends at {@code c} (see {@link #prefixEnd}). */
  private static Optional<String> prefix(String m, int c) {
    return c == 0 ? Optional.empty() : Optional.of(m.substring(0, c));
  }

  private static int wordAt(int c, String word) {
    return c == 0 ? word.length() : c + 2 + word.length();
  }

  private static Optional<KillLine> kill(String m) {
    // "^Kill process (\\d+) \\((.*)\\) sharing same memory$"
    if (m.startsWith(KILL) && m.endsWith(SHARING)) {
      int open = pidEnd(m, KILL.length());
      int close = m.length() - SHARING.length();
      if (open >= 0 && open + 2 <= close) {
        long pid = LineChars.digits(m, KILL.length(), open);
        // Past a long the pattern's reader threw; the line is no sharing line then.
        return pid < 0
            ? Optional.empty()
            : Optional.of(new KillLine.SharingMemory(pid, m.substring(open + 2, close)));
      }
    }
    // "^(?:(.+?): )?Kill process (\\d+) \\((.*)\\) score (\\d+) or sacrifice child$"
    if (!m.endsWith(SACRIFICE)) {
      return Optional.empty();
    }
    int scoreEnd = m.length() - SACRIFICE.length();
    int scoreAt = scoreEnd;
    while (scoreAt > 0 && LineChars.isDigit(m.charAt(scoreAt - 1))) {
      scoreAt--;
    }
    int close = scoreAt - SCORE.length();
    if (scoreAt == scoreEnd || close < 0 || !m.startsWith(SCORE, close)) {
      return Optional.empty();
    }
    int c = prefixEnd(m, KILL, close);
    if (c < 0) {
      return Optional.empty();
    }
    int pidAt = wordAt(c, KILL);
    int open = pidEnd(m, pidAt);
    long pid = LineChars.digits(m, pidAt, open);
    long score = LineChars.digits(m, scoreAt, scoreEnd);
    if (pid < 0 || score < 0) {
      return Optional.empty();
    }
    return Optional.of(
        new KillLine.KillProcess(prefix(m, c), pid, m.substring(open + 2, close), score));
  }

  private static Optional<KillLine> exiting(String m) {
    // "^(?:(.+?): )?OOM victim (\\d+) \\((.*)\\) is already exiting\\. Skip killing the task$"
    if (!m.endsWith(EXITING)) {
      return Optional.empty();
    }
    int close = m.length() - EXITING.length();
    int c = prefixEnd(m, VICTIM, close);
    if (c < 0) {
      return Optional.empty();
    }
    int pidAt = wordAt(c, VICTIM);
    int open = pidEnd(m, pidAt);
    long pid = LineChars.digits(m, pidAt, open);
    return pid < 0
        ? Optional.empty()
        : Optional.of(new KillLine.AlreadyExiting(prefix(m, c), pid, m.substring(open + 2, close)));
  }

  private static Optional<KillLine> group(String m) {
    // "^Tasks in (.*) are going to be killed due to memory\\.oom\\.group set$"
    return m.endsWith(GROUP_END) && m.length() >= GROUP.length() + GROUP_END.length()
        ? Optional.of(
            new KillLine.GroupKillHeader(
                m.substring(GROUP.length(), m.length() - GROUP_END.length())))
        : Optional.empty();
  }

  private static Optional<KillLine> mmPinned(String m) {
    // "^oom killer (\\d+) \\((.*)\\) has mm pinned by (\\d+) \\((.*)\\)$": the first name
    // ends at the last ") has mm pinned by " that the rest of the format follows.
    int open = pidEnd(m, MM_PINNED.length());
    if (open < 0 || !m.endsWith(")")) {
      return Optional.empty();
    }
    int end = m.length() - 1;
    for (int p = m.lastIndexOf(PINNED_BY); p >= open + 2; p = m.lastIndexOf(PINNED_BY, p - 1)) {
      int byAt = p + PINNED_BY.length();
      int byOpen = pidEnd(m, byAt);
      if (byOpen >= 0 && byOpen + 2 <= end) {
        long pid = LineChars.digits(m, MM_PINNED.length(), open);
        long by = LineChars.digits(m, byAt, byOpen);
        // Past a long the pattern's reader threw; the line is no such line then.
        return pid < 0 || by < 0
            ? Optional.empty()
            : Optional.of(
                new KillLine.MmPinned(
                    pid, m.substring(open + 2, p), by, m.substring(byOpen + 2, end)));
      }
    }
    return Optional.empty();
  }

  private static Optional<KillLine> reaper(String m) {
    // "^oom_reaper: reaped process (\\d+) \\((.*)\\), now anon-rss:(.*)$"
    if (m.startsWith(REAPED)) {
      int open = pidEnd(m, REAPED.length());
      int now = open < 0 ? -1 : m.lastIndexOf(NOW_ANON);
      if (now >= open + 2 && open >= 0) {
        long pid = LineChars.digits(m, REAPED.length(), open);
        return pid < 0
            ? Optional.empty()
            : Optional.of(
                new KillLine.Reaped(
                    pid, m.substring(open + 2, now), kbValue(m, now + NOW_ANON.length())));
      }
    }
    // "^oom_reaper: unable to reap pid:(\\d+) \\((.*)\\)$"
    if (m.startsWith(UNABLE) && m.endsWith(")")) {
      int open = pidEnd(m, UNABLE.length());
      if (open >= 0 && open + 2 <= m.length() - 1) {
        long pid = LineChars.digits(m, UNABLE.length(), open);
        return pid < 0
            ? Optional.empty()
            : Optional.of(new KillLine.UnableToReap(pid, m.substring(open + 2, m.length() - 1)));
      }
    }
    return Optional.empty();
  }

  private static Optional<KillLine> killed(String m) {
    // "^(?:(.+?): )?Killed process (\\d+) \\((.*)$"
    int c = prefixEnd(m, KILLED, m.length());
    if (c < 0) {
      return Optional.empty();
    }
    int pidAt = wordAt(c, KILLED);
    int open = pidEnd(m, pidAt);
    long pid = LineChars.digits(m, pidAt, open);
    if (pid < 0) {
      return Optional.empty();
    }
    Optional<String> message = prefix(m, c);
    String rest = m.substring(open + 2);
    int end = rest.lastIndexOf(") total-vm:");
    String comm;
    String fields;
    if (end >= 0) {
      comm = rest.substring(0, end);
      fields = rest.substring(end + 2);
    } else {
      // Cut before the fields: the name is whole only if its ')' made it.
      int close = rest.lastIndexOf(')');
      comm = close >= 0 ? rest.substring(0, close) : rest;
      fields = "";
    }
    OptionalLong uid = OptionalLong.empty();
    int uidAt = fields.indexOf("UID:");
    if (uidAt >= 0) {
      String after = fields.substring(uidAt + 4);
      int space = after.indexOf(' ');
      if (space > 0) {
        uid = parseLong(after.substring(0, space));
      }
    }
    OptionalInt adj = OptionalInt.empty();
    int adjAt = fields.indexOf("oom_score_adj:");
    if (adjAt >= 0) {
      String v = fields.substring(adjAt + "oom_score_adj:".length()).strip();
      // "-?\\d{1,6}"
      int from = v.startsWith("-") ? 1 : 0;
      int to = LineChars.digitsEnd(v, from);
      if (to == v.length() && to > from && to - from <= 6) {
        adj = OptionalInt.of(Integer.parseInt(v));
      }
    }
    return Optional.of(
        new KillLine.Killed(
            message,
            pid,
            comm,
            kbField(fields, "total-vm:"),
            kbField(fields, "anon-rss:"),
            kbField(fields, "file-rss:"),
            kbField(fields, "shmem-rss:"),
            uid,
            kbField(fields, "pgtables:"),
            adj));
  }

  /** The value of {@code key} when it is followed by its {@code kB}; empty otherwise. */
  static OptionalLong kbField(String fields, String key) {
    int at = fields.indexOf(key);
    if (at < 0) {
      return OptionalLong.empty();
    }
    return kbValue(fields, at + key.length());
  }

  /** {@code "^-?\\d+"} at {@code from}, when {@code kB} follows it. */
  private static OptionalLong kbValue(String s, int from) {
    int digitsAt = s.startsWith("-", from) ? from + 1 : from;
    int end = LineChars.digitsEnd(s, digitsAt);
    if (end == digitsAt || !s.startsWith("kB", end)) {
      return OptionalLong.empty();
    }
    long v = LineChars.digits(s, digitsAt, end);
    if (v < 0) {
      // Long.MIN_VALUE is the one negative number whose digits do not fit a long.
      return digitsAt > from ? parseLong(s.substring(from, end)) : OptionalLong.empty();
    }
    return OptionalLong.of(digitsAt > from ? -v : v);
  }

  static OptionalLong parseLong(String s) {
    try {
      return OptionalLong.of(Long.parseLong(s));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
