package dev.oomlens.core.rules;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.core.host.KillerEvent;
import dev.oomlens.core.model.AllocFailure;
import dev.oomlens.core.model.OomReport;
import java.util.List;
import java.util.Optional;

/**
 * Everything the analyzers may look at, read once: the kernel's OOM reports grouped into
 * incidents, allocation failures, the machine's current state when it was read, and the records of
 * userspace killers.
 *
 * @param host empty when diagnosing saved logs without a host tree
 * @param exitedWithSigkill true when the user says a workload died of SIGKILL / exit 137 (used to
 *     tell a kernel OOM kill from a manual kill or eviction when no report exists)
 */
public record EvidenceSet(
    List<OomReport> reports,
    List<Incident> incidents,
    List<AllocFailure> allocFailures,
    Optional<HostSnapshot> host,
    List<KillerEvent> killers,
    boolean exitedWithSigkill) {
  public EvidenceSet {
    reports = List.copyOf(reports);
    incidents = List.copyOf(incidents);
    allocFailures = List.copyOf(allocFailures);
    requireNonNull(host, "host");
    killers = List.copyOf(killers);
  }
}
