package dev.oomlens.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Real kernel reports (the {@code templates/} resources beside this class) taken apart into kernel
 * records and handed out again with their pids, process names, sizes and container IDs varied, so a
 * generated log holds many different reports of every shape the templates have: 3.10 to 6.8
 * kernels, host, memcg v1 and v2, cpuset, panic, SysRq, cut lines, a page allocation failure.
 *
 * <p>A template's own framing (dmesg, dmesg -T, syslog with or without kernel timestamps, none, the
 * two-space indent of a quoted patch) is taken off here; the generator frames the records again
 * with its own clock. Multi-line records (Mem-Info as the kernel prints it, rsyslog's {@code #012}
 * escapes, journal-indented continuations) become one record with continuation lines, each starting
 * with one space as show_free_areas prints them. Console-only lines that no kernel log holds (kdb
 * prompts) are dropped, and so are leftover lines of an earlier kill before the template's own
 * {@code invoked oom-killer}, so every OOM template is exactly one report.
 */
final class ReportTemplates {
  /** One kernel record: its first line and the lines it continues on. */
  record Rec(String first, List<String> continuations) {}

  /** One template: its name, its records, and whether it is an OOM report (or an alloc failure). */
  record Template(String name, List<Rec> records, boolean oom) {}

  private static final Pattern SYSLOG =
      Pattern.compile(
          "^[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\S+ kernel: (\\[\\s*\\d+\\.\\d+\\] )?");
  private static final Pattern DMESG_T =
      Pattern.compile("^\\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}\\] ");
  private static final Pattern DMESG = Pattern.compile("^\\[\\s*\\d+\\.\\d+\\] ");
  private static final Pattern KEY_VALUE_CONTINUATION =
      Pattern.compile("^\\s+[a-z_]+:\\d+(\\s.*)?$");

  private static final Pattern PID =
      Pattern.compile("(PID: |[Kk]ill(?:ed)? process |reap(?:ed)? process |,pid=)(\\d+)");
  private static final Pattern TASK_ROW = Pattern.compile("^\\[(\\s*)(\\d+)\\]");
  private static final Pattern VICTIM =
      Pattern.compile("[Kk]ill(?:ed)? process \\d+ \\(([^)]*)\\)");
  private static final Pattern SIZE_KB = Pattern.compile("(\\d+)kB");
  private static final Pattern CONTAINER_ID =
      Pattern.compile("(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])");
  private static final Pattern UUID =
      Pattern.compile("[0-9a-f]{8}([-_])[0-9a-f]{4}\\1[0-9a-f]{4}\\1[0-9a-f]{4}\\1[0-9a-f]{12}");

  private final List<Template> oom = new ArrayList<>();
  private final List<Template> allocFailures = new ArrayList<>();

  ReportTemplates() {
    for (String name : readLines("templates/index.txt")) {
      if (name.isBlank()) {
        continue;
      }
      Template t = parse(name, readLines("templates/" + name));
      (t.oom() ? oom : allocFailures).add(t);
    }
  }

  List<Template> oomTemplates() {
    return oom;
  }

  List<Template> allocFailureTemplates() {
    return allocFailures;
  }

  /** Takes one template apart into framing-free records. */
  static Template parse(String name, List<String> lines) {
    boolean indented = lines.stream().filter(l -> !l.isBlank()).allMatch(l -> l.startsWith("  "));
    boolean framed = lines.stream().anyMatch(l -> stripFraming(l) != null);
    List<Rec> records = new ArrayList<>();
    List<String> current = null;
    for (String raw : lines) {
      if (raw.isBlank()) {
        continue;
      }
      String line = indented ? raw.substring(2) : raw;
      String message = stripFraming(line);
      if (message == null) {
        boolean continuation =
            framed
                ? Character.isWhitespace(line.charAt(0))
                : KEY_VALUE_CONTINUATION.matcher(line).matches();
        if (continuation && current != null) {
          current.add(" " + line.strip());
          continue;
        }
        if (framed) {
          continue; // console output (kdb prompts) that no kernel log holds
        }
        message = line;
      }
      if (current != null) {
        records.add(toRec(current));
      }
      current = new ArrayList<>();
      String[] parts = message.split("#012", -1);
      current.add(parts[0]);
      for (int i = 1; i < parts.length; i++) {
        current.add(" " + parts[i].strip());
      }
    }
    if (current != null) {
      records.add(toRec(current));
    }
    int trigger = -1;
    for (int i = 0; i < records.size() && trigger < 0; i++) {
      if (records.get(i).first().contains(" invoked oom-killer: ")) {
        trigger = i;
      }
    }
    boolean isOom = trigger >= 0;
    List<Rec> kept = isOom ? records.subList(trigger, records.size()) : records;
    return new Template(name, List.copyOf(kept), isOom);
  }

  private static Rec toRec(List<String> lines) {
    return new Rec(lines.get(0), List.copyOf(lines.subList(1, lines.size())));
  }

  /** The message with a syslog, dmesg -T or dmesg prefix taken off; null when it has none. */
  private static String stripFraming(String line) {
    for (Pattern p : new Pattern[] {SYSLOG, DMESG_T, DMESG}) {
      Matcher m = p.matcher(line);
      if (m.lookingAt()) {
        return line.substring(m.end());
      }
    }
    return null;
  }

  /**
   * A copy of a template with its pids shifted, its trigger and victim renamed, its victim and
   * memcg sizes scaled by one factor, and its container IDs and pod UIDs replaced, each change made
   * consistently across the report's lines.
   */
  static List<Rec> vary(Template t, SplittableRandom rnd) {
    Variation v = new Variation(t, rnd);
    List<Rec> result = new ArrayList<>(t.records().size());
    for (Rec r : t.records()) {
      List<String> cont = new ArrayList<>(r.continuations().size());
      for (String c : r.continuations()) {
        cont.add(v.apply(c));
      }
      result.add(new Rec(v.apply(r.first()), cont));
    }
    return result;
  }

  private static final class Variation {
    private final SplittableRandom rnd;
    private final int pidOffset;
    private final double sizeFactor;
    private final Map<String, String> comms = new HashMap<>();
    private final Map<String, String> ids = new HashMap<>();

    Variation(Template t, SplittableRandom rnd) {
      this.rnd = rnd;
      this.pidOffset = rnd.nextInt(1, 4_000_000);
      this.sizeFactor = Math.exp(rnd.nextDouble(Math.log(0.5), Math.log(2.0)));
      if (!t.oom()) {
        return;
      }
      String first = t.records().get(0).first();
      rename(first.substring(0, first.indexOf(" invoked oom-killer: ")));
      for (Rec r : t.records()) {
        Matcher m = VICTIM.matcher(r.first());
        if (m.find()) {
          rename(m.group(1));
          break;
        }
      }
    }

    private void rename(String comm) {
      if (!comm.startsWith("kworker") && !comms.containsKey(comm)) {
        comms.put(comm, LinePattern.COMMS[rnd.nextInt(LinePattern.COMMS.length)]);
      }
    }

    private long pid(long old) {
      // pids below 300 are kernel threads and early daemons (systemd is 1): they stay put
      return old < 300 ? old : 300 + Math.floorMod(old - 300 + pidOffset, 4_194_000);
    }

    String apply(String line) {
      String s = line;
      if (s.startsWith("[")) {
        Matcher row = TASK_ROW.matcher(s);
        if (row.lookingAt()) {
          String pid = Long.toString(pid(Long.parseLong(row.group(2))));
          int width = row.group(1).length() + row.group(2).length();
          String pad = " ".repeat(Math.max(0, width - pid.length()));
          s = "[" + pad + pid + "]" + s.substring(row.end());
          for (Map.Entry<String, String> e : comms.entrySet()) {
            if (s.endsWith(" " + e.getKey())) {
              s = s.substring(0, s.length() - e.getKey().length()) + e.getValue();
            }
          }
          return s;
        }
      }
      Matcher m = PID.matcher(s);
      if (m.find()) {
        StringBuilder sb = new StringBuilder();
        do {
          m.appendReplacement(sb, "");
          sb.append(m.group(1)).append(pid(Long.parseLong(m.group(2))));
        } while (m.find());
        m.appendTail(sb);
        s = sb.toString();
      }
      for (Map.Entry<String, String> e : comms.entrySet()) {
        String o = e.getKey();
        String n = e.getValue();
        if (s.startsWith(o + " invoked oom-killer") || s.startsWith(o + " cpuset=")) {
          s = n + s.substring(o.length());
        }
        s =
            s.replace("Comm: " + o + " ", "Comm: " + n + " ")
                .replace("(" + o + ")", "(" + n + ")")
                .replace("task=" + o + ",", "task=" + n + ",");
      }
      if (s.contains("process ")
          || s.contains("memory: usage")
          || s.contains("memory+swap: usage")) {
        s = scaleSizes(s);
      }
      if (s.length() >= 36) {
        s = replaceIds(s);
      }
      return s;
    }

    private String scaleSizes(String s) {
      Matcher m = SIZE_KB.matcher(s);
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        String digits = m.group(1);
        long v = digits.length() > 12 ? -1 : Long.parseLong(digits);
        // unlimited values (9007199254740988kB and the like) keep their meaning only unchanged
        String out = v < 0 || v > 1L << 40 ? digits : Long.toString(Math.round(v * sizeFactor));
        m.appendReplacement(sb, "");
        sb.append(out).append("kB");
      }
      m.appendTail(sb);
      return sb.toString();
    }

    private String replaceIds(String s) {
      Matcher m = CONTAINER_ID.matcher(s);
      StringBuilder sb = null;
      while (m.find()) {
        sb = sb == null ? new StringBuilder() : sb;
        m.appendReplacement(sb, "");
        sb.append(ids.computeIfAbsent(m.group(), k -> randomHex(64)));
      }
      if (sb != null) {
        m.appendTail(sb);
        s = sb.toString();
      }
      m = UUID.matcher(s);
      sb = null;
      while (m.find()) {
        sb = sb == null ? new StringBuilder() : sb;
        m.appendReplacement(sb, "");
        String key = m.group().replace('_', '-');
        String fresh =
            ids.computeIfAbsent(
                key,
                k ->
                    randomHex(8)
                        + "-"
                        + randomHex(4)
                        + "-"
                        + randomHex(4)
                        + "-"
                        + randomHex(4)
                        + "-"
                        + randomHex(12));
        sb.append(fresh.replace('-', m.group(1).charAt(0)));
      }
      if (sb != null) {
        m.appendTail(sb);
        s = sb.toString();
      }
      return s;
    }

    private String randomHex(int digits) {
      StringBuilder sb = new StringBuilder(digits);
      for (int i = 0; i < digits; i++) {
        sb.append(Character.forDigit(rnd.nextInt(16), 16));
      }
      return sb.toString();
    }
  }

  private static List<String> readLines(String resource) {
    try (InputStream in = ReportTemplates.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      return r.lines().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
