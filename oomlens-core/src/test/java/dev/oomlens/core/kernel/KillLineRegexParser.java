package dev.oomlens.core.kernel;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kill, reaper and ending lines' reader as it was, by regular expressions: the reference {@link
 * KillLineParser}'s hand-written reader is held to (KillLineParserPropertyTest) and benchmarked
 * beside (oomlens-bench's ReportLineParsersBenchmark). Kept as it was, including its
 * NumberFormatException on a sharing or mm-pinned line whose pid does not fit a long.
 */
final class KillLineRegexParser {
  private static final Pattern KILL_PROCESS =
      Pattern.compile(
          "^(?:(.+?): )?Kill process (\\d+) \\((.*)\\) score (\\d+) or sacrifice child$",
          Pattern.DOTALL);
  private static final Pattern KILLED =
      Pattern.compile("^(?:(.+?): )?Killed process (\\d+) \\((.*)$", Pattern.DOTALL);
  private static final Pattern SHARING =
      Pattern.compile("^Kill process (\\d+) \\((.*)\\) sharing same memory$", Pattern.DOTALL);
  private static final Pattern MM_PINNED =
      Pattern.compile(
          "^oom killer (\\d+) \\((.*)\\) has mm pinned by (\\d+) \\((.*)\\)$", Pattern.DOTALL);
  private static final Pattern EXITING =
      Pattern.compile(
          "^(?:(.+?): )?OOM victim (\\d+) \\((.*)\\) is already exiting\\. Skip killing the task$",
          Pattern.DOTALL);
  private static final Pattern REAPED =
      Pattern.compile(
          "^oom_reaper: reaped process (\\d+) \\((.*)\\), now anon-rss:(.*)$", Pattern.DOTALL);
  private static final Pattern UNABLE =
      Pattern.compile("^oom_reaper: unable to reap pid:(\\d+) \\((.*)\\)$", Pattern.DOTALL);
  private static final Pattern GROUP =
      Pattern.compile(
          "^Tasks in (.*) are going to be killed due to memory\\.oom\\.group set$", Pattern.DOTALL);
  private static final String PANIC = "Kernel panic - not syncing: ";
  private static final String NO_KILLABLE = "Out of memory and no killable processes";
  private static final Pattern LEADING_NUMBER = Pattern.compile("^-?\\d+");

  private KillLineRegexParser() {}

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
    if (m.startsWith("oom_reaper: ")) {
      return reaper(m);
    }
    if (m.startsWith("Tasks in ")) {
      Matcher g = GROUP.matcher(m);
      return g.matches() ? Optional.of(new KillLine.GroupKillHeader(g.group(1))) : Optional.empty();
    }
    if (m.startsWith("oom killer ")) {
      Matcher p = MM_PINNED.matcher(m);
      if (p.matches()) {
        return Optional.of(
            new KillLine.MmPinned(
                Long.parseLong(p.group(1)), p.group(2), Long.parseLong(p.group(3)), p.group(4)));
      }
      return Optional.empty();
    }
    if (m.contains("Killed process ")) {
      return killed(m);
    }
    if (m.contains("Kill process ")) {
      Matcher s = SHARING.matcher(m);
      if (s.matches()) {
        return Optional.of(new KillLine.SharingMemory(Long.parseLong(s.group(1)), s.group(2)));
      }
      Matcher k = KILL_PROCESS.matcher(m);
      if (k.matches() && fitsLong(k.group(2)) && fitsLong(k.group(4))) {
        return Optional.of(
            new KillLine.KillProcess(
                Optional.ofNullable(k.group(1)),
                Long.parseLong(k.group(2)),
                k.group(3),
                Long.parseLong(k.group(4))));
      }
      return Optional.empty();
    }
    if (m.contains("OOM victim ")) {
      Matcher e = EXITING.matcher(m);
      if (e.matches() && fitsLong(e.group(2))) {
        return Optional.of(
            new KillLine.AlreadyExiting(
                Optional.ofNullable(e.group(1)), Long.parseLong(e.group(2)), e.group(3)));
      }
    }
    return Optional.empty();
  }

  private static Optional<KillLine> reaper(String m) {
    Matcher r = REAPED.matcher(m);
    if (r.matches() && fitsLong(r.group(1))) {
      return Optional.of(
          new KillLine.Reaped(Long.parseLong(r.group(1)), r.group(2), kbValue(r.group(3))));
    }
    Matcher u = UNABLE.matcher(m);
    if (u.matches() && fitsLong(u.group(1))) {
      return Optional.of(new KillLine.UnableToReap(Long.parseLong(u.group(1)), u.group(2)));
    }
    return Optional.empty();
  }

  private static Optional<KillLine> killed(String m) {
    Matcher k = KILLED.matcher(m);
    if (!k.matches() || !fitsLong(k.group(2))) {
      return Optional.empty();
    }
    Optional<String> message = Optional.ofNullable(k.group(1));
    long pid = Long.parseLong(k.group(2));
    String rest = k.group(3);
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
      if (v.matches("-?\\d{1,6}")) {
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
    return kbValue(fields.substring(at + key.length()));
  }

  private static OptionalLong kbValue(String s) {
    Matcher n = LEADING_NUMBER.matcher(s);
    if (!n.find() || !s.startsWith("kB", n.end())) {
      return OptionalLong.empty();
    }
    return parseLong(n.group());
  }

  static OptionalLong parseLong(String s) {
    try {
      return OptionalLong.of(Long.parseLong(s));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  static boolean fitsLong(String s) {
    return parseLong(s).isPresent();
  }
}
