package dev.oomlens.metrics;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.model.Input;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.series.Series;
import dev.oomlens.core.source.EvidenceSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/*
 * node_exporter's memory series, per host (its `instance` label; "max by (instance)" folds the
 * duplicates two scrape jobs of one host would give): available memory, RAM, swap size and free
 * swap as they are, and PSI memory some and full as the rate of their seconds counters over 5
 * minutes, a share of wall time. The step is at least a minute: the host rules look for a host
 * without swap over the window and for stalls of minutes, and a fleet's hosts at 30 s over a week
 * would only cost the server.
 *
 * As for the containers, a failed query makes the whole input unreadable (exit 3): a host read in
 * part could pass for a host without swap. A server without node_exporter answers every query
 * with no series, which is no host and no problem.
 */

/** Each host's memory over a window, from node_exporter's series on a Prometheus server. */
public final class PrometheusHosts implements EvidenceSource {
  static final Duration MIN_STEP = Duration.ofMinutes(1);

  private final PrometheusClient client;
  private final Instant from;
  private final Instant to;
  private final Duration step;

  public PrometheusHosts(PrometheusClient client, Instant from, Instant to, Duration step) {
    this.client = requireNonNull(client, "client");
    this.from = requireNonNull(from, "from");
    this.to = requireNonNull(to, "to");
    this.step = step.compareTo(MIN_STEP) < 0 ? MIN_STEP : step;
  }

  /** One query and the role of its series. */
  record Query(Series.Role role, String promql) {}

  /** The queries, in the order they are sent. */
  List<Query> queries() {
    String by = "max by (instance) ";
    return List.of(
        new Query(Series.Role.HOST_MEM_AVAILABLE, by + "(node_memory_MemAvailable_bytes)"),
        new Query(Series.Role.HOST_MEM_TOTAL, by + "(node_memory_MemTotal_bytes)"),
        new Query(Series.Role.HOST_SWAP_TOTAL, by + "(node_memory_SwapTotal_bytes)"),
        new Query(Series.Role.HOST_SWAP_FREE, by + "(node_memory_SwapFree_bytes)"),
        new Query(
            Series.Role.HOST_PSI_SOME,
            by + "(rate(node_pressure_memory_waiting_seconds_total[5m]))"),
        new Query(
            Series.Role.HOST_PSI_FULL,
            by + "(rate(node_pressure_memory_stalled_seconds_total[5m]))"));
  }

  /** How the input is named: the server, what is read and the window. */
  public String name() {
    return client.base() + " hosts " + from + ".." + to;
  }

  @Override
  public void readInto(EvidenceSet.Builder evidence) {
    Hosts hosts = new Hosts(client.base().getHost());
    long samples = 0;
    List<Problem> problems = new ArrayList<>();
    for (Query q : queries()) {
      try {
        samples += client.queryRange(q.promql(), from, to, step, l -> q.role(), hosts);
      } catch (PrometheusClient.QueryFailed e) {
        problems.add(new Problem(name(), 0, e.getMessage(), Problem.Kind.UNREADABLE));
        break;
      }
    }
    if (problems.isEmpty()) {
      hosts.into(evidence);
    }
    evidence.input(new Input(name(), Input.Kind.SERIES, samples, problems));
  }
}
