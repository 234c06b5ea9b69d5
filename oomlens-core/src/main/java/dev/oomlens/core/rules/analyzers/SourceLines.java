package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.model.SourceLine;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;

/*
 * Every line a finding cites is the one the model recorded for the fact it states (MemcgState's
 * stat lines, HostMemory's counter lines, OomReport's fact lines ...): nothing searches a report's
 * text for them. What remains here has no counterpart in the model because it is not about the
 * report at all: putting the cited lines in order, once each.
 */

/** Helpers for the lines a finding cites. */
final class SourceLines {
  private SourceLines() {}

  /** Lines in the order given, each once (a joined rsyslog line may carry several counters). */
  static List<SourceLine> distinct(Collection<SourceLine> lines) {
    return List.copyOf(new LinkedHashSet<>(lines));
  }
}
