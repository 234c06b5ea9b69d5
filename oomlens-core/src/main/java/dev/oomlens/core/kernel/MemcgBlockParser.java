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
 */
final class MemcgBlockParser {
  private static final Pattern TASK_IN =
      Pattern.compile("^Task in (.*) killed as a result of limit of (.*)$", Pattern.DOTALL);
  private static final Pattern COUNTER =
      Pattern.compile("^(memory|memory\\+swap|swap|kmem|tcp|kmem\\.tcp): usage (.*)$", Pattern.DOTALL);
  private static final Pattern STATS = Pattern.compile("^Memory cgroup stats for (.*?):(?= |$)(.*)$", Pattern.DOTALL);
  private static final Pattern KEY_VALUE = Pattern.compile("^([a-z][a-z0-9_]*) (\\d+)$");
  private static final Pattern V1_TOKEN = Pattern.compile("([a-z][a-z0-9_]*):(\\d+)(KB)?");
  private static final Pattern LEADING_NUMBER = Pattern.compile("^\\d+");

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
    Matcher c = COUNTER.matcher(m);
    if (c.matches()) {
      String rest = c.group(2);
      return Optional.of(new Counter(c.group(1), kb(rest, 0), kbAfter(rest, "limit "),
          failcnt(rest)));
    }
    if (inStats) {
      Matcher kv = KEY_VALUE.matcher(m);
      if (kv.matches()) {
        OptionalLong v = KillLineParser.parseLong(kv.group(2));
        if (v.isPresent()) {
          return Optional.of(new StatValue(kv.group(1), v.getAsLong()));
        }
      }
    }
    return Optional.empty();
  }

  private static OptionalLong kbAfter(String s, String key) {
    int at = s.indexOf(key);
    return at < 0 ? OptionalLong.empty() : kb(s, at + key.length());
  }

  private static OptionalLong kb(String s, int from) {
    Matcher n = LEADING_NUMBER.matcher(s.substring(from));
    if (!n.find() || !s.startsWith("kB", from + n.end())) {
      return OptionalLong.empty();
    }
    return KillLineParser.parseLong(n.group());
  }

  private static OptionalLong failcnt(String s) {
    int at = s.indexOf("failcnt ");
    if (at < 0) {
      return OptionalLong.empty();
    }
    String v = s.substring(at + "failcnt ".length()).strip();
    return v.matches("\\d+") ? KillLineParser.parseLong(v) : OptionalLong.empty();
  }
}
