package dev.oomlens.agent;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.cgroup.CgroupPaths;
import dev.oomlens.core.host.KillerEvent;
import dev.oomlens.core.kernel.KernelLogFeed;
import dev.oomlens.core.kernel.KernelLogSink;
import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.core.model.AllocFailure;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.model.Workload;
import dev.oomlens.host.journal.KillerJournalReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/*
 * The userspace verdict. The kernel log holds no record of systemd-oomd, earlyoom or nohang: they
 * send signals, and the kernel's OOM killer never runs. Their records are in the journal, so the
 * agent follows it with a child `journalctl -b -f -o json` matching the killers and the service
 * managers (the same matches as doctor's KillerJournalReader), turns each entry back into the line
 * `journalctl -o short-iso-precise` prints and hands it to the same killer parser doctor uses
 * (KernelLogFeed's KillerLogParser, which keeps the context a killer spreads over lines).
 *
 * A kill is the killer's own record of a kill or a terminate (earlyoom and nohang send SIGTERM
 * first): the service manager's lines about the same unit, and earlyoom's escalation to SIGKILL
 * of a pid it already signalled (within a minute), are the same kill and are not counted again.
 * Kubelet evictions are not kills by an OOM killer and are left to doctor.
 *
 * Resumption: every entry carries the journal's cursor. A kill is stored with its cursor (unique)
 * and the cursor of the last entry read is stored with it, and at most every second otherwise; a
 * restart passes --after-cursor, so nothing is read twice, and a cursor the journal has rotated
 * away is no worse than a first start of this boot: the unique cursor keeps each kill once.
 *
 * Entries are parsed by a few lines of JSON reading, not Jackson's databind: journalctl's JSON is
 * one flat object per line (strings, numbers, null, and arrays of bytes for non-UTF-8 values), and
 * the agent's resident size is counted in classes loaded.
 */

/** Follows the journal for kills by userspace OOM killers and stores and counts each once. */
final class KillerFollower implements AutoCloseable {
  /** The journal's name for what this follows, in sources and in the log. */
  static final String NAME = "journalctl -b -f (OOM killers)";

  private static final DateTimeFormatter ISO =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx").withZone(ZoneOffset.UTC);
  private static final Set<KillerEvent.Killer> KILLERS =
      Set.of(
          KillerEvent.Killer.SYSTEMD_OOMD, KillerEvent.Killer.EARLYOOM, KillerEvent.Killer.NOHANG);
  private static final Set<KillerEvent.Action> ACTIONS =
      Set.of(KillerEvent.Action.KILL, KillerEvent.Action.TERMINATE);
  private static final long SAME_KILL_MILLIS = 60_000;
  private static final long CURSOR_EVERY_MILLIS = 1_000;

  private final History history;
  private final Metrics metrics;
  private final Consumer<String> say;
  private final Process process;
  private final KernelLogFeed feed;
  private final List<KillerEvent> events = new ArrayList<>();
  private final Map<String, Long> signalled =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
          return size() > 256;
        }
      };
  private final Thread reader;
  private volatile boolean closed;
  private long stored;
  private String lastCursor;
  private long cursorWrittenAt;

  private KillerFollower(
      History history,
      Metrics metrics,
      Consumer<String> say,
      Process process,
      ReaderOptions options) {
    this.history = history;
    this.metrics = metrics;
    this.say = say;
    this.process = process;
    this.feed =
        new KernelLogFeed(
            NAME,
            options,
            new KernelLogSink() {
              @Override
              public void report(OomReport report) {}

              @Override
              public void allocFailure(AllocFailure failure) {}

              @Override
              public void problem(Problem problem) {}

              @Override
              public void killerEvent(KillerEvent event) {
                events.add(event);
              }
            });
    this.reader = new Thread(this::read, "oomlens-killers");
    reader.setDaemon(true);
  }

  /**
   * journalctl's arguments: follow this boot's entries of the killers and the service managers, as
   * JSON, after {@code afterCursor} when the history holds one, in the journal {@code source} names
   * ({@code -D DIR}, {@code --root=DIR}, or nothing for this machine's).
   */
  static List<String> command(
      String journalctl, List<String> source, Optional<String> afterCursor) {
    List<String> c = new ArrayList<>(List.of(journalctl));
    c.addAll(source);
    c.addAll(List.of("-b", "-f", "-o", "json", "--no-pager", "-q", "--lines=all"));
    afterCursor.ifPresent(a -> c.add("--after-cursor=" + a));
    KillerJournalReader.UNITS.forEach(u -> c.add("_SYSTEMD_UNIT=" + u));
    c.add("+");
    KillerJournalReader.IDENTIFIERS.forEach(i -> c.add("SYSLOG_IDENTIFIER=" + i));
    c.add("+");
    c.add("_PID=1");
    return List.copyOf(c);
  }

  /**
   * Starts {@code command} ({@link #command}) and a thread reading it.
   *
   * @throws IOException when it cannot be started (no journalctl)
   */
  static KillerFollower start(
      List<String> command,
      History history,
      Metrics metrics,
      Consumer<String> say,
      ReaderOptions options)
      throws IOException {
    requireNonNull(history, "history");
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    KillerFollower f = new KillerFollower(history, metrics, say, p, options);
    f.reader.start();
    return f;
  }

  /** Kills stored by this follower. */
  synchronized long stored() {
    return stored;
  }

  private void read() {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        try {
          entry(line);
        } catch (RuntimeException e) {
          // One entry that cannot be stored must not end the following; the next is read.
          say.accept("a journal entry of an OOM killer could not be kept: " + e);
        }
      }
    } catch (IOException e) {
      // journalctl ended or was stopped.
    }
    if (!closed) {
      say.accept(
          NAME
              + " ended"
              + (process.isAlive() ? "" : " with status " + process.exitValue())
              + ": kills by userspace OOM killers are no longer followed");
    }
  }

  /** One line of journalctl's JSON output. */
  synchronized void entry(String json) {
    Map<String, String> e = parse(json);
    if (e == null || e.get("__CURSOR") == null) {
      return;
    }
    String cursor = e.get("__CURSOR");
    lastCursor = cursor;
    String text = line(e);
    events.clear();
    for (String part : text.split("\n", -1)) {
      feed.line(part);
    }
    Instant at = at(e);
    for (KillerEvent ev : List.copyOf(events)) {
      if (!KILLERS.contains(ev.killer()) || !ACTIONS.contains(ev.action())) {
        continue;
      }
      String key = ev.killer() + " " + ev.pid().orElse(-1) + " " + ev.unit().orElse("");
      Long before = signalled.put(key, at.toEpochMilli());
      if (before != null && at.toEpochMilli() - before < SAME_KILL_MILLIS) {
        continue; // earlyoom's SIGKILL after its SIGTERM: the same kill
      }
      UserspaceKill k =
          new UserspaceKill(
              cursor,
              e.getOrDefault("_BOOT_ID", "unknown"),
              at,
              ev.killer().jsonName(),
              ev.action().jsonName(),
              ev.pid(),
              ev.comm(),
              ev.unit(),
              ev.rssBytes(),
              ev.reason(),
              text);
      if (history.addUserspaceKill(k)) {
        stored++;
        cursorWrittenAt = System.currentTimeMillis();
        Workload w = k.unit().filter(u -> u.startsWith("/")).map(CgroupPaths::decode).orElse(null);
        metrics
            .kills
            .labelValues(
                "userspace",
                Verdict.USERSPACE.label(),
                "",
                w == null ? "" : w.podUid().orElse(""),
                w == null ? "" : w.containerId().orElse(""),
                w == null ? k.unit().orElse("") : w.unit().orElse(""),
                k.killer())
            .inc();
        say.accept(
            "userspace OOM kill at "
                + at
                + " by "
                + k.killer()
                + ": "
                + k.pid().stream().mapToObj(Long::toString).findFirst().orElse("")
                + k.comm().map(c -> " (" + c + ")").orElse("")
                + k.unit().map(u -> " " + u).orElse("")
                + "; verdict userspace"
                + k.reason().map(r -> "; " + r).orElse(""));
      }
    }
    long now = System.currentTimeMillis();
    if (now - cursorWrittenAt >= CURSOR_EVERY_MILLIS) {
      history.killerCursor(cursor);
      cursorWrittenAt = now;
    }
  }

  /** The entry as {@code journalctl -o short-iso-precise} prints it. */
  static String line(Map<String, String> e) {
    String ident =
        e.getOrDefault("SYSLOG_IDENTIFIER", e.getOrDefault("_COMM", "unknown")).replace(' ', '_');
    String pid = e.getOrDefault("SYSLOG_PID", e.get("_PID"));
    return ISO.format(at(e))
        + " "
        + e.getOrDefault("_HOSTNAME", "localhost")
        + " "
        + ident
        + (pid == null ? "" : "[" + pid + "]")
        + ": "
        + e.getOrDefault("MESSAGE", "");
  }

  private static Instant at(Map<String, String> e) {
    try {
      long micros = Long.parseLong(e.getOrDefault("__REALTIME_TIMESTAMP", "0"));
      return Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1000);
    } catch (NumberFormatException x) {
      return Instant.EPOCH;
    }
  }

  /**
   * One flat JSON object as journalctl writes it: field names to strings, numbers as their text,
   * arrays of bytes as UTF-8 text; null and anything nested are left out. Null when it is not such
   * an object.
   */
  static Map<String, String> parse(String json) {
    Map<String, String> out = new HashMap<>();
    int[] at = {skip(json, 0)};
    if (at[0] >= json.length() || json.charAt(at[0]) != '{') {
      return null;
    }
    at[0] = skip(json, at[0] + 1);
    if (at[0] < json.length() && json.charAt(at[0]) == '}') {
      return out;
    }
    while (at[0] < json.length()) {
      String key = string(json, at);
      if (key == null) {
        return null;
      }
      at[0] = skip(json, at[0]);
      if (at[0] >= json.length() || json.charAt(at[0]) != ':') {
        return null;
      }
      at[0] = skip(json, at[0] + 1);
      if (at[0] >= json.length()) {
        return null;
      }
      char c = json.charAt(at[0]);
      if (c == '"') {
        String v = string(json, at);
        if (v == null) {
          return null;
        }
        out.put(key, v);
      } else if (c == '[') {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        at[0] = skip(json, at[0] + 1);
        while (at[0] < json.length() && json.charAt(at[0]) != ']') {
          int end = at[0];
          while (end < json.length() && Character.isDigit(json.charAt(end))) {
            end++;
          }
          if (end == at[0]) {
            return null;
          }
          bytes.write(Integer.parseInt(json.substring(at[0], Math.min(end, at[0] + 3))));
          at[0] = skip(json, end);
          if (at[0] < json.length() && json.charAt(at[0]) == ',') {
            at[0] = skip(json, at[0] + 1);
          }
        }
        if (at[0] >= json.length()) {
          return null;
        }
        at[0]++;
        out.put(key, bytes.toString(StandardCharsets.UTF_8));
      } else {
        int end = at[0];
        while (end < json.length() && ",}] \t".indexOf(json.charAt(end)) < 0) {
          end++;
        }
        String v = json.substring(at[0], end);
        if (v.isEmpty() || v.charAt(0) == '{') {
          return null;
        }
        if (!v.equals("null")) {
          out.put(key, v);
        }
        at[0] = end;
      }
      at[0] = skip(json, at[0]);
      if (at[0] >= json.length()) {
        return null;
      }
      if (json.charAt(at[0]) == '}') {
        return out;
      }
      if (json.charAt(at[0]) != ',') {
        return null;
      }
      at[0] = skip(json, at[0] + 1);
    }
    return null;
  }

  private static int skip(String s, int i) {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  /** The JSON string at {@code at[0]}, unescaped; moves past it. Null when malformed. */
  private static String string(String s, int[] at) {
    if (at[0] >= s.length() || s.charAt(at[0]) != '"') {
      return null;
    }
    StringBuilder b = new StringBuilder();
    int i = at[0] + 1;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '"') {
        at[0] = i + 1;
        return b.toString();
      }
      if (c != '\\') {
        b.append(c);
        i++;
        continue;
      }
      if (i + 1 >= s.length()) {
        return null;
      }
      char e = s.charAt(i + 1);
      switch (e) {
        case '"', '\\', '/' -> b.append(e);
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'u' -> {
          if (i + 6 > s.length()) {
            return null;
          }
          try {
            b.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
          } catch (NumberFormatException x) {
            return null;
          }
          i += 4;
        }
        default -> {
          return null;
        }
      }
      i += 2;
    }
    return null;
  }

  @Override
  public void close() {
    closed = true;
    // Our own child, by its handle.
    process.destroy();
    try {
      if (!process.waitFor(2, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
      reader.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      if (lastCursor != null) {
        history.killerCursor(lastCursor);
      }
    }
  }
}
