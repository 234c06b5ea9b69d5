package dev.oomlens.core.diagnosis;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.rules.Incident;
import java.util.List;
import java.util.Optional;

/**
 * One incident as the ladder tells it: its rank among the run's incidents, where the memory ran
 * out, how many kills, the findings about it and the fixes for it (each fix once, from the most
 * severe finding that proposes it).
 *
 * @param rank 1 for the incident that matters most (severity, then recency, then repetition)
 * @param where {@link Place#words} of its report that shows the most
 * @param severity of its most severe finding; {@link Severity#INFO} when no rule fired
 */
public record IncidentDiagnosis(
    int rank,
    Incident incident,
    String where,
    long kills,
    Severity severity,
    List<Finding> findings,
    List<Fix> fixes) {
  public IncidentDiagnosis {
    requireNonNull(incident, "incident");
    requireNonNull(where, "where");
    requireNonNull(severity, "severity");
    findings = List.copyOf(findings);
    fixes = List.copyOf(fixes);
  }

  /** The report that shows the most: the first with a memcg block, else the first. */
  public OomReport representative() {
    return representative(incident);
  }

  /** The memory cgroup whose limit was hit, when the incident is a cgroup's. */
  public Optional<String> cgroup() {
    return incident.cgroup().or(() -> Place.cgroup(representative()));
  }

  /** {@code #1}: how the text names the incident. */
  public String label() {
    return "#" + rank;
  }

  static OomReport representative(Incident incident) {
    return incident.reports().stream()
        .filter(r -> r.memcg().isPresent())
        .findFirst()
        .orElse(incident.reports().getFirst());
  }
}
