package dev.oomlens.core.rules;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.model.OomReport;
import java.util.List;
import java.util.Optional;

/**
 * OOM reports of the same memory cgroup (or of the same host, for global OOMs) close together in
 * time: one episode of running out, however many kills it took.
 *
 * @param id stable within one run: {@code host/cgroup#n}
 * @param cgroup the {@code oom_memcg} the reports share, or empty for host-wide OOMs
 * @param reports in input order
 */
public record Incident(
    String id, Optional<String> host, Optional<String> cgroup, List<OomReport> reports) {
  public Incident {
    requireNonNull(id, "id");
    requireNonNull(host, "host");
    requireNonNull(cgroup, "cgroup");
    reports = List.copyOf(reports);
    if (reports.isEmpty()) {
      throw new IllegalArgumentException("an incident holds at least one report");
    }
  }
}
