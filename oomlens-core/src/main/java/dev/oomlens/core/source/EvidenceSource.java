package dev.oomlens.core.source;

import dev.oomlens.core.rules.EvidenceSet;

/**
 * One place evidence is read from: a saved kernel log, a live one, a host's /proc and /sys. Reading
 * never throws for what the source holds or fails to hold: every input it reads, read or not, is
 * recorded in the evidence with its problems, so a diagnosis can tell "nothing happened" from
 * "could not look".
 */
@FunctionalInterface
public interface EvidenceSource {
  /** Reads this source into {@code evidence}. */
  void readInto(EvidenceSet.Builder evidence);
}
