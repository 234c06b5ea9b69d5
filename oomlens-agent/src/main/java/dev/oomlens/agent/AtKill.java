package dev.oomlens.agent;

import dev.oomlens.core.model.OomReport;
import dev.oomlens.host.paths.HostPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/*
 * What is gone a moment after a kill: the victim's cgroup files (a container's cgroup is removed
 * once its last task exits), the processes that were using the memory, and the cgroup counters
 * as they stood. Read within milliseconds of the report being handed over, bounded in size (a few
 * files, the top processes) and in rate by a token bucket, so a storm of a thousand kills a minute
 * costs the node a few captures a second, not a walk of /proc per kill.
 *
 * The JSON is written by hand (Json below), not by Jackson's generator: it is a handful of flat
 * fields, and Jackson's 66 classes were the agent's only use of Jackson outside the journal
 * fallback, held for months in the resident size after the first kill.
 */

/** Reads the evidence that disappears right after a kill, and the cgroup of a bare kill line. */
final class AtKill {
  static final int TOP_PROCESSES = 10;
  static final int MAX_FILE_BYTES = 8192;

  private final HostPaths paths;
  private final double perSecond;
  private final double burst;
  private double tokens;
  private long lastNanos;

  AtKill(HostPaths paths, double perSecond, double burst) {
    this.paths = paths;
    this.perSecond = perSecond;
    this.burst = burst;
    this.tokens = burst;
    this.lastNanos = System.nanoTime();
  }

  /**
   * The cgroup of a process from {@code /proc/PID/cgroup}: the memory controller's line on v1, the
   * unified one on v2; empty when the process is gone or was moved to the root (exiting tasks are).
   */
  Optional<String> cgroupOf(long pid) {
    String text;
    try {
      text =
          Files.readString(
              paths.proc().resolve(Long.toString(pid)).resolve("cgroup"), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    String unified = null;
    for (String line : text.split("\n")) {
      String[] f = line.split(":", 3);
      if (f.length < 3) {
        continue;
      }
      if (List.of(f[1].split(",")).contains("memory")) {
        return f[2].equals("/") ? Optional.empty() : Optional.of(f[2]);
      }
      if (f[0].equals("0") && f[1].isEmpty()) {
        unified = f[2];
      }
    }
    return unified == null || unified.equals("/") ? Optional.empty() : Optional.of(unified);
  }

  /** JSON of what was read for this kill, or of why nothing was (the rate limit). */
  String capture(OomReport r, Optional<String> victimCgroup) {
    Json json = new Json();
    json.begin();
    // Read first, whatever the rate: PID 1 of its namespace is a container's main process.
    if (r.victim().isPresent()) {
      OptionalLong nsPid = nsPid(r.victim().get().pid());
      if (nsPid.isPresent()) {
        json.field("ns_pid", nsPid.getAsLong());
      }
    }
    if (!take()) {
      json.field(
          "skipped",
          "more than "
              + (int) burst
              + " kills at once: captures are limited to "
              + perSecond
              + " a second");
      return json.end().toString();
    }
    Set<String> cgroups = new LinkedHashSet<>();
    victimCgroup.ifPresent(cgroups::add);
    r.oomMemcg().ifPresent(cgroups::add);
    json.array("cgroups");
    for (String cgroup : cgroups) {
      writeCgroup(json, cgroup);
    }
    json.endArray();
    json.array("top_processes");
    for (Proc p : topProcesses()) {
      json.begin();
      json.field("pid", p.pid);
      json.field("rss_bytes", p.rssBytes);
      json.field("cmdline", p.cmdline);
      json.field("cgroup", p.cgroup);
      json.end();
    }
    json.endArray();
    return json.end().toString();
  }

  /** A flat JSON writer: objects, arrays of objects, string and number fields; RFC 8259 escapes. */
  static final class Json {
    private final StringBuilder b = new StringBuilder();
    private boolean first = true;

    Json begin() {
      comma();
      b.append('{');
      first = true;
      return this;
    }

    Json end() {
      b.append('}');
      first = false;
      return this;
    }

    Json array(String name) {
      name(name);
      b.append('[');
      first = true;
      return this;
    }

    Json endArray() {
      b.append(']');
      first = false;
      return this;
    }

    Json field(String name, long value) {
      name(name);
      b.append(value);
      first = false;
      return this;
    }

    Json field(String name, String value) {
      name(name);
      string(value);
      first = false;
      return this;
    }

    private void name(String name) {
      comma();
      string(name);
      b.append(':');
    }

    private void comma() {
      if (!first) {
        b.append(',');
      }
      first = true;
    }

    private void string(String s) {
      b.append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"' -> b.append("\\\"");
          case '\\' -> b.append("\\\\");
          case '\n' -> b.append("\\n");
          case '\r' -> b.append("\\r");
          case '\t' -> b.append("\\t");
          case '\b' -> b.append("\\b");
          case '\f' -> b.append("\\f");
          default -> {
            if (c < 0x20) {
              b.append(String.format(java.util.Locale.ROOT, "\\u%04X", (int) c));
            } else {
              b.append(c);
            }
          }
        }
      }
      b.append('"');
    }

    @Override
    public String toString() {
      return b.toString();
    }
  }

  /** The last NSpid of a process: its pid in its own pid namespace; empty once it is gone. */
  OptionalLong nsPid(long pid) {
    try {
      for (String line :
          Files.readAllLines(paths.proc().resolve(Long.toString(pid)).resolve("status"))) {
        if (line.startsWith("NSpid:")) {
          String[] f = line.substring(6).strip().split("\\s+");
          return OptionalLong.of(Long.parseLong(f[f.length - 1]));
        }
      }
    } catch (IOException | RuntimeException e) {
      // Gone already: unknown.
    }
    return OptionalLong.empty();
  }

  private synchronized boolean take() {
    long now = System.nanoTime();
    tokens = Math.min(burst, tokens + (now - lastNanos) / 1e9 * perSecond);
    lastNanos = now;
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }

  private void writeCgroup(Json json, String cgroup) {
    json.begin();
    json.field("path", cgroup);
    Path v1 = paths.sys().resolve("fs/cgroup/memory").resolve(relative(cgroup));
    Path v2 = paths.sys().resolve("fs/cgroup").resolve(relative(cgroup));
    Path dir = Files.isRegularFile(v1.resolve("memory.stat")) ? v1 : v2;
    boolean any = false;
    for (String f :
        new String[] {
          "memory.stat",
          "memory.events",
          "memory.usage_in_bytes",
          "memory.limit_in_bytes",
          "memory.current",
          "memory.max",
          "memory.high",
          "memory.failcnt"
        }) {
      Optional<String> text = read(dir.resolve(f));
      if (text.isPresent()) {
        json.field(f, text.get());
        any = true;
      }
    }
    if (!any) {
      json.field("gone", "no memory files at " + dir + " (removed after the kill)");
    }
    json.end();
  }

  private static String relative(String cgroup) {
    return cgroup.startsWith("/") ? cgroup.substring(1) : cgroup;
  }

  private static Optional<String> read(Path file) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      int n = Math.min(bytes.length, MAX_FILE_BYTES);
      return Optional.of(new String(bytes, 0, n, StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private record Proc(long pid, long rssBytes, String cmdline, String cgroup) {}

  private List<Proc> topProcesses() {
    List<long[]> all = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(paths.proc())) {
      for (Path dir : dirs) {
        String name = dir.getFileName().toString();
        if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
          continue;
        }
        long rss = rssBytes(dir.resolve("statm"));
        if (rss > 0) {
          all.add(new long[] {Long.parseLong(name), rss});
        }
      }
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
    all.sort(Comparator.comparingLong((long[] a) -> a[1]).reversed());
    List<Proc> out = new ArrayList<>();
    for (long[] p : all.subList(0, Math.min(TOP_PROCESSES, all.size()))) {
      Path dir = paths.proc().resolve(Long.toString(p[0]));
      String cmdline =
          read(dir.resolve("cmdline")).map(c -> c.replace('\0', ' ').strip()).orElse("");
      out.add(new Proc(p[0], p[1], cmdline, cgroupOf(p[0]).orElse("/")));
    }
    return out;
  }

  /** The second field of statm (resident pages) in bytes; 0 when it cannot be read. */
  private static long rssBytes(Path statm) {
    try {
      String[] f = Files.readString(statm, StandardCharsets.US_ASCII).trim().split(" ");
      return f.length > 1 ? Long.parseLong(f[1]) * 4096 : 0;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
