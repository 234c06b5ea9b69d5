package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.Incident;
import dev.oomlens.core.rules.ReportFacts;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The reports to judge together: those of each incident, then every report no incident holds on its
 * own, so an analyzer says a thing once per episode, not once per kill.
 */
final class Episodes {
  private Episodes() {}

  static List<List<OomReport>> of(EvidenceSet evidence) {
    List<List<OomReport>> out = new ArrayList<>();
    Set<OomReport> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Incident incident : evidence.incidents()) {
      List<OomReport> real = shortages(incident.reports());
      if (!real.isEmpty()) {
        out.add(real);
      }
      seen.addAll(incident.reports());
    }
    for (OomReport r : shortages(evidence.reports())) {
      if (!seen.contains(r)) {
        out.add(List.of(r));
      }
    }
    return out;
  }

  /*
   * A kill forced through SysRq-f (or another order -1 OOM) says nothing about what the memory was
   * made of or how it grew: the kernel picks a victim whatever the memory state. SYSRQ-MANUAL owns
   * those reports; every cause analyzer looks past them.
   */
  /**
   * At most one finding per episode: the first of its reports that {@code judge} makes one of, so
   * an incident of several kills is said once.
   */
  static List<Finding> firstFindingPerEpisode(
      EvidenceSet evidence, Function<OomReport, Optional<Finding>> judge) {
    List<Finding> out = new ArrayList<>();
    for (List<OomReport> episode : of(evidence)) {
      for (OomReport r : episode) {
        Optional<Finding> f = judge.apply(r);
        if (f.isPresent()) {
          out.add(f.get());
          break;
        }
      }
    }
    return out;
  }

  /** The reports that record a real shortage: all but the forced ones. */
  static List<OomReport> shortages(List<OomReport> reports) {
    return reports.stream().filter(r -> !ReportFacts.isManual(r)).toList();
  }
}
