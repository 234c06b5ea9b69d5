package dev.oomlens.metrics;

import dev.oomlens.core.model.Input;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.series.Series;
import dev.oomlens.core.source.EvidenceSource;
import dev.oomlens.core.source.IoReasons;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/*
 * Three formats, told apart by their first bytes:
 *  - a saved query_range answer (JSON, '{'): `curl .../api/v1/query_range?... > ws.json`;
 *  - CSV with the header `time,series,value`: time in unix seconds or ISO 8601, series a
 *    selector (`container_memory_working_set_bytes{namespace="shop",pod="a",container="b"}`) or a
 *    plain name, value in bytes;
 *  - seed 004's loop, `HH:MM:SS RSS: N kB`, one process's RSS, placed on `day` (the date the
 *    log gives no way to know; the day it is read, by default) and rolling over midnight.
 * A line that cannot be read is a problem naming its line; the rest stands. JSON that is not a
 * Prometheus answer spoils the file: its series cannot be told apart from the damage.
 */

/**
 * Saved series files: query_range JSON, {@code time,series,value} CSV, seed 004's RSS log; a
 * workload's series feed its memory profile, node_exporter's ({@code node_memory_*}, {@code
 * node_pressure_memory_*}) its host's {@link dev.oomlens.core.series.HostSeries}.
 */
public final class SeriesFiles implements EvidenceSource {
  private static final Pattern RSS_LINE =
      Pattern.compile("^(\\d{1,2}:\\d{2}:\\d{2})\\s+RSS:\\s*(\\d+)\\s*kB\\s*$");
  private static final Pattern SELECTOR =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)?(?:\\{(.*)\\})?$");
  private static final Pattern LABEL =
      Pattern.compile("\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*=\\s*\"((?:[^\"\\\\]|\\\\.)*)\"\\s*,?");

  private final List<String> files;
  private final LocalDate day;

  /**
   * @param day the date of the times in RSS logs, which print none
   */
  public SeriesFiles(List<String> files, LocalDate day) {
    this.files = List.copyOf(files);
    this.day = day;
  }

  @Override
  public void readInto(EvidenceSet.Builder evidence) {
    for (String file : files) {
      String name = Path.of(file).getFileName().toString();
      Profiles profiles = new Profiles(name);
      Hosts hosts = new Hosts(name);
      Consumer<Series> route = s -> route(s, profiles, hosts);
      List<Problem> problems = new ArrayList<>();
      long samples = 0;
      try (InputStream in = new BufferedInputStream(Files.newInputStream(Path.of(file)))) {
        in.mark(1);
        int first = in.read();
        in.reset();
        if (first == '{') {
          try {
            samples = MatrixReader.read(in, file, SeriesFiles::roleOf, route);
          } catch (MatrixReader.BadAnswer e) {
            problems.add(new Problem(file, 0, e.getMessage(), Problem.Kind.DAMAGED));
          }
        } else {
          samples = text(file, in, route, problems);
        }
      } catch (IOException e) {
        problems.add(
            new Problem(
                file, 0, "cannot read " + file + ": " + IoReasons.of(e), Problem.Kind.UNREADABLE));
      }
      profiles.into(evidence);
      hosts.into(evidence);
      evidence.input(new Input(file, Input.Kind.SERIES, samples, problems));
    }
  }

  /*
   * node_exporter's series go to the hosts, the pressure counters as the share of time they grew
   * by (a file holds them raw); its other series are passed over; the rest go to the workloads.
   */
  private static Series.Role roleOf(Map<String, String> labels) {
    if (Hosts.isHostMetric(labels)) {
      return Hosts.roleOf(labels).orElse(null);
    }
    return MatrixReader.roleOf(labels);
  }

  private static void route(Series s, Profiles profiles, Hosts hosts) {
    switch (s.role()) {
      // In a file the pressure series can only be node_exporter's counters: rate(...) has no name.
      case HOST_PSI_SOME, HOST_PSI_FULL -> hosts.acceptCounter(s);
      default -> {
        if (s.role().isHost()) {
          hosts.accept(s);
        } else {
          profiles.accept(s);
        }
      }
    }
  }

  private long text(String file, InputStream in, Consumer<Series> out, List<Problem> problems)
      throws IOException {
    BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    String header = r.readLine();
    if (header == null) {
      return 0;
    }
    if (header.strip().equalsIgnoreCase("time,series,value")) {
      return csv(file, r, out, problems);
    }
    return rssLog(file, header, r, out, problems);
  }

  private long csv(String file, BufferedReader r, Consumer<Series> out, List<Problem> problems)
      throws IOException {
    Map<String, Growing> bySeries = new LinkedHashMap<>();
    long line = 1;
    long samples = 0;
    String s;
    while ((s = r.readLine()) != null) {
      line++;
      if (s.isBlank()) {
        continue;
      }
      int a = s.indexOf(',');
      int b = s.lastIndexOf(',');
      if (a < 0 || a == b) {
        problems.add(new Problem(file, line, "expected time,series,value"));
        continue;
      }
      String series = s.substring(a + 1, b).strip();
      if (series.length() >= 2 && series.startsWith("\"") && series.endsWith("\"")) {
        series = series.substring(1, series.length() - 1).replace("\"\"", "\"");
      }
      long time;
      double value;
      try {
        time = time(s.substring(0, a).strip());
        value = Double.parseDouble(s.substring(b + 1).strip());
      } catch (NumberFormatException | DateTimeParseException e) {
        problems.add(
            new Problem(
                file,
                line,
                "expected a time (unix seconds or ISO 8601) and a"
                    + " value in bytes: "
                    + s.strip()));
        continue;
      }
      Map<String, String> labels = labels(series);
      if (labels == null) {
        problems.add(new Problem(file, line, "not a series selector: " + series));
        continue;
      }
      String key = series;
      Growing g = bySeries.computeIfAbsent(key, k -> new Growing(labels));
      g.add(time, value);
      samples++;
    }
    for (Growing g : bySeries.values()) {
      Series.Role role = roleOf(g.labels);
      if (role != null) {
        g.sort();
        out.accept(new Series(role, file, strip(g.labels), g.times(), g.values()));
      }
    }
    return samples;
  }

  private static Map<String, String> strip(Map<String, String> labels) {
    Map<String, String> l = new LinkedHashMap<>(labels);
    l.remove("__name__");
    return l;
  }

  private long rssLog(
      String file, String first, BufferedReader r, Consumer<Series> out, List<Problem> problems)
      throws IOException {
    Growing g = new Growing(Map.of());
    long line = 0;
    long dayOffset = 0;
    long previous = Long.MIN_VALUE;
    String s = first;
    do {
      line++;
      if (s.isBlank()) {
        continue;
      }
      Matcher m = RSS_LINE.matcher(s.strip());
      if (!m.matches()) {
        problems.add(new Problem(file, line, "expected HH:MM:SS RSS: N kB"));
        continue;
      }
      LocalTime t;
      try {
        t = LocalTime.parse(m.group(1).length() == 7 ? "0" + m.group(1) : m.group(1));
      } catch (DateTimeParseException e) {
        problems.add(new Problem(file, line, "not a time of day: " + m.group(1)));
        continue;
      }
      long millis = day.atTime(t).toInstant(ZoneOffset.UTC).toEpochMilli() + dayOffset;
      if (millis < previous) {
        // The loop ran past midnight.
        dayOffset += 86_400_000L;
        millis += 86_400_000L;
      }
      previous = millis;
      g.add(millis, Long.parseLong(m.group(2)) * 1024.0);
    } while ((s = r.readLine()) != null);
    if (g.n > 0) {
      out.accept(new Series(Series.Role.WORKING_SET, file, Map.of(), g.times(), g.values()));
    }
    return g.n;
  }

  private static long time(String s) {
    if (s.matches("[0-9]+(\\.[0-9]+)?")) {
      return Math.round(Double.parseDouble(s) * 1000);
    }
    return Instant.parse(s).toEpochMilli();
  }

  /** The labels of {@code name{k="v",...}}, the name as {@code __name__}; null if malformed. */
  static Map<String, String> labels(String selector) {
    Matcher m = SELECTOR.matcher(selector);
    if (!m.matches()) {
      return null;
    }
    Map<String, String> out = new LinkedHashMap<>();
    if (m.group(1) != null) {
      out.put("__name__", m.group(1));
    }
    if (m.group(2) != null) {
      Matcher l = LABEL.matcher(m.group(2));
      int end = 0;
      while (l.lookingAt()) {
        out.put(l.group(1), l.group(2).replace("\\\"", "\"").replace("\\\\", "\\"));
        end = l.end();
        l.region(end, m.group(2).length());
      }
      if (end != m.group(2).length() && !m.group(2).substring(end).isBlank()) {
        return null;
      }
    }
    return out;
  }

  /** Samples of one series in a file, in any order until sorted. */
  private static final class Growing {
    final Map<String, String> labels;
    long[] t = new long[64];
    double[] v = new double[64];
    int n;

    Growing(Map<String, String> labels) {
      this.labels = labels;
    }

    void add(long time, double value) {
      if (n == t.length) {
        t = Arrays.copyOf(t, n * 2);
        v = Arrays.copyOf(v, n * 2);
      }
      t[n] = time;
      v[n] = value;
      n++;
    }

    void sort() {
      Integer[] idx = new Integer[n];
      for (int i = 0; i < n; i++) {
        idx[i] = i;
      }
      Arrays.sort(idx, (a, b) -> Long.compare(t[a], t[b]));
      long[] t2 = new long[n];
      double[] v2 = new double[n];
      for (int i = 0; i < n; i++) {
        t2[i] = t[idx[i]];
        v2[i] = v[idx[i]];
      }
      t = t2;
      v = v2;
    }

    long[] times() {
      return Arrays.copyOf(t, n);
    }

    double[] values() {
      return Arrays.copyOf(v, n);
    }
  }
}
