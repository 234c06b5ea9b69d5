package dev.oomlens.core.series;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;

/*
 * The shape of a workload's working set, decided in this order (the first that holds wins, since a
 * leak is a leak whatever else it does):
 *
 *   leak       the lowest value of each time bucket rises steadily inside each container life
 *              (Theil-Sen over bucket minima, 80% of pairs rising) by 20% of the median or 16 MiB
 *              over the window: growth that GC cycles and restarts do not undo (seed 004 A)
 *   cache      page cache (container_memory_cache) above anonymous memory (container_memory_rss)
 *              at the median: most of what is charged is reclaimable cache (seed 004 D)
 *   spike      the peak 30% or more above the p95: rare transient peaks (seed 004 B)
 *   sawtooth   8 or more falls of 15-50% in one step, and p5 at least 20% under p95: GC cycles
 *   near-limit p95 at 85% of the limit or more, steady: no room for the next peak
 *   oversized  peak at a third of the limit or less (or p95 at a third of the request or less)
 *   steady     none of these
 *
 * Half an hour of samples or fewer than 20 is too little to say anything: `unknown`.
 */

/**
 * What a workload's memory did over a window: its {@link Shape}, and the numbers it was decided on.
 *
 * @param slopeBytesPerHour the robust trend of the bucket minima (NaN without two buckets)
 * @param risingShare the share of bucket pairs that rise (0.5 for noise, 1 for steady growth)
 * @param restarts restarts in the window by kube-state-metrics' counter; empty without one
 */
public record MemoryShape(
    Shape shape,
    long p5Bytes,
    long p50Bytes,
    long p95Bytes,
    long peakBytes,
    OptionalLong limitBytes,
    OptionalLong requestBytes,
    double slopeBytesPerHour,
    double risingShare,
    int lives,
    OptionalLong restarts,
    long drops,
    double rssMedianBytes,
    double cacheMedianBytes,
    Instant from,
    Instant to,
    long samples) {
  static final double LEAK_RISING = 0.8;
  static final double LEAK_GROWTH = 0.2;
  static final long LEAK_MIN_BYTES = 16L << 20;
  static final double SPIKE_RATIO = 1.3;
  static final int SAWTOOTH_DROPS = 8;
  static final double NEAR_LIMIT = 0.85;
  static final double OVERSIZED = 1 / 3.0;

  /** The shapes, in the order they are tested. */
  public enum Shape {
    LEAK,
    CACHE,
    SPIKE,
    SAWTOOTH,
    NEAR_LIMIT,
    OVERSIZED,
    STEADY,
    UNKNOWN;

    /** As printed and in JSON: {@code near-limit}. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  /** The window the shape was decided on. */
  public Duration span() {
    return Duration.between(from, to);
  }

  /** Hours until the limit at the present growth, from the present low level; NaN if none. */
  public double hoursTo(long limit) {
    return slopeBytesPerHour > 0 ? limit / slopeBytesPerHour : Double.NaN;
  }

  static MemoryShape of(MemoryProfile p) {
    Instant from = p.from().orElse(Instant.EPOCH);
    Instant to = p.to().orElse(Instant.EPOCH);
    TheilSen.Fit fit = TheilSen.fit(p.minima());
    long p5 = (long) p.quantile(0.05);
    long p50 = (long) p.quantile(0.5);
    long p95 = (long) p.quantile(0.95);
    long peak = (long) p.peak();
    double hours = Duration.between(from, to).toMillis() / 3_600_000.0;
    double slope = fit.slopePerSecond() * 3600;
    Shape shape;
    if (p.samples() < 20 || hours < 0.5) {
      shape = Shape.UNKNOWN;
    } else if (fit.pairs() >= 10
        && fit.risingShare() >= LEAK_RISING
        && slope * hours >= Math.max(LEAK_GROWTH * p50, LEAK_MIN_BYTES)) {
      shape = Shape.LEAK;
    } else if (!Double.isNaN(p.cacheMedian())
        && !Double.isNaN(p.rssMedian())
        && p.cacheMedian() > p.rssMedian()) {
      shape = Shape.CACHE;
    } else if (peak >= SPIKE_RATIO * p95) {
      shape = Shape.SPIKE;
    } else if (p.drops() >= SAWTOOTH_DROPS && p5 <= 0.8 * p95) {
      shape = Shape.SAWTOOTH;
    } else if (p.limitBytes().isPresent() && p95 >= NEAR_LIMIT * p.limitBytes().getAsLong()) {
      shape = Shape.NEAR_LIMIT;
    } else if ((p.limitBytes().isPresent() && peak <= OVERSIZED * p.limitBytes().getAsLong())
        || (p.requestBytes().isPresent() && p95 <= OVERSIZED * p.requestBytes().getAsLong())) {
      shape = Shape.OVERSIZED;
    } else {
      shape = Shape.STEADY;
    }
    return new MemoryShape(
        shape,
        p5,
        p50,
        p95,
        peak,
        p.limitBytes(),
        p.requestBytes(),
        slope,
        fit.risingShare(),
        p.lives(),
        p.restarts(),
        p.drops(),
        p.rssMedian(),
        p.cacheMedian(),
        from,
        to,
        p.samples());
  }
}
