package dev.oomlens.agent;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.host.KeyedValues;
import dev.oomlens.core.host.PressureStall;
import dev.oomlens.core.model.Citation;
import dev.oomlens.core.model.SeriesWindow;
import dev.oomlens.core.rules.RuleInfo;
import dev.oomlens.core.rules.Sizes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/*
 * The warning rules judge a live window of samples that only the agent holds, so they are not
 * analyzers of the one pipeline (which judges evidence a command reads): each is a pure function
 * from the window to the findings it holds now, and this class turns "holds now" into episodes.
 * A warning is raised once, when its condition first holds; it is cleared after the condition has
 * not held for CLEAR_AFTER samples in a row, so one sample on the other side of a threshold
 * neither clears it nor raises it again. doctor and history show warnings as recorded, rather than
 * judging downsampled history again with different numbers.
 */

/** The early-warning rules, and the episodes of the warnings they raise. */
public final class Warnings {
  /** Samples in a row without the condition after which a warning is cleared. */
  static final int CLEAR_AFTER = 2;

  /** Points a trend needs before it forecasts anything. */
  static final int MIN_POINTS = 6;

  public static final RuleInfo TIME_TO_LIMIT =
      RuleInfo.of(
          "TIME-TO-LIMIT",
          "a memory cgroup's usage rises steadily toward its limit: which, how fast, when it hits",
          Severity.HIGH,
          RuleInfo.Scope.WORKLOAD,
          Layer.APPLICATION,
          Layer.CONTAINER_LIMIT);
  public static final RuleInfo MEMORY_PRESSURE =
      RuleInfo.of(
          "MEMORY-PRESSURE",
          "the host stalls on memory (PSI full) above the limit for longer than the duration",
          Severity.HIGH,
          RuleInfo.Scope.HOST,
          Layer.NODE,
          Layer.KERNEL_SWAP);
  public static final RuleInfo SWAP_FILLING =
      RuleInfo.of(
          "SWAP-FILLING",
          "swap (zram included) is nearly full: the next burst has nowhere to go",
          Severity.MEDIUM,
          RuleInfo.Scope.HOST,
          Layer.NODE,
          Layer.KERNEL_SWAP);
  public static final RuleInfo LOW_MEMORY =
      RuleInfo.of(
          "LOW-MEMORY",
          "the host's available memory is falling toward the kernel's watermarks",
          Severity.HIGH,
          RuleInfo.Scope.HOST,
          Layer.NODE);
  public static final RuleInfo HIGH_THROTTLE =
      RuleInfo.of(
          "HIGH-THROTTLE",
          "a cgroup v2 workload is held at memory.high: throttled and reclaiming, not yet killed",
          Severity.MEDIUM,
          RuleInfo.Scope.WORKLOAD,
          Layer.CONTAINER_LIMIT,
          Layer.APPLICATION);

  /** Every warning rule, in the order of docs/rules.md. */
  public static final List<RuleInfo> RULES =
      List.of(TIME_TO_LIMIT, MEMORY_PRESSURE, SWAP_FILLING, LOW_MEMORY, HIGH_THROTTLE);

  /**
   * Where the warnings fire.
   *
   * @param horizon TIME-TO-LIMIT warns when the forecast is at most this far ahead
   * @param window how much usage history a trend is fitted on
   * @param pressurePercent PSI full avg10 at or above which the host is under pressure
   *     (systemd-oomd's ManagedOOMMemoryPressureLimit default, 60%)
   * @param pressureDuration how long the pressure must last (systemd-oomd's default, 30 s)
   * @param swapPercent swap use at or above which SWAP-FILLING fires
   * @param watermarkFactor LOW-MEMORY fires when MemAvailable is below this many times the zones'
   *     high watermarks
   */
  public record Thresholds(
      Duration horizon,
      Duration window,
      double pressurePercent,
      Duration pressureDuration,
      double swapPercent,
      double watermarkFactor) {
    public static final Thresholds DEFAULTS =
        new Thresholds(
            Duration.ofMinutes(30), Duration.ofMinutes(10), 60, Duration.ofSeconds(30), 90, 2);

    public Thresholds {
      requireNonNull(horizon, "horizon");
      requireNonNull(window, "window");
      requireNonNull(pressureDuration, "pressureDuration");
    }
  }

  /** A warning that holds now: its finding, the cgroup it is about, its forecast. */
  record Holding(Finding finding, Optional<String> cgroup, OptionalDouble timeToLimitSeconds) {
    String key() {
      return finding.code() + "\u0000" + cgroup.orElse("");
    }
  }

  private static final class Episode {
    final long id;
    int quiet;

    Episode(long id) {
      this.id = id;
    }
  }

  private final Thresholds thresholds;
  private final History history;
  private final Metrics metrics;
  private final Consumer<String> say;
  private final Map<String, Deque<Trend.Point>> usage = new HashMap<>();
  private final Map<String, Episode> raised = new LinkedHashMap<>();
  private final Map<String, Instant> lastStored = new HashMap<>();
  private final Map<String, Instant> pressureSince = new HashMap<>();

  Warnings(Thresholds thresholds, History history, Metrics metrics, Consumer<String> say) {
    this.thresholds = requireNonNull(thresholds, "thresholds");
    this.history = requireNonNull(history, "history");
    this.metrics = requireNonNull(metrics, "metrics");
    this.say = requireNonNull(say, "say");
  }

  /** Judges one sample: raises what newly holds, clears what stopped holding. */
  List<Holding> judge(Sampler.Sample s) {
    List<Holding> holding = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Sampler.CgroupSample c : s.cgroups()) {
      seen.add(c.path());
      Deque<Trend.Point> points = usage.computeIfAbsent(c.path(), k -> new ArrayDeque<>());
      double t = s.at().toEpochMilli() / 1000.0;
      points.addLast(new Trend.Point(t, c.usageBytes()));
      while (!points.isEmpty() && points.peekFirst().t() < t - thresholds.window().toSeconds()) {
        points.removeFirst();
      }
      timeToLimit(c, points, s.at()).ifPresent(holding::add);
      storeDownsampled(c, s.at());
    }
    // Cgroups that are gone take their windows with them.
    usage.keySet().retainAll(seen);
    lastStored.keySet().retainAll(seen);
    pressureSince.keySet().removeIf(k -> !k.isEmpty() && !seen.contains(k));
    pressure(s).ifPresent(holding::add);
    for (Sampler.CgroupSample c : s.cgroups()) {
      c.psi().flatMap(p -> pressure(Optional.of(c.path()), p, s.at())).ifPresent(holding::add);
    }
    swap(s).ifPresent(holding::add);
    lowMemory(s).ifPresent(holding::add);
    highThrottle(s, previousHigh).forEach(holding::add);
    previousHigh =
        s.cgroups().stream()
            .filter(c -> c.highEvents().isPresent())
            .collect(
                Collectors.toMap(
                    Sampler.CgroupSample::path, c -> c.highEvents().getAsLong(), (a, b) -> a));
    episodes(holding, s.at());
    return holding;
  }

  private Map<String, Long> previousHigh = Map.of();

  private void storeDownsampled(Sampler.CgroupSample c, Instant at) {
    Instant last = lastStored.get(c.path());
    if (last == null || !at.isBefore(last.plusSeconds(60))) {
      lastStored.put(c.path(), at);
      if (c.limitBytes() != Long.MAX_VALUE) {
        history.sample(c.path(), at, c.usageBytes(), c.limitBytes());
      }
    }
  }

  private void episodes(List<Holding> holding, Instant at) {
    Map<String, Holding> now = new LinkedHashMap<>();
    holding.forEach(h -> now.put(h.key(), h));
    for (Holding h : now.values()) {
      Episode e = raised.get(h.key());
      if (e != null) {
        e.quiet = 0;
      } else {
        long id =
            history.raiseWarning(
                new WarningRecord(
                    -1,
                    h.finding().code(),
                    h.cgroup(),
                    at,
                    Optional.empty(),
                    h.timeToLimitSeconds(),
                    h.finding().summary(),
                    evidence(h.finding())));
        raised.put(h.key(), new Episode(id));
        metrics.warnings.labelValues(h.finding().code()).inc();
        say.accept("warning " + h.finding().code() + ": " + h.finding().summary());
      }
      h.timeToLimitSeconds()
          .ifPresent(
              ttl -> h.cgroup().ifPresent(cg -> metrics.timeToLimit.labelValues(cg).set(ttl)));
    }
    for (var it = raised.entrySet().iterator(); it.hasNext(); ) {
      var entry = it.next();
      if (now.containsKey(entry.getKey())) {
        continue;
      }
      if (++entry.getValue().quiet >= CLEAR_AFTER) {
        history.clearWarning(entry.getValue().id, at);
        String[] key = entry.getKey().split("\u0000", -1);
        if (key[0].equals(TIME_TO_LIMIT.code()) && !key[1].isEmpty()) {
          metrics.timeToLimit.remove(key[1]);
        }
        say.accept("cleared " + key[0] + (key[1].isEmpty() ? "" : " of " + key[1]));
        it.remove();
      }
    }
  }

  private static String evidence(Finding f) {
    return f.evidence().stream().map(Citation::describe).collect(Collectors.joining("\n"));
  }

  /**
   * TIME-TO-LIMIT of one cgroup: a rising robust trend that reaches the limit within the horizon.
   */
  Optional<Holding> timeToLimit(Sampler.CgroupSample c, Deque<Trend.Point> window, Instant at) {
    if (c.limitBytes() == Long.MAX_VALUE || window.size() < MIN_POINTS) {
      return Optional.empty();
    }
    List<Trend.Point> points = List.copyOf(window);
    Trend trend = Trend.fit(points);
    if (trend == null || trend.slope() <= 0) {
      return Optional.empty();
    }
    double first = points.getFirst().t();
    double last = points.getLast().t();
    // A rise smaller than 2% of the limit over the window is noise, however steep it looks.
    if (trend.at(last) - trend.at(first) < 0.02 * c.limitBytes()) {
      return Optional.empty();
    }
    OptionalDouble ttl = trend.secondsUntil(last, c.limitBytes());
    if (ttl.isEmpty() || ttl.getAsDouble() > thresholds.horizon().toSeconds()) {
      return Optional.empty();
    }
    double seconds = ttl.getAsDouble();
    List<SeriesWindow.Sample> samples =
        points.stream()
            .map(p -> new SeriesWindow.Sample(Instant.ofEpochMilli((long) (p.t() * 1000)), p.y()))
            .toList();
    SeriesWindow series =
        new SeriesWindow(
            c.usageFile(),
            Map.of("cgroup", c.path()),
            samples.getFirst().time(),
            samples.getLast().time(),
            samples);
    String rate = Sizes.bytes((long) (trend.slope() * 60)) + "/min";
    String summary =
        c.path()
            + " grows "
            + rate
            + " and reaches its limit of "
            + Sizes.bytes(c.limitBytes())
            + " in about "
            + duration(seconds);
    String reasoning =
        "Usage "
            + Sizes.bytes(c.usageBytes())
            + " of "
            + Sizes.bytes(c.limitBytes())
            + "; a Theil-Sen trend over the last "
            + points.size()
            + " samples ("
            + duration(last - first)
            + ") rises "
            + rate
            + ", which a single GC or cache burst does"
            + " not bend. At that rate the limit is reached at "
            + Instant.ofEpochMilli((long) ((last + seconds) * 1000))
            + ".";
    Finding f =
        new Finding(
            TIME_TO_LIMIT.code(),
            TIME_TO_LIMIT.defaultSeverity(),
            points.size() >= 3 * MIN_POINTS ? Confidence.HIGH : Confidence.MEDIUM,
            summary,
            reasoning,
            List.of(series),
            List.of(
                new Fix(
                    Layer.APPLICATION,
                    "Find what grows in "
                        + c.path()
                        + " before it reaches the"
                        + " limit: a leak keeps growing after load falls",
                    Optional.empty()),
                new Fix(
                    Layer.CONTAINER_LIMIT,
                    "Raise the limit only if the growth is expected"
                        + " (a cache warming up, more work); otherwise the kill only moves later",
                    Optional.empty())));
    return Optional.of(new Holding(f, Optional.of(c.path()), OptionalDouble.of(seconds)));
  }

  /** MEMORY-PRESSURE of the host: PSI full avg10 at or above the limit for the whole duration. */
  Optional<Holding> pressure(Sampler.Sample s) {
    if (s.psi().isEmpty()) {
      pressureSince.remove("");
      return Optional.empty();
    }
    return pressure(Optional.empty(), s.psi().get(), s.at());
  }

  /**
   * MEMORY-PRESSURE of the host (no cgroup) or of one cgroup v2 (its memory.pressure), as
   * systemd-oomd judges a unit's.
   */
  Optional<Holding> pressure(Optional<String> cgroup, PressureStall psi, Instant at) {
    String key = cgroup.orElse("");
    if (psi.full().isEmpty() || psi.full().get().avg10() < thresholds.pressurePercent()) {
      pressureSince.remove(key);
      return Optional.empty();
    }
    PressureStall.Line full = psi.full().get();
    Instant since = pressureSince.computeIfAbsent(key, k -> at);
    Duration lasted = Duration.between(since, at);
    if (lasted.compareTo(thresholds.pressureDuration()) < 0) {
      return Optional.empty();
    }
    String who = cgroup.map(c -> "every task of " + c).orElse("every task of the host");
    Finding f =
        new Finding(
            MEMORY_PRESSURE.code(),
            MEMORY_PRESSURE.defaultSeverity(),
            Confidence.HIGH,
            who
                + " stalled on memory "
                + full.avg10()
                + "% of the last 10 s, above "
                + thresholds.pressurePercent()
                + "% for "
                + duration(lasted.toSeconds()),
            "PSI full means no task could run for lack of memory (reclaim, refaults, swap-in). At "
                + thresholds.pressurePercent()
                + "% for "
                + thresholds.pressureDuration().toSeconds()
                + " s systemd-oomd would kill; the kernel's OOM killer acts only once reclaim fails,"
                + " often minutes of thrashing later.",
            List.of(full.cite()),
            List.of(
                new Fix(
                    Layer.NODE,
                    cgroup.isPresent()
                        ? "Give "
                            + cgroup.get()
                            + " more memory or make its working set smaller; a kill"
                            + " is near"
                        : "Move or stop the workloads using the most memory on this host, or give it more"
                            + " memory; a kill is near",
                    Optional.empty())));
    return Optional.of(new Holding(f, cgroup, OptionalDouble.empty()));
  }

  /** SWAP-FILLING: swap (disk or zram) used at or above the threshold. */
  Optional<Holding> swap(Sampler.Sample s) {
    if (s.meminfo().isEmpty()) {
      return Optional.empty();
    }
    KeyedValues m = s.meminfo().get();
    OptionalLong total = m.get("SwapTotal");
    OptionalLong free = m.get("SwapFree");
    if (total.isEmpty() || free.isEmpty() || total.getAsLong() == 0) {
      return Optional.empty();
    }
    double usedPercent = 100.0 * (total.getAsLong() - free.getAsLong()) / total.getAsLong();
    if (usedPercent < thresholds.swapPercent()) {
      return Optional.empty();
    }
    List<Citation> cites = new ArrayList<>();
    m.cite("SwapTotal").ifPresent(cites::add);
    m.cite("SwapFree").ifPresent(cites::add);
    Finding f =
        new Finding(
            SWAP_FILLING.code(),
            SWAP_FILLING.defaultSeverity(),
            Confidence.HIGH,
            String.format(
                java.util.Locale.ROOT,
                "swap is %.0f%% full (%s free of %s)",
                usedPercent,
                Sizes.bytes(free.getAsLong() * 1024),
                Sizes.bytes(total.getAsLong() * 1024)),
            "With swap full, anonymous memory can no longer be pushed out: the next burst goes"
                + " straight to reclaim of page cache, then to the OOM killer.",
            cites,
            List.of(
                new Fix(
                    Layer.KERNEL_SWAP,
                    "Add swap or zram, or find what filled it"
                        + " (smem -s swap, or VmSwap in /proc/PID/status)",
                    Optional.empty())));
    return Optional.of(new Holding(f, Optional.empty(), OptionalDouble.empty()));
  }

  /** LOW-MEMORY: MemAvailable below a multiple of the zones' high watermarks. */
  Optional<Holding> lowMemory(Sampler.Sample s) {
    if (s.meminfo().isEmpty()
        || s.highWatermarkBytes().isEmpty()
        || s.highWatermarkBytes().getAsLong() == 0) {
      return Optional.empty();
    }
    OptionalLong available = s.meminfo().get().get("MemAvailable");
    if (available.isEmpty()) {
      return Optional.empty();
    }
    long availableBytes = available.getAsLong() * 1024;
    long high = s.highWatermarkBytes().getAsLong();
    if (availableBytes >= thresholds.watermarkFactor() * high) {
      return Optional.empty();
    }
    List<Citation> cites = new ArrayList<>();
    s.meminfo().get().cite("MemAvailable").ifPresent(cites::add);
    cites.add(
        new dev.oomlens.core.model.FileValue(
            "/proc/zoneinfo", "high (all zones)", Sizes.bytes(high), 0));
    Finding f =
        new Finding(
            LOW_MEMORY.code(),
            LOW_MEMORY.defaultSeverity(),
            Confidence.HIGH,
            "available memory "
                + Sizes.bytes(availableBytes)
                + " is within "
                + thresholds.watermarkFactor()
                + "x of the kernel's high watermarks ("
                + Sizes.bytes(high)
                + ")",
            "Below the watermarks kswapd reclaims, then allocations reclaim directly and stall;"
                + " once reclaim fails the OOM killer picks a victim on the whole host.",
            cites,
            List.of(
                new Fix(
                    Layer.NODE,
                    "Free memory on the host now (stop or move a"
                        + " workload), and reserve memory for the system (kubelet --system-reserved,"
                        + " --eviction-hard memory.available)",
                    Optional.empty())));
    return Optional.of(new Holding(f, Optional.empty(), OptionalDouble.empty()));
  }

  /** HIGH-THROTTLE: memory.events high climbing while usage sits at memory.high (v2). */
  List<Holding> highThrottle(Sampler.Sample s, Map<String, Long> before) {
    List<Holding> out = new ArrayList<>();
    for (Sampler.CgroupSample c : s.cgroups()) {
      if (c.highBytes().isEmpty() || c.highEvents().isEmpty() || !before.containsKey(c.path())) {
        continue;
      }
      long climbed = c.highEvents().getAsLong() - before.get(c.path());
      if (climbed <= 0 || c.usageBytes() < 0.95 * c.highBytes().getAsLong()) {
        continue;
      }
      Finding f =
          new Finding(
              HIGH_THROTTLE.code(),
              HIGH_THROTTLE.defaultSeverity(),
              Confidence.HIGH,
              c.path()
                  + " is held at memory.high ("
                  + Sizes.bytes(c.usageBytes())
                  + " of "
                  + Sizes.bytes(c.highBytes().getAsLong())
                  + "): throttled "
                  + climbed
                  + " times since the last sample",
              "Above memory.high the kernel makes the cgroup's tasks reclaim and sleeps them: the"
                  + " workload slows down instead of being killed, which looks like a hang.",
              List.of(
                  new dev.oomlens.core.model.FileValue(
                      c.usageFile().replace("memory.current", "memory.events"),
                      "high",
                      Long.toString(c.highEvents().getAsLong()),
                      0)),
              List.of(
                  new Fix(
                      Layer.CONTAINER_LIMIT,
                      "Raise memory.high (Kubernetes MemoryQoS sets"
                          + " it from the limit), or reduce the workload's memory",
                      Optional.empty())));
      out.add(new Holding(f, Optional.of(c.path()), OptionalDouble.empty()));
    }
    return out;
  }

  /** 95 s, 4 min 10 s, 2 h 5 min. */
  static String duration(double seconds) {
    long s = Math.round(seconds);
    if (s < 120) {
      return s + " s";
    }
    if (s < 7200) {
      return (s / 60) + " min" + (s % 60 == 0 ? "" : " " + (s % 60) + " s");
    }
    return (s / 3600) + " h " + (s % 3600 / 60) + " min";
  }
}
