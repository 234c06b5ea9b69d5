package dev.oomlens.core.series;

import dev.oomlens.core.calc.JvmBudget;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/*
 * Our sizes follow seed 004: the request at the steady p95, the limit at 1.5x the observed peak
 * (2x for a spiky workload, whose largest spike is likely not yet seen), the peak being what the
 * kernel's OOM report shows the workload held when it was killed when that is more (the peak a
 * scrape every 30 s misses), and for a leak no bigger limit at all: it only moves the kill (the LEAK finding says by
 * how much). Page cache is charged but reclaimable, so a cache-heavy workload is sized on its
 * anonymous memory when that is known.
 *
 * Beside ours, the same data through the VPA recommender's method (P90 of daily peaks x 1.15, at
 * least 250 MiB) and KRR's simple strategy (peak x 1.15 for request and limit, at least 100 MB),
 * as their sources give them (kubernetes/autoscaler logic/recommender.go, robusta-dev/krr
 * strategies/simple.py); neither looks at the shape.
 */

/** Requests and limits from a memory profile: ours, the VPA recommender's, KRR's. */
public final class Sizing {
  private static final long MIB = 1L << 20;
  static final double LIMIT_FACTOR = 1.5;
  static final double SPIKE_LIMIT_FACTOR = 2.0;
  static final double VPA_MARGIN = 1.15;
  static final long VPA_FLOOR = 250 * MIB;
  static final double VPA_LOWER_MULTIPLIER = 0.001;
  static final double KRR_BUFFER = 1.15;
  static final long KRR_FLOOR = 100_000_000L;

  private Sizing() {}

  /**
   * A request and a limit, rounded up to whole MiB; either may be empty (a leak gets no limit).
   *
   * @param why how it was arrived at, in words with the numbers
   */
  public record Recommendation(OptionalLong requestBytes, OptionalLong limitBytes, String why) {}

  /** The three answers for one workload, and its shape. */
  public record SizePlan(
      MemoryProfile.Id id,
      MemoryShape shape,
      Recommendation ours,
      Recommendation vpa,
      Recommendation krr,
      OptionalLong heldAtKillBytes,
      int kills,
      java.util.Optional<JvmPlan> jvm,
      VpaBounds vpaBounds) {}

  /** What tells a JVM container's flags: its own metrics, or only a kernel report. */
  public enum JvmBasis {
    /** Its loaded classes (and threads, direct buffers when they came) from its metrics. */
    METRICS,
    /** A kernel report showed a java process killed in it; nothing measured of the JVM. */
    KERNEL_REPORT;

    public String jsonName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Heap flags for a JVM container at the limit ours proposes.
   *
   * @param budget the calculator's budget at that limit; empty when no class count came
   * @param flags the flags to give the JVM; empty when the budget leaves no heap
   * @param measured the inputs its metrics gave, in words
   * @param defaults the inputs that are the calculator's defaults, in words
   * @param summary the flags (or why none fit) with the arithmetic, in one line
   */
  public record JvmPlan(
      JvmBasis basis,
      java.util.Optional<JvmBudget> budget,
      List<String> flags,
      List<String> measured,
      List<String> defaults,
      String summary) {
    public JvmPlan {
      flags = List.copyOf(flags);
      measured = List.copyOf(measured);
      defaults = List.copyOf(defaults);
    }
  }

  /**
   * The range the VPA recommender keeps a request in (its updater evicts a pod whose request is
   * outside it), widened while it has seen little.
   *
   * @param upperBytes empty when it has seen nothing yet: the bound is then unlimited
   * @param confidenceDays the smaller of the days the workload has lived and the days it was seen
   */
  public record VpaBounds(
      OptionalLong lowerBytes, OptionalLong upperBytes, double confidenceDays) {}

  /** Sizes one workload on the larger of its scraped peak and what the kernel saw it hold. */
  public static SizePlan of(MemoryProfile p) {
    return of(p, p.heldAtKillBytes());
  }

  /**
   * Sizes one workload.
   *
   * @param heldAtKill the most the kernel's OOM reports show it held when killed, when known
   */
  public static SizePlan of(MemoryProfile p, OptionalLong heldAtKill) {
    MemoryShape s = p.shape();
    Recommendation ours = ours(s, heldAtKill);
    return new SizePlan(
        p.id(),
        s,
        ours,
        vpa(p),
        krr(s),
        heldAtKill,
        p.kills().size(),
        p.isJvm()
            ? ours.limitBytes().stream()
                .mapToObj(l -> jvm(l, p.jvmMetrics(), p.killedAsJava()))
                .findFirst()
            : java.util.Optional.empty(),
        vpaBounds(p.dailyPeaks(), Math.min(p.lifespanDays(), p.observedDays())));
  }

  /*
   * With its loaded classes measured, a JVM's flags come from the java-buildpack memory calculator
   * (JvmBudget, as `oomlens jvm` budgets): metaspace from the class count, the threads' stacks, the
   * code cache and direct memory set aside, the heap gets the rest of the proposed limit, as
   * MaxRAMPercentage (it follows a later change of the limit; `oomlens jvm` gives it first too).
   * The highest class and thread counts of the window are taken as they are: the calculator's
   * formula already adds 14 MB to the classes, and a stack is reserved, not touched. Direct memory
   * is a hard cap (a JVM that reaches it throws), so it gets 1.5x the most its buffers used, the
   * margin the limit has over the peak, and never less than the calculator's 10 MiB. What was not
   * measured is the calculator's default, and said so.
   *
   * Without a class count nothing can be budgeted: a JVM the kernel killed gets
   * MaxRAMPercentage=75, which leaves a quarter of the limit to everything but the heap.
   */
  static JvmPlan jvm(long limit, MemoryProfile.JvmMetrics m, boolean killedAsJava) {
    if (Double.isNaN(m.classes())) {
      String why =
          m.any()
              ? "its JVM metrics give no loaded-class count, so metaspace cannot be budgeted"
              : "a kernel report showed java killed; no JVM metrics came";
      return new JvmPlan(
          m.any() ? JvmBasis.METRICS : JvmBasis.KERNEL_REPORT,
          java.util.Optional.empty(),
          List.of("-XX:MaxRAMPercentage=75.0"),
          List.of(),
          List.of("the heap at 75% of the limit"),
          "-XX:MaxRAMPercentage=75.0   # "
              + why
              + ": heap up to "
              + mib((long) (limit * 0.75))
              + " of the "
              + mib(limit)
              + " limit; check the rest with oomlens jvm --limit "
              + Math.ceilDiv(limit, MIB)
              + "Mi --classes N");
    }
    List<String> measured = new java.util.ArrayList<>();
    List<String> defaults = new java.util.ArrayList<>();
    long classes = (long) Math.ceil(m.classes());
    measured.add(classes + " loaded classes");
    int threads = JvmBudget.DEFAULT_THREAD_COUNT;
    if (Double.isNaN(m.threads())) {
      defaults.add(threads + " threads");
    } else {
      threads = (int) Math.min(Integer.MAX_VALUE, (long) Math.ceil(m.threads()));
      measured.add(threads + " threads");
    }
    long direct = JvmBudget.DEFAULT_DIRECT_BYTES;
    if (Double.isNaN(m.directBytes())) {
      defaults.add("direct memory " + mib(direct));
    } else {
      direct = Math.max(direct, ceilMib((long) Math.ceil(m.directBytes() * LIMIT_FACTOR)));
      measured.add("direct buffers up to " + mib((long) Math.ceil(m.directBytes())));
    }
    defaults.add("code cache " + mib(JvmBudget.DEFAULT_CODE_CACHE_BYTES));
    defaults.add("stacks of " + mib(JvmBudget.DEFAULT_STACK_BYTES));
    JvmBudget b =
        JvmBudget.calculate(
            limit,
            new JvmBudget.Regions(
                0,
                direct,
                JvmBudget.metaspaceForClasses(classes),
                JvmBudget.DEFAULT_CODE_CACHE_BYTES,
                JvmBudget.DEFAULT_STACK_BYTES,
                threads));
    String regions =
        "metaspace "
            + mib(b.metaspaceBytes())
            + " + code cache "
            + mib(b.codeCacheBytes())
            + " + stacks "
            + mib(b.stackBytes())
            + " x "
            + threads
            + " + direct "
            + mib(b.directBytes())
            + " = "
            + mib(b.overheadBytes());
    String inputs =
        "measured: " + String.join(", ", measured) + "; defaults: " + String.join(", ", defaults);
    if (!b.fits()) {
      return new JvmPlan(
          JvmBasis.METRICS,
          java.util.Optional.of(b),
          List.of(),
          measured,
          defaults,
          "no heap flags fit: "
              + regions
              + " besides the heap, "
              + (b.heapBytes() == 0 ? "all of" : "more than")
              + " the "
              + mib(limit)
              + " limit; fewer threads, a smaller code cache or a larger limit ("
              + inputs
              + ")");
    }
    List<String> flags = b.flags();
    return new JvmPlan(
        JvmBasis.METRICS,
        java.util.Optional.of(b),
        flags,
        measured,
        defaults,
        String.join(" ", flags)
            + "   # heap "
            + mib(b.heapBytes())
            + " ("
            + b.xmxFlag()
            + ") of the "
            + mib(limit)
            + " limit after "
            + regions
            + " ("
            + inputs
            + ")");
  }

  static Recommendation ours(MemoryShape s, OptionalLong heldAtKill) {
    if (s.shape() == MemoryShape.Shape.UNKNOWN) {
      return new Recommendation(
          OptionalLong.empty(),
          OptionalLong.empty(),
          "too little data ("
              + s.samples()
              + " samples over "
              + s.span().toMinutes()
              + " min) to size");
    }
    long request = ceilMib(s.p95Bytes());
    if (s.shape() == MemoryShape.Shape.LEAK) {
      return new Recommendation(
          OptionalLong.of(request),
          s.limitBytes(),
          "a leak: the limit stays as it is, a bigger one only delays the kill; request at p95 "
              + mib(request));
    }
    double factor = s.shape() == MemoryShape.Shape.SPIKE ? SPIKE_LIMIT_FACTOR : LIMIT_FACTOR;
    long base = s.peakBytes();
    String basis = "peak " + mib(base);
    if (heldAtKill.isPresent() && heldAtKill.getAsLong() > base) {
      // The kernel saw more than any scrape: that is the observed peak (as LimitPolicy takes it
      // for the MEMCG-LIMIT and TIGHT-LIMIT fixes, so both say one number at 1.5x).
      base = heldAtKill.getAsLong();
      basis =
          mib(base)
              + " the kernel saw it hold when it killed it (scrapes saw "
              + mib(s.peakBytes())
              + ")";
    }
    if (s.shape() == MemoryShape.Shape.CACHE && !Double.isNaN(s.rssMedianBytes())) {
      request = ceilMib((long) s.rssMedianBytes());
    }
    long limit = ceilMib((long) (base * factor));
    String why =
        String.format(
            Locale.ROOT,
            "request at %s %s, limit %.1fx the %s",
            s.shape() == MemoryShape.Shape.CACHE ? "the median rss" : "p95",
            mib(request),
            factor,
            basis);
    if (s.shape() == MemoryShape.Shape.CACHE) {
      why =
          "mostly page cache (median cache "
              + mib((long) s.cacheMedianBytes())
              + " over rss "
              + mib((long) s.rssMedianBytes())
              + "), "
              + why;
    }
    request = Math.min(request, limit);
    return new Recommendation(OptionalLong.of(request), OptionalLong.of(limit), why);
  }

  static Recommendation vpa(MemoryProfile p) {
    double[] peaks = p.dailyPeaks();
    if (peaks.length == 0) {
      return new Recommendation(OptionalLong.empty(), OptionalLong.empty(), "no samples");
    }
    Arrays.sort(peaks);
    double p90 = percentile(peaks, 0.9);
    long target = Math.max(ceilMib((long) (p90 * VPA_MARGIN)), VPA_FLOOR);
    return new Recommendation(
        OptionalLong.of(target),
        OptionalLong.empty(),
        String.format(
            Locale.ROOT,
            "P90 of %d daily peaks %s x 1.15, at least 250 MiB; the limit "
                + "keeps its ratio to the request",
            peaks.length,
            mib((long) p90)));
  }

  /*
   * The VPA recommender's bounds (kubernetes/autoscaler vertical-pod-autoscaler
   * pkg/recommender/logic/recommender.go and estimator.go): P50 and P95 of the daily peaks with the
   * same 15% margin as the target, scaled by its confidence, the smaller of the days the
   * container has lived and its sample count over 1440 (a sample a minute):
   *
   *   lower = P50 x 1.15 x (1 + 0.001 / confidence)^-2     upper = P95 x 1.15 x (1 + 1 / confidence)
   *
   * each at least the 250 MiB floor. The upper bound is 3x at half a day, 2x at one day and 1.14x
   * at a week: a young workload's range is wide, so the VPA updater leaves most requests alone.
   */
  static VpaBounds vpaBounds(double[] dailyPeaks, double confidenceDays) {
    if (dailyPeaks.length == 0) {
      return new VpaBounds(OptionalLong.empty(), OptionalLong.empty(), 0);
    }
    double[] peaks = dailyPeaks.clone();
    Arrays.sort(peaks);
    double c = Math.max(0, confidenceDays);
    double lowerScale = c == 0 ? 0 : Math.pow(1 + VPA_LOWER_MULTIPLIER / c, -2);
    long lower =
        Math.max(ceilMib((long) (percentile(peaks, 0.5) * VPA_MARGIN * lowerScale)), VPA_FLOOR);
    OptionalLong upper =
        c == 0
            ? OptionalLong.empty()
            : OptionalLong.of(
                Math.max(
                    ceilMib((long) (percentile(peaks, 0.95) * VPA_MARGIN * (1 + 1 / c))),
                    VPA_FLOOR));
    return new VpaBounds(OptionalLong.of(lower), upper, c);
  }

  /** The nearest-rank percentile of sorted values. */
  private static double percentile(double[] sorted, double q) {
    return sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)];
  }

  static Recommendation krr(MemoryShape s) {
    if (s.samples() == 0) {
      return new Recommendation(OptionalLong.empty(), OptionalLong.empty(), "no samples");
    }
    long v = Math.max(ceilMib((long) (s.peakBytes() * KRR_BUFFER)), ceilMib(KRR_FLOOR));
    return new Recommendation(
        OptionalLong.of(v),
        OptionalLong.of(v),
        "peak " + mib(s.peakBytes()) + " x 1.15 for request and limit, at least 100 MB");
  }

  /** Why ours differs from the other two, in one sentence per shape. */
  public static String whyOursDiffers(MemoryShape s) {
    return switch (s.shape()) {
      case LEAK ->
          "VPA and KRR raise the request and limit with the leak's growth, so each kill "
              + "comes later and the leak stays; oomlens keeps the limit and reports the leak";
      case SPIKE ->
          "VPA samples one peak a day at P90 and KRR adds 15% to the peak seen: both "
              + "leave a spike a little larger than the last one no room; oomlens leaves 2x the peak";
      case CACHE ->
          "VPA and KRR size on the working set, which holds active page cache the "
              + "kernel can reclaim; oomlens requests the anonymous memory";
      case SAWTOOTH, NEAR_LIMIT, STEADY ->
          "KRR sets request = limit at peak + 15% (no headroom "
              + "for a peak above the last); VPA sizes the request only; oomlens requests p95 and "
              + "limits at 1.5x the peak";
      case OVERSIZED -> "all three shrink it; oomlens keeps 1.5x the peak as the limit";
      case UNKNOWN -> "no one can size from so little";
    };
  }

  static long ceilMib(long bytes) {
    return Math.ceilDiv(Math.max(bytes, 1), MIB) * MIB;
  }

  static String mib(long bytes) {
    return bytes >= 1L << 30 && bytes % (1L << 30) == 0
        ? (bytes >> 30) + " GiB"
        : String.format(Locale.ROOT, "%.0f MiB", bytes / (double) MIB);
  }
}
