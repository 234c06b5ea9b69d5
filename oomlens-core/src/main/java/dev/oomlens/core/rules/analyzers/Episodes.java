package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.Incident;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The reports to judge together: those of each incident, then every report no incident holds on
 * its own, so an analyzer says a thing once per episode, not once per kill.
 */
final class Episodes {
  private Episodes() {}

  static List<List<OomReport>> of(EvidenceSet evidence) {
    List<List<OomReport>> out = new ArrayList<>();
    Set<OomReport> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Incident incident : evidence.incidents()) {
      out.add(incident.reports());
      seen.addAll(incident.reports());
    }
    for (OomReport r : evidence.reports()) {
      if (!seen.contains(r)) {
        out.add(List.of(r));
      }
    }
    return out;
  }
}
