package dev.oomlens.core.kernel;

import dev.oomlens.core.kernel.OomHeaderParser.AllocFailureLine;
import dev.oomlens.core.kernel.OomHeaderParser.CpuLine;
import dev.oomlens.core.kernel.OomHeaderParser.CpusetLine;
import dev.oomlens.core.kernel.OomHeaderParser.TriggerLine;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The report head's reader as it was, by regular expressions: the reference {@link
 * OomHeaderParser}'s hand-written reader is held to (OomHeaderParserPropertyTest) and benchmarked
 * beside (oomlens-bench's ReportLineParsersBenchmark).
 */
final class OomHeaderRegexParser {
  private static final String INVOKED = " invoked oom-killer: ";
  private static final String INVOKED_AT_END = " invoked oom-killer:";
  // DOTALL in the patterns that take a comm: it may hold a line terminator (CR, U+0085, U+2028,
  // U+2029), which "." refuses.
  private static final Pattern CPUSET =
      Pattern.compile("^(.*) cpuset=(\\S*) mems_allowed=(\\S*)$", Pattern.DOTALL);
  private static final Pattern CPU =
      Pattern.compile("^CPU: (\\d+) (?:UID: (\\d+) )?PID: (\\d+) Comm: (.*)$", Pattern.DOTALL);
  private static final Pattern ALLOC_FAILURE =
      Pattern.compile(
          "^(.*?): ([A-Za-z][\\w ]*?) failure: order:(-?\\d+)(?:, mode:(0x[0-9a-fA-F]+(?:\\([^)]*\\))?))?.*$",
          Pattern.DOTALL);
  private static final Pattern SIGNED = Pattern.compile("^-?\\d+");
  private static final Pattern SUPPRESSED =
      Pattern.compile("^oom_kill_process: (\\d+) callbacks suppressed$");
  private static final Pattern TRIGGER_TAIL = Pattern.compile("^[\\w=(),|.\\- ]+$", Pattern.DOTALL);

  private OomHeaderRegexParser() {}

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
      if (mask.matches("0x[0-9a-fA-F]+(\\(.*\\))?")) {
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
    if (!m.startsWith("oom_kill_process: ")) {
      return OptionalInt.empty();
    }
    Matcher s = SUPPRESSED.matcher(m);
    if (!s.matches()) {
      return OptionalInt.empty();
    }
    try {
      return OptionalInt.of(Integer.parseInt(s.group(1)));
    } catch (NumberFormatException e) {
      return OptionalInt.empty();
    }
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
    String v = s.substring(at + len);
    Matcher n = SIGNED.matcher(v);
    if (!n.find()) {
      return OptionalInt.empty();
    }
    // A number at the very end of the line may have been cut: accept it only when the format ends
    // there.
    boolean whole = n.end() < v.length() || key.startsWith("oom_score_adj");
    if (!whole) {
      return OptionalInt.empty();
    }
    try {
      return OptionalInt.of(Integer.parseInt(n.group()));
    } catch (NumberFormatException e) {
      return OptionalInt.empty();
    }
  }

  static Optional<CpusetLine> cpuset(String message) {
    String m = message.strip();
    if (!m.contains(" cpuset=") || m.startsWith("oom-kill:") || m.contains(" failure: order:")) {
      return Optional.empty();
    }
    Matcher c = CPUSET.matcher(m);
    return c.matches()
        ? Optional.of(new CpusetLine(c.group(1), c.group(2), c.group(3)))
        : Optional.empty();
  }

  static Optional<CpuLine> cpu(String message) {
    String m = message.strip();
    // Every line of an open report comes through here: no pattern unless the line can match.
    if (!m.startsWith("CPU: ")) {
      return Optional.empty();
    }
    Matcher c = CPU.matcher(m);
    if (!c.matches()) {
      return Optional.empty();
    }
    OptionalLong pid = KillLineParser.parseLong(c.group(3));
    if (pid.isEmpty()) {
      return Optional.empty();
    }
    String rest = c.group(4);
    int taint = rest.lastIndexOf(" Not tainted");
    int taintLen = " Not tainted".length();
    int tainted = rest.lastIndexOf(" Tainted: ");
    if (tainted > taint) {
      taint = tainted;
      taintLen = " Tainted: ".length();
    }
    if (taint < 0) {
      // Cut before the taint: the name may be cut too, but it is all there is.
      return Optional.of(new CpuLine(pid.getAsLong(), rest.strip(), Optional.empty()));
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
      String[] words = beforeVersion.split("\\s+");
      String last = words[words.length - 1];
      // The taint flags are single letters; a release always has a digit and a dot.
      if (last.length() > 1 && last.matches(".*\\d.*")) {
        release = Optional.of(last);
      }
    }
    return Optional.of(new CpuLine(pid.getAsLong(), comm, release));
  }

  static Optional<AllocFailureLine> allocFailure(String message) {
    String m = message.strip();
    if (!m.contains(" failure: order:")) {
      return Optional.empty();
    }
    Matcher a = ALLOC_FAILURE.matcher(m);
    if (!a.matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new AllocFailureLine(
              a.group(1),
              a.group(2),
              Integer.parseInt(a.group(3)),
              Optional.ofNullable(a.group(4))));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
