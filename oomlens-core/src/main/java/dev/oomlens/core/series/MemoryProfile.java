package dev.oomlens.core.series;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/*
 * What a workload's memory did over a window, kept in bounded space whatever the number of
 * samples: a 2% log histogram of the working set (its quantiles and exact peak), the lowest and
 * highest value per time bucket for each container life (a segment), the medians of RSS and page
 * cache, the latest limit and request, and counts of sharp falls.
 *
 * A container's life ends at a restart: a new container ID (cAdvisor's `id` label, or
 * `container_id`) starts a new segment; in a series with no ID (a saved RSS log), a fall to half or
 * less in one step is taken as the restart it almost always is. A fall of 15% to 50% is a drop (a
 * GC cycle, a spike ending), counted for the sawtooth test.
 *
 * kube-state-metrics' restart counter says how many times the container restarted, whatever its
 * memory did. Each of its series (by labels) is counted on its own, from its first sample in the
 * window: a step up of n is n restarts between the two samples, however far apart (a gap loses no
 * restart, since the counter kept counting); a fall is a reset (kube-state-metrics restarted, or the
 * pod was recreated under the same name), after which the counter's value is what it counted since.
 * A series that first appears mid-window (a recreated pod) starts counting there. In a working set
 * with no container ID, a step of the counter also ends a life (the bucket the restart fell in is
 * left out of the trend): this is applied when the trend is fitted, since the counter may be read
 * before or after the working set.
 */

/** A bounded per-workload summary of memory over time, fed {@link Series} by the readers. */
public final class MemoryProfile {
  private static final int SEGMENT_BUCKETS = 256;
  private static final int CHART_BUCKETS = 512;
  private static final long FIRST_WIDTH_MILLIS = 60_000;
  private static final int MAX_SEGMENTS = 4096;

  private final Id id;
  private final LogHistogram workingSet = new LogHistogram();
  private final LogHistogram rss = new LogHistogram();
  private final LogHistogram cache = new LogHistogram();
  private final Map<String, Segment> segments = new LinkedHashMap<>();
  private final List<Long> kills = new ArrayList<>();
  private long heldAtKill = -1;
  private boolean jvm;
  private double jvmClasses = Double.NaN;
  private double jvmThreads = Double.NaN;
  private double jvmDirect = Double.NaN;
  private Buckets chart;
  private String query = "";
  private Map<String, String> labels = Map.of();
  private long firstMillis = Long.MAX_VALUE;
  private long lastMillis = Long.MIN_VALUE;
  private long resolutionMillis = Long.MAX_VALUE;
  private long limitAtMillis = Long.MIN_VALUE;
  private double limit = Double.NaN;
  private long requestAtMillis = Long.MIN_VALUE;
  private double request = Double.NaN;
  private long drops;
  private long falls;
  private final Map<Map<String, String>, double[]> counters = new LinkedHashMap<>();
  private final List<RestartStep> restartSteps = new ArrayList<>();
  private String restartQuery = "";
  private Map<String, String> restartLabels = Map.of();
  private long restarts = -1;
  private long samples;
  private MemoryShape shape;
  private boolean sealed;

  /**
   * Who a profile is about: a Kubernetes container (namespace, pod, container), or anything else a
   * series names (a host's process, a file), with the empty string for what is not known.
   */
  public record Id(String namespace, String pod, String container) implements Comparable<Id> {
    public Id {
      requireNonNull(namespace, "namespace");
      requireNonNull(pod, "pod");
      requireNonNull(container, "container");
    }

    /** The workload a series' labels name: cAdvisor's and kube-state-metrics' label names. */
    public static Id of(Map<String, String> labels, String fallback) {
      String ns = labels.getOrDefault("namespace", "");
      String pod = labels.getOrDefault("pod", labels.getOrDefault("pod_name", ""));
      String c = labels.getOrDefault("container", labels.getOrDefault("container_name", ""));
      if (ns.isEmpty() && pod.isEmpty() && c.isEmpty()) {
        c = labels.getOrDefault("instance", labels.getOrDefault("name", fallback));
      }
      return new Id(ns, pod, c);
    }

    /** {@code namespace/pod/container}, leaving out what is not known. */
    public String name() {
      List<String> parts = new ArrayList<>();
      for (String p : List.of(namespace, pod, container)) {
        if (!p.isEmpty()) {
          parts.add(p);
        }
      }
      return String.join("/", parts);
    }

    @Override
    public int compareTo(Id o) {
      return name().compareTo(o.name());
    }
  }

  private static final class Segment {
    Buckets buckets;
    final long firstMillis;
    double previous = Double.NaN;
    long previousMillis;

    Segment(long origin) {
      buckets = new Buckets(origin, FIRST_WIDTH_MILLIS, SEGMENT_BUCKETS);
      firstMillis = origin;
    }
  }

  /**
   * One step up of the restart counter: {@code restarts} restarts after {@code afterMillis} (the
   * sample before) and by {@code atMillis}, where the counter read {@code counter}.
   */
  public record RestartStep(long afterMillis, long atMillis, double counter, long restarts) {}

  public MemoryProfile(Id id) {
    this.id = requireNonNull(id, "id");
  }

  public Id id() {
    return id;
  }

  /** Adds one stretch of a series about this workload. */
  public void add(Series s) {
    if (sealed) {
      throw new IllegalStateException(id.name() + ": a series added after the profile was sealed");
    }
    shape = null;
    switch (s.role()) {
      case WORKING_SET -> addWorkingSet(s);
      case RSS -> addAll(rss, s);
      case CACHE -> addAll(cache, s);
      case LIMIT -> {
        for (int i = 0; i < s.size(); i++) {
          if (s.epochMillis()[i] >= limitAtMillis && !Double.isNaN(s.values()[i])) {
            limitAtMillis = s.epochMillis()[i];
            limit = s.values()[i];
          }
        }
      }
      case REQUEST -> {
        for (int i = 0; i < s.size(); i++) {
          if (s.epochMillis()[i] >= requestAtMillis && !Double.isNaN(s.values()[i])) {
            requestAtMillis = s.epochMillis()[i];
            request = s.values()[i];
          }
        }
      }
      case RESTARTS -> addRestarts(s);
      case JVM_CLASSES -> jvmClasses = highest(jvmClasses, s);
      case JVM_THREADS -> jvmThreads = highest(jvmThreads, s);
      case JVM_DIRECT -> jvmDirect = highest(jvmDirect, s);
      default -> {
        // A host's series: HostSeries holds those, never a workload's profile.
      }
    }
  }

  private void addRestarts(Series s) {
    if (restartQuery.isEmpty()) {
      restartQuery = s.query();
      restartLabels = s.labels();
    }
    if (restarts < 0) {
      restarts = 0;
    }
    // {time of the last sample, its value}; NaN time until the series' first sample
    double[] last = counters.computeIfAbsent(s.labels(), l -> new double[] {Double.NaN, 0});
    long[] t = s.epochMillis();
    double[] v = s.values();
    for (int i = 0; i < t.length; i++) {
      if (Double.isNaN(v[i]) || (!Double.isNaN(last[0]) && t[i] <= last[0])) {
        continue;
      }
      if (!Double.isNaN(last[0])) {
        double step = v[i] >= last[1] ? v[i] - last[1] : v[i];
        long n = Math.round(step);
        if (n > 0) {
          restarts += n;
          if (restartSteps.size() < MAX_SEGMENTS) {
            restartSteps.add(new RestartStep((long) last[0], t[i], v[i], n));
          }
        }
      }
      last[0] = t[i];
      last[1] = v[i];
    }
  }

  /**
   * Marks a kernel OOM kill of this workload: its time, when the log gave one (for the charts), and
   * what the kernel saw it hold, when the report says (the floor of a limit).
   */
  public void kill(Optional<Instant> time, OptionalLong heldBytes) {
    time.ifPresent(t -> kills.add(t.toEpochMilli()));
    if (heldBytes.isPresent()) {
      heldAtKill = Math.max(heldAtKill, heldBytes.getAsLong());
    }
  }

  private static double highest(double so, Series s) {
    for (double v : s.values()) {
      if (!Double.isNaN(v) && (Double.isNaN(so) || v > so)) {
        so = v;
      }
    }
    return so;
  }

  /** Marks the workload as a JVM: a kernel report showed a java process killed in it. */
  public void jvm() {
    jvm = true;
  }

  /** True when a kernel report showed a java process killed in this workload. */
  public boolean killedAsJava() {
    return jvm;
  }

  /** True when a kernel report showed a JVM killed in it, or it exports a JVM's own metrics. */
  public boolean isJvm() {
    return jvm || jvmMetrics().any();
  }

  /**
   * The highest of each JVM metric over the window, NaN where none came.
   *
   * @param classes loaded classes
   * @param threads live threads
   * @param directBytes bytes in direct buffers
   */
  public record JvmMetrics(double classes, double threads, double directBytes) {
    /** True when at least one of them came. */
    public boolean any() {
      return !Double.isNaN(classes) || !Double.isNaN(threads) || !Double.isNaN(directBytes);
    }
  }

  /** The JVM's own metrics, as the highest each reached. */
  public JvmMetrics jvmMetrics() {
    return new JvmMetrics(jvmClasses, jvmThreads, jvmDirect);
  }

  /** The most the kernel's OOM reports show this workload held when killed; empty if none. */
  public OptionalLong heldAtKillBytes() {
    return heldAtKill < 0 ? OptionalLong.empty() : OptionalLong.of(heldAtKill);
  }

  /** The container IDs (cAdvisor's {@code id} labels) of its lives; empty strings for none. */
  public java.util.Set<String> livesById() {
    return java.util.Collections.unmodifiableSet(segments.keySet());
  }

  private static void addAll(LogHistogram h, Series s) {
    for (double v : s.values()) {
      h.add(v);
    }
  }

  private void addWorkingSet(Series s) {
    if (s.size() == 0) {
      return;
    }
    if (query.isEmpty()) {
      query = s.query();
      Map<String, String> l = new TreeMap<>(s.labels());
      l.remove("id");
      l.remove("container_id");
      labels = Collections.unmodifiableMap(l);
    }
    String container = s.labels().getOrDefault("id", s.labels().getOrDefault("container_id", ""));
    long[] t = s.epochMillis();
    double[] v = s.values();
    if (chart == null) {
      chart = new Buckets(t[0], FIRST_WIDTH_MILLIS, CHART_BUCKETS);
    }
    Segment seg = segment(container, t[0]);
    for (int i = 0; i < t.length; i++) {
      double x = v[i];
      if (Double.isNaN(x)) {
        continue;
      }
      if (i > 0 && t[i] > t[i - 1]) {
        resolutionMillis = Math.min(resolutionMillis, t[i] - t[i - 1]);
      }
      samples++;
      workingSet.add(x);
      chart.add(t[i], x);
      firstMillis = Math.min(firstMillis, t[i]);
      lastMillis = Math.max(lastMillis, t[i]);
      if (!Double.isNaN(seg.previous) && t[i] > seg.previousMillis) {
        if (x <= seg.previous * 0.5) {
          falls++;
          if (container.isEmpty()) {
            seg = segment("#" + falls, t[i]);
          }
        } else if (x <= seg.previous * 0.85) {
          drops++;
        }
      }
      seg.buckets.add(t[i], x);
      seg.previous = x;
      seg.previousMillis = t[i];
    }
  }

  private Segment segment(String container, long origin) {
    Segment seg = segments.get(container);
    if (seg == null) {
      if (segments.size() >= MAX_SEGMENTS) {
        // A crash-looping container: its oldest lives say the least about its growth.
        segments.remove(segments.keySet().iterator().next());
      }
      seg = new Segment(origin);
      segments.put(container, seg);
    }
    return seg;
  }

  /** The query (or file) and labels of the working set, as a finding cites them. */
  public String query() {
    return query;
  }

  public Map<String, String> labels() {
    return labels;
  }

  /** Working-set samples counted. */
  public long samples() {
    return samples;
  }

  public Optional<Instant> from() {
    return samples == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(firstMillis));
  }

  public Optional<Instant> to() {
    return samples == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(lastMillis));
  }

  /** The working set's quantile {@code q}, to within 2%. */
  public double quantile(double q) {
    return workingSet.quantile(q);
  }

  /** The highest working set seen, exactly. */
  public double peak() {
    return workingSet.max();
  }

  /** The median anonymous memory and page cache; NaN when no such series came. */
  public double rssMedian() {
    return rss.quantile(0.5);
  }

  public double cacheMedian() {
    return cache.quantile(0.5);
  }

  /** The latest limit; empty when none came or it is 0 (no limit, as cAdvisor writes it). */
  public OptionalLong limitBytes() {
    return Double.isNaN(limit) || limit <= 0 || limit >= 1L << 60
        ? OptionalLong.empty()
        : OptionalLong.of((long) limit);
  }

  /** The latest request; empty when none came. */
  public OptionalLong requestBytes() {
    return Double.isNaN(request) || request <= 0
        ? OptionalLong.empty()
        : OptionalLong.of((long) request);
  }

  /** Container lives seen: restarts are one fewer. */
  public int lives() {
    return segments.size();
  }

  /**
   * Restarts in the window by kube-state-metrics' restart counter; empty when no counter came for
   * this workload.
   */
  public OptionalLong restarts() {
    return restarts < 0 ? OptionalLong.empty() : OptionalLong.of(restarts);
  }

  /** The restart counter's steps, in the order read (the first 4,096). */
  public List<RestartStep> restartSteps() {
    return Collections.unmodifiableList(restartSteps);
  }

  /** The query (or file) and labels of the first restart counter read, as a finding cites it. */
  public String restartQuery() {
    return restartQuery;
  }

  public Map<String, String> restartLabels() {
    return restartLabels;
  }

  /** Falls of 15% to 50% in one step (GC cycles, spikes ending). */
  public long drops() {
    return drops;
  }

  /** The kernel kills marked on this workload, in epoch milliseconds. */
  public List<Long> kills() {
    return List.copyOf(kills);
  }

  /**
   * The lowest value per bucket of every container life, for the trend. Lives told apart by no
   * container ID are split further at the restart counter's steps.
   */
  List<double[][]> minima() {
    List<double[][]> out = new ArrayList<>();
    List<RestartStep> cuts = restartCuts();
    for (Map.Entry<String, Segment> e : segments.entrySet()) {
      double[][] p = e.getValue().buckets.points();
      boolean idless = e.getKey().isEmpty() || e.getKey().startsWith("#");
      if (!idless || cuts.isEmpty()) {
        out.add(new double[][] {p[0], p[1]});
        continue;
      }
      // A bucket that overlaps a step (the restart happened somewhere in it) holds the end of one
      // life and the start of the next, and its lowest value is the new life's: it is left out.
      double width = e.getValue().buckets.widthMillis();
      int cut = 0;
      int from = 0;
      List<Integer> kept = new ArrayList<>();
      for (int i = 0; i < p[0].length; i++) {
        double bucketStart = p[0][i] * 1000 - width / 2;
        boolean restarted = false;
        while (cut < cuts.size() && cuts.get(cut).atMillis() < bucketStart) {
          restarted = true;
          cut++;
        }
        if (restarted && kept.size() > from) {
          out.add(pick(p, kept.subList(from, kept.size())));
          from = kept.size();
        }
        if (cut < cuts.size() && cuts.get(cut).afterMillis() < bucketStart + width) {
          continue;
        }
        kept.add(i);
      }
      if (kept.size() > from) {
        out.add(pick(p, kept.subList(from, kept.size())));
      }
    }
    return out;
  }

  /*
   * The restart counter's steps that end a life with no container ID, by time: all but those in
   * which a fall to half already began a life (the same restart, seen twice).
   */
  private List<RestartStep> restartCuts() {
    List<RestartStep> cuts = new ArrayList<>();
    for (RestartStep r : restartSteps) {
      boolean seen = false;
      for (Map.Entry<String, Segment> e : segments.entrySet()) {
        long first = e.getValue().firstMillis;
        seen |= e.getKey().startsWith("#") && first > r.afterMillis() && first <= r.atMillis();
      }
      if (!seen) {
        cuts.add(r);
      }
    }
    cuts.sort(java.util.Comparator.comparingLong(RestartStep::afterMillis));
    return cuts;
  }

  private static double[][] pick(double[][] p, List<Integer> at) {
    double[][] out = new double[2][at.size()];
    for (int k = 0; k < at.size(); k++) {
      out[0][k] = p[0][at.get(k)];
      out[1][k] = p[1][at.get(k)];
    }
    return out;
  }

  /**
   * The working set over the whole window, as {@code {mid-times in seconds}, {lowest}, {highest}}
   * per bucket: for charts and cited windows.
   */
  public double[][] chart() {
    return chart == null ? new double[3][0] : chart.points();
  }

  /** Days from the first working-set sample to the last (the VPA recommender's lifespan). */
  double lifespanDays() {
    return samples == 0 ? 0 : (lastMillis - firstMillis) / 86_400_000.0;
  }

  /**
   * Days of working set actually seen: each sample stands for one step of the finest spacing
   * between two, so gaps in the series do not count. The VPA recommender counts its samples, one a
   * minute, over 1440; this is the same measure at whatever resolution the series has.
   */
  double observedDays() {
    return samples < 2 || resolutionMillis == Long.MAX_VALUE
        ? 0
        : samples * resolutionMillis / 86_400_000.0;
  }

  /** The highest working set per day since the first sample (the VPA recommender's samples). */
  double[] dailyPeaks() {
    double[][] c = chart();
    if (c[0].length == 0) {
      return new double[0];
    }
    double start = c[0][0];
    int days = (int) ((c[0][c[0].length - 1] - start) / 86400) + 1;
    double[] peaks = new double[days];
    java.util.Arrays.fill(peaks, Double.NaN);
    for (int i = 0; i < c[0].length; i++) {
      int d = (int) ((c[0][i] - start) / 86400);
      peaks[d] = Double.isNaN(peaks[d]) ? c[2][i] : Math.max(peaks[d], c[2][i]);
    }
    return java.util.Arrays.stream(peaks).filter(p -> !Double.isNaN(p)).toArray();
  }

  /*
   * The lives' bucket minima are what the trend is fitted on and nothing else reads them; at 10,000
   * containers they are half of what the profiles hold (256 buckets a life, most containers
   * living more than once), so a reader that has handed over every series lets them go once the
   * shape is decided, before the findings and the sizes are made.
   */

  /**
   * Decides the shape and lets go of the lives' bucket minima, which only it needs: the reader has
   * added its last series, and adding another is an error. The chart, the quantiles, the lives' IDs
   * and everything else stay.
   */
  public MemoryShape seal() {
    MemoryShape s = shape();
    sealed = true;
    for (Segment seg : segments.values()) {
      seg.buckets = null;
    }
    return s;
  }

  /** What the memory did: the shape and the numbers behind it (computed once per change). */
  public MemoryShape shape() {
    if (shape == null) {
      shape = MemoryShape.of(this);
    }
    return shape;
  }
}
