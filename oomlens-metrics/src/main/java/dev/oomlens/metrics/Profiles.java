package dev.oomlens.metrics;

import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.series.MemoryProfile;
import dev.oomlens.core.series.Series;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/*
 * Series are summed into their workload's profile as they arrive and never held. A source may feed
 * one Profiles from two threads (PrometheusMemory reads the working set on one and the coarse
 * queries on another): each stretch is added under the lock, which is taken once per stretch (up
 * to a day of samples), not per sample. Which thread adds first does not change a profile: its
 * histograms and buckets do not depend on the order, and the one field that does (the latest
 * limit, where two queries give one at the same time) is only fed by the coarse queries, in their
 * order.
 */

/** The profiles of one source's workloads, as their series arrive. */
final class Profiles implements Consumer<Series> {
  private final Map<MemoryProfile.Id, MemoryProfile> byId = new LinkedHashMap<>();
  private final String fallback;

  /**
   * @param fallback the name of a series whose labels name no workload (its file)
   */
  Profiles(String fallback) {
    this.fallback = fallback;
  }

  @Override
  public synchronized void accept(Series s) {
    MemoryProfile.Id id = MemoryProfile.Id.of(s.labels(), fallback);
    byId.computeIfAbsent(id, MemoryProfile::new).add(s);
  }

  /** Hands the profiles that hold a working set to the evidence. */
  synchronized int into(EvidenceSet.Builder evidence) {
    // Each shape's trend fit is the costliest step after reading, and the fleet's profiles are
    // independent: fitting them on every core shortens the wait once the last answer is in. Every
    // series has arrived: each profile is sealed, letting go of what only the fit needed.
    byId.values().parallelStream().filter(p -> p.samples() > 0).forEach(MemoryProfile::seal);
    int n = 0;
    for (MemoryProfile p : byId.values()) {
      if (p.samples() > 0) {
        evidence.memory(p);
        n++;
      }
    }
    return n;
  }
}
