package dev.oomlens.core.kernel;

import dev.oomlens.core.model.KiB;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/*
 * The memory-cgroup section of a memcg OOM report (mm/memcontrol.c):
 *
 *   <=4.18  mem_cgroup_print_oom_info():
 *           "Task in %s killed as a result of limit of %s"
 *           "memory: usage %llukB, limit %llukB, failcnt %lu"
 *           "memory+swap: usage ..kB, limit ..kB, failcnt .." / "kmem: usage ..."
 *           "Memory cgroup stats for %s: cache:%luKB rss:%luKB ..." one line per cgroup of the subtree
 *   4.19+   mem_cgroup_print_oom_meminfo(): the same counters ("swap: usage ..." on cgroup v2), then
 *           "Memory cgroup stats for %s:" followed by memory_stat_format() output, one "key value"
 *           per line: sizes in bytes, events as counts (one printk with embedded newlines before 6.4,
 *           one record per line after)
 *
 * The stat keys change with every release, so they are kept as printed.
 *
 * Every line of an open report is offered to this parser, and a cgroup v2 report has dozens of
 * "key value" lines, so the counter and key-value lines are read by hand, with no regular
 * expression or copy; the test sources keep the regular expressions they replaced
 * (MemcgBlockRegexParser) and a property test holds the two to the same results. The lines met
 * once per report ("Task in", "Memory cgroup stats for") keep theirs.
 */
final class MemcgBlockParser {
  private static final Pattern TASK_IN =
      Pattern.compile("^Task in (.*) killed as a result of limit of (.*)$", Pattern.DOTALL);

  /** The counters of "<counter>: usage ...", longest first where one begins another. */
  private static final String[] COUNTERS = {
    "memory+swap", "memory", "swap", "kmem.tcp", "kmem", "tcp"
  };

  private static final String USAGE = ": usage ";
  private static final Pattern STATS =
      Pattern.compile("^Memory cgroup stats for (.*?):(?= |$)(.*)$", Pattern.DOTALL);
  private static final Pattern V1_TOKEN = Pattern.compile("([a-z][a-z0-9_]*):(\\d+)(KB)?");

  private MemcgBlockParser() {}

  /** One line of the section, as {@link #parse} reads it. */
  sealed interface Line {}

  /** {@code Task in <task memcg> killed as a result of limit of <oom memcg>}. */
  record TaskIn(String taskMemcg, String oomMemcg) implements Line {}

  /**
   * {@code <counter>: usage NkB, limit NkB, failcnt N}; fields a cut line lost are empty.
   *
   * @param counter {@code memory}, {@code memory+swap}, {@code swap} or {@code kmem}
   */
  record Counter(String counter, OptionalLong usageKb, OptionalLong limitKb, OptionalLong failcnt)
      implements Line {}

  /**
   * {@code Memory cgroup stats for <cgroup>:}, with the v1 one-line counters when they follow on
   * the same line (converted from {@code KB} to bytes).
   *
   * @param inline false for the header of a multi-line block
   */
  record Stats(String cgroup, Map<String, Long> stat, boolean inline) implements Line {}

  /** One {@code key value} line of a multi-line stats block. */
  record StatValue(String key, long value) implements Line {}

  /** Reads one message (framing removed); key-value lines only when {@code inStats}. */
  static Optional<Line> parse(String message, boolean inStats) {
    String m = message.strip();
    if (m.startsWith("Task in ")) {
      Matcher t = TASK_IN.matcher(m);
      return t.matches() ? Optional.of(new TaskIn(t.group(1), t.group(2))) : Optional.empty();
    }
    if (m.startsWith("Memory cgroup stats for ")) {
      Matcher s = STATS.matcher(m);
      if (!s.matches()) {
        return Optional.empty();
      }
      String tail = s.group(2).strip();
      if (tail.isEmpty()) {
        return Optional.of(new Stats(s.group(1), Map.of(), false));
      }
      Map<String, Long> stat = new LinkedHashMap<>();
      Matcher t = V1_TOKEN.matcher(tail);
      while (t.find()) {
        OptionalLong v = KillLineParser.parseLong(t.group(2));
        if (v.isEmpty()) {
          continue;
        }
        boolean kb = t.group(3) != null;
        if (!kb && t.end() == tail.length()) {
          // Last token of a line cut in its number (or in its "KB"): not whole.
          continue;
        }
        stat.putIfAbsent(t.group(1), kb ? KiB.toBytes(v.getAsLong()) : v.getAsLong());
      }
      return Optional.of(new Stats(s.group(1), stat, true));
    }
    Counter counter = counter(m);
    if (counter != null) {
      return Optional.of(counter);
    }
    if (inStats) {
      return keyValue(m);
    }
    return Optional.empty();
  }

  /** {@code <counter>: usage ...}, or null. */
  private static Counter counter(String m) {
    for (String name : COUNTERS) {
      if (m.startsWith(name) && m.startsWith(USAGE, name.length())) {
        String rest = m.substring(name.length() + USAGE.length());
        return new Counter(name, kb(rest, 0), kbAfter(rest, "limit "), failcnt(rest));
      }
    }
    return null;
  }

  /** {@code key value}: a key of {@code [a-z][a-z0-9_]*}, one space, a number that fits a long. */
  private static Optional<Line> keyValue(String m) {
    int n = m.length();
    if (n == 0 || m.charAt(0) < 'a' || m.charAt(0) > 'z') {
      return Optional.empty();
    }
    int i = 1;
    while (i < n && isKeyChar(m.charAt(i))) {
      i++;
    }
    if (i >= n - 1 || m.charAt(i) != ' ' || digitsEnd(m, i + 1) != n) {
      return Optional.empty();
    }
    OptionalLong v = parseDigits(m, i + 1, n);
    return v.isPresent()
        ? Optional.of(new StatValue(m.substring(0, i), v.getAsLong()))
        : Optional.empty();
  }

  private static boolean isKeyChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  }

  /** Where the run of ASCII digits starting at {@code from} ends. */
  private static int digitsEnd(String s, int from) {
    int i = from;
    while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
      i++;
    }
    return i;
  }

  /** The digits {@code s[from, to)} as a long; empty when there are none or they overflow. */
  private static OptionalLong parseDigits(String s, int from, int to) {
    if (from >= to) {
      return OptionalLong.empty();
    }
    if (to - from <= 18) {
      long v = 0;
      for (int i = from; i < to; i++) {
        v = v * 10 + (s.charAt(i) - '0');
      }
      return OptionalLong.of(v);
    }
    try {
      return OptionalLong.of(Long.parseLong(s, from, to, 10));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  private static OptionalLong kbAfter(String s, String key) {
    int at = s.indexOf(key);
    return at < 0 ? OptionalLong.empty() : kb(s, at + key.length());
  }

  private static OptionalLong kb(String s, int from) {
    int end = digitsEnd(s, from);
    if (end == from || !s.startsWith("kB", end)) {
      return OptionalLong.empty();
    }
    return parseDigits(s, from, end);
  }

  private static OptionalLong failcnt(String s) {
    int at = s.indexOf("failcnt ");
    if (at < 0) {
      return OptionalLong.empty();
    }
    String v = s.substring(at + "failcnt ".length()).strip();
    return digitsEnd(v, 0) == v.length() ? parseDigits(v, 0, v.length()) : OptionalLong.empty();
  }
}
