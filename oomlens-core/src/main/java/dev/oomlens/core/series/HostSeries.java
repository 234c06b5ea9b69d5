package dev.oomlens.core.series;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.model.SeriesWindow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/*
 * node_exporter's view of one host over a window, kept in bounded space like a MemoryProfile: for
 * each measure (available memory, RAM, swap size, free swap, PSI some and full) the lowest and
 * highest value, the latest, and the lowest and highest per time bucket for the charts and the
 * cited windows.
 *
 * PSI full is also followed as it arrives: the longest run of samples at or above
 * STALL_SHARE (10 % of wall time with every task waiting, nohang's warning level and
 * THRASHING's "severe" one), a gap of more than MAX_GAP between samples ending a run. The
 * stretches of one series come in time order (MatrixReader and SeriesFiles hand them so), which is
 * all the run needs.
 *
 * The host is node_exporter's `instance` label; its name for people drops a trailing :port, as
 * verify does.
 */

/** One host's memory over a window, from node_exporter's series. */
public final class HostSeries {
  /** PSI full at or above this share of time (10 %) counts towards a stall. */
  public static final double STALL_SHARE = 0.10;

  /** A longer gap between samples ends a stall (Prometheus's lookback). */
  static final long MAX_GAP_MILLIS = 5 * 60_000L;

  private static final int CHART_BUCKETS = 512;
  private static final long FIRST_WIDTH_MILLIS = 60_000;

  private final String instance;
  private final Map<Series.Role, Track> tracks = new EnumMap<>(Series.Role.class);
  private long runFrom = -1;
  private long runTo = -1;
  private double runPeak;
  private long stallFrom = -1;
  private long stallTo = -1;
  private double stallPeak;

  /** Everything read of one measure. */
  private static final class Track {
    String query = "";
    Map<String, String> labels = Map.of();
    Buckets chart;
    double min = Double.NaN;
    double max = Double.NaN;
    double last = Double.NaN;
    long lastMillis = Long.MIN_VALUE;
    long firstMillis = Long.MAX_VALUE;
    long samples;
  }

  public HostSeries(String instance) {
    this.instance = requireNonNull(instance, "instance");
  }

  /** node_exporter's {@code instance} label, as read. */
  public String instance() {
    return instance;
  }

  /** The host's name: the instance without a trailing {@code :port}. */
  public String host() {
    return hostOf(instance);
  }

  /** {@code testvm03:9100} → {@code testvm03}; {@code [::1]:9100} → {@code [::1]}. */
  public static String hostOf(String instance) {
    int colon = instance.lastIndexOf(':');
    if (colon <= 0 || !instance.substring(colon + 1).matches("[0-9]+")) {
      return instance;
    }
    String head = instance.substring(0, colon);
    // a bare IPv6 address has colons of its own and no port
    return head.indexOf(':') >= 0 && !head.endsWith("]") ? instance : head;
  }

  /** Adds one stretch of one of the host's series; other roles are ignored. */
  public void add(Series s) {
    if (!s.role().isHost() || s.size() == 0) {
      return;
    }
    Track t = tracks.computeIfAbsent(s.role(), r -> new Track());
    if (t.samples == 0) {
      t.query = s.query();
      t.labels = s.labels();
    }
    long[] times = s.epochMillis();
    double[] values = s.values();
    for (int i = 0; i < s.size(); i++) {
      double v = values[i];
      if (Double.isNaN(v)) {
        continue;
      }
      if (t.chart == null) {
        t.chart = new Buckets(times[i], FIRST_WIDTH_MILLIS, CHART_BUCKETS);
      }
      t.chart.add(times[i], v);
      t.min = Double.isNaN(t.min) ? v : Math.min(t.min, v);
      t.max = Double.isNaN(t.max) ? v : Math.max(t.max, v);
      if (times[i] >= t.lastMillis) {
        t.lastMillis = times[i];
        t.last = v;
      }
      t.firstMillis = Math.min(t.firstMillis, times[i]);
      t.samples++;
      if (s.role() == Series.Role.HOST_PSI_FULL) {
        stall(times[i], v);
      }
    }
  }

  private void stall(long time, double share) {
    boolean continues = runFrom >= 0 && time - runTo <= MAX_GAP_MILLIS;
    if (share >= STALL_SHARE) {
      if (!continues) {
        runFrom = time;
        runPeak = 0;
      }
      runTo = time;
      runPeak = Math.max(runPeak, share);
      if (stallFrom < 0 || runTo - runFrom > stallTo - stallFrom) {
        stallFrom = runFrom;
        stallTo = runTo;
        stallPeak = runPeak;
      } else if (stallFrom == runFrom) {
        stallPeak = Math.max(stallPeak, runPeak);
      }
    } else {
      runFrom = -1;
    }
  }

  /** How many samples of {@code role} were read. */
  public long samples(Series.Role role) {
    Track t = tracks.get(role);
    return t == null ? 0 : t.samples;
  }

  /** The lowest value of {@code role} in the window, when any was read. */
  public OptionalDouble min(Series.Role role) {
    Track t = tracks.get(role);
    return t == null ? OptionalDouble.empty() : OptionalDouble.of(t.min);
  }

  /** The highest value of {@code role} in the window, when any was read. */
  public OptionalDouble max(Series.Role role) {
    Track t = tracks.get(role);
    return t == null ? OptionalDouble.empty() : OptionalDouble.of(t.max);
  }

  /** The latest value of {@code role}, when any was read. */
  public OptionalDouble last(Series.Role role) {
    Track t = tracks.get(role);
    return t == null ? OptionalDouble.empty() : OptionalDouble.of(t.last);
  }

  /**
   * {@code role}'s lowest and highest value per time bucket, as {@code {mid-times in seconds},
   * {lowest}, {highest}}: for charts.
   */
  public double[][] chart(Series.Role role) {
    Track t = tracks.get(role);
    return t == null || t.chart == null ? new double[3][0] : t.chart.points();
  }

  /** The longest stretch of PSI full at or above {@link #STALL_SHARE}, when there was one. */
  public Optional<Stall> longestStall() {
    if (stallFrom < 0) {
      return Optional.empty();
    }
    return Optional.of(
        new Stall(Instant.ofEpochMilli(stallFrom), Instant.ofEpochMilli(stallTo), stallPeak));
  }

  /**
   * PSI full at or above {@link #STALL_SHARE} from {@code from} to {@code to} (the first and last
   * such sample of a run), at most {@code peakShare}.
   */
  public record Stall(Instant from, Instant to, double peakShare) {
    /** How long it lasted, from its first sample to its last. */
    public java.time.Duration duration() {
      return java.time.Duration.between(from, to);
    }
  }

  /**
   * {@code role}'s series over the window, or over {@code [from, to]} when given, as a citation:
   * the highest value per chart bucket, thinned to at most {@code maxPoints} samples.
   */
  public Optional<SeriesWindow> window(
      Series.Role role, Optional<Instant> from, Optional<Instant> to, int maxPoints) {
    Track t = tracks.get(role);
    if (t == null || t.chart == null) {
      return Optional.empty();
    }
    double[][] c = t.chart.points();
    Instant start = from.orElse(Instant.ofEpochMilli(t.firstMillis));
    Instant end = to.orElse(Instant.ofEpochMilli(t.lastMillis));
    if (end.isBefore(start)) {
      end = start;
    }
    long slack = t.chart.widthMillis() / 2;
    List<Integer> inside = new ArrayList<>();
    for (int i = 0; i < c[0].length; i++) {
      long at = Math.round(c[0][i] * 1000);
      if (at >= start.toEpochMilli() - slack && at <= end.toEpochMilli() + slack) {
        inside.add(i);
      }
    }
    int step = Math.max(1, (inside.size() + maxPoints - 1) / Math.max(1, maxPoints));
    List<SeriesWindow.Sample> samples = new ArrayList<>();
    for (int k = 0; k < inside.size(); k += step) {
      double v = Double.NEGATIVE_INFINITY;
      for (int j = k; j < Math.min(inside.size(), k + step); j++) {
        v = Math.max(v, c[2][inside.get(j)]);
      }
      samples.add(
          new SeriesWindow.Sample(Instant.ofEpochMilli(Math.round(c[0][inside.get(k)] * 1000)), v));
    }
    Map<String, String> labels = new java.util.TreeMap<>(t.labels);
    labels.putIfAbsent("instance", instance);
    return Optional.of(new SeriesWindow(t.query, labels, start, end, samples));
  }

  /** When the first sample of {@code role} was taken, when any was read. */
  public Optional<Instant> first(Series.Role role) {
    Track t = tracks.get(role);
    return t == null ? Optional.empty() : Optional.of(Instant.ofEpochMilli(t.firstMillis));
  }

  /** When the latest sample of {@code role} was taken, when any was read. */
  public Optional<Instant> latest(Series.Role role) {
    Track t = tracks.get(role);
    return t == null ? Optional.empty() : Optional.of(Instant.ofEpochMilli(t.lastMillis));
  }
}
