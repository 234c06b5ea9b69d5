package dev.oomlens.core.kernel;

import dev.oomlens.core.kernel.MemcgBlockParser.Counter;
import dev.oomlens.core.kernel.MemcgBlockParser.Line;
import dev.oomlens.core.kernel.MemcgBlockParser.StatValue;
import dev.oomlens.core.kernel.MemcgBlockParser.Stats;
import dev.oomlens.core.kernel.MemcgBlockParser.TaskIn;
import dev.oomlens.core.model.KiB;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The memory cgroup lines' reader as it was, by regular expressions: the reference {@link
 * MemcgBlockParser}'s hand-written reading of the counter and {@code key value} lines is held to
 * (MemcgBlockParserPropertyTest) and benchmarked beside (oomlens-bench's
 * MemcgBlockParserBenchmark).
 */
final class MemcgBlockRegexParser {
  private static final Pattern TASK_IN =
      Pattern.compile("^Task in (.*) killed as a result of limit of (.*)$");
  private static final Pattern COUNTER =
      Pattern.compile("^(memory|memory\\+swap|swap|kmem|tcp|kmem\\.tcp): usage (.*)$");
  private static final Pattern STATS =
      Pattern.compile("^Memory cgroup stats for (.*?):(?= |$)(.*)$");
  private static final Pattern KEY_VALUE = Pattern.compile("^([a-z][a-z0-9_]*) (\\d+)$");
  private static final Pattern V1_TOKEN = Pattern.compile("([a-z][a-z0-9_]*):(\\d+)(KB)?");
  private static final Pattern LEADING_NUMBER = Pattern.compile("^\\d+");

  private MemcgBlockRegexParser() {}

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
      return Optional.of(
          new Counter(c.group(1), kb(rest, 0), kbAfter(rest, "limit "), failcnt(rest)));
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
