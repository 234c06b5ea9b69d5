package dev.oomlens.metrics;

import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.series.MemoryProfile;
import dev.oomlens.core.series.Series;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

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
  public void accept(Series s) {
    MemoryProfile.Id id = MemoryProfile.Id.of(s.labels(), fallback);
    byId.computeIfAbsent(id, MemoryProfile::new).add(s);
  }

  /** Hands the profiles that hold a working set to the evidence. */
  int into(EvidenceSet.Builder evidence) {
    // Each shape's trend fit is the costliest step after reading, and the fleet's profiles are
    // independent: fitting them on every core shortens the wait once the last answer is in.
    byId.values().parallelStream().filter(p -> p.samples() > 0).forEach(MemoryProfile::shape);
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
