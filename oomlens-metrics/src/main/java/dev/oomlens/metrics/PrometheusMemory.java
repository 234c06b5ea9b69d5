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
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/*
 * What is asked of Prometheus, and at which resolution. The working set is what the limit meets
 * and what tells a leak from a spike, so it comes at full resolution (`step`). The rest only
 * needs its level: RSS and page cache as the highest value per 21-minute bucket, the limit and the
 * request at the same step; kube-state-metrics' limit stands in where cAdvisor has none; its restart
 * counter's value at the same step. Containers are cAdvisor's (container!="", not the pause container
 * "POD"); --namespace narrows every query. A JVM's own metrics, where an exporter gives them
 * (the JMX exporter, Micrometer, OpenTelemetry), come the same way, the highest of each 21
 * minutes: loaded classes, live threads and the direct buffers' bytes, one query each whatever
 * the exporter, so that a container with none costs nothing; they budget its heap flags
 * (Sizing.jvm).
 *
 * A failed query makes the whole input unreadable (exit 3): a profile with its limit missing would
 * be sized wrong, and a diagnosis must not take "not read" for "absent".
 */

/** Each container's memory over a window, from a Prometheus-compatible server. */
public final class PrometheusMemory implements EvidenceSource {
  static final Duration COARSE = Duration.ofMinutes(21);

  /*
   * The working set is asked for a day at a time, not in Prometheus's largest chunks (11,000
   * points, almost four days at 30 s): Prometheus builds a whole answer in memory before writing
   * it, and the next chunk is evaluated while one is read. With four-day chunks, 2,000 containers
   * x 7 days took the server to 7.3 GB RSS and 28 s of CPU, mostly its garbage collector; with
   * day-long ones, 2.4 GB and 11 to 15 s, and the same samples arrive (docs/benchmarks.md).
   */
  static final Duration WORKING_SET_CHUNK = Duration.ofDays(1);
  private final PrometheusClient client;
  private final Instant from;
  private final Instant to;
  private final Duration step;
  private final Optional<String> namespace;

  public PrometheusMemory(
      PrometheusClient client,
      Instant from,
      Instant to,
      Duration step,
      Optional<String> namespace) {
    this.client = requireNonNull(client, "client");
    this.from = requireNonNull(from, "from");
    this.to = requireNonNull(to, "to");
    this.step = requireNonNull(step, "step");
    this.namespace = requireNonNull(namespace, "namespace");
  }

  /** The queries and the role of what each returns, in the order they are sent. */
  List<Query> queries() {
    String sel =
        "container!=\"\",container!=\"POD\""
            + namespace
                .map(n -> ",namespace=\"" + n.replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
                .orElse("");
    String by = " by (namespace,pod,container)";
    String coarse = "[" + COARSE.toMinutes() + "m]";
    return List.of(
        new Query(Series.Role.WORKING_SET, "container_memory_working_set_bytes{" + sel + "}", step),
        new Query(
            Series.Role.RSS,
            "max" + by + " (max_over_time(container_memory_rss{" + sel + "}" + coarse + "))",
            COARSE),
        new Query(
            Series.Role.CACHE,
            "max" + by + " (max_over_time(container_memory_cache{" + sel + "}" + coarse + "))",
            COARSE),
        new Query(
            Series.Role.LIMIT,
            "max" + by + " (container_spec_memory_limit_bytes{" + sel + "})",
            COARSE),
        // kube-state-metrics' limit, for where cAdvisor reports none (0 means none to it)
        new Query(
            Series.Role.LIMIT,
            "max"
                + by
                + " (kube_pod_container_resource_limits{"
                + sel
                + ",resource=\"memory\"}) unless on (namespace,pod,container)"
                + " (container_spec_memory_limit_bytes{"
                + sel
                + "} > 0)",
            COARSE),
        new Query(
            Series.Role.REQUEST,
            "max" + by + " (kube_pod_container_resource_requests{" + sel + ",resource=\"memory\"})",
            COARSE),
        // The counter's value at each step: MemoryProfile counts its steps, a fall as a reset.
        // max, not sum: two kube-state-metrics replicas report the same container twice.
        new Query(
            Series.Role.RESTARTS,
            "max" + by + " (kube_pod_container_status_restarts_total{" + sel + "})",
            COARSE),
        new Query(
            Series.Role.JVM_CLASSES,
            "max"
                + by
                + " (max_over_time({__name__=~\""
                + String.join("|", JVM_CLASSES)
                + "\","
                + sel
                + "}"
                + coarse
                + "))",
            COARSE),
        // OpenTelemetry's count is split by thread state and daemon: summed (at each step), it is
        // the live ones.
        new Query(
            Series.Role.JVM_THREADS,
            "max"
                + by
                + " (max_over_time({__name__=~\"jvm_threads_current|jvm_threads_live_threads\","
                + sel
                + "}"
                + coarse
                + ")) or sum"
                + by
                + " (jvm_thread_count{"
                + sel
                + "})",
            COARSE),
        new Query(
            Series.Role.JVM_DIRECT,
            "max"
                + by
                + " (max_over_time(jvm_buffer_pool_used_bytes{"
                + sel
                + ",pool=\"direct\"}"
                + coarse
                + ") or max_over_time(jvm_buffer_memory_used_bytes{"
                + sel
                + ",id=\"direct\"}"
                + coarse
                + ") or max_over_time(jvm_buffer_memory_used_bytes{"
                + sel
                + ",jvm_buffer_pool_name=\"direct\"}"
                + coarse
                + "))",
            COARSE));
  }

  /**
   * The loaded-class gauges of the JMX exporter (client_java 1.x, and simpleclient_hotspot's older
   * name), Micrometer and OpenTelemetry, by their names in Prometheus.
   */
  static final List<String> JVM_CLASSES =
      List.of(
          "jvm_classes_currently_loaded",
          "jvm_classes_loaded",
          "jvm_classes_loaded_classes",
          "jvm_class_count");

  /** One query and the role of its series. */
  record Query(Series.Role role, String promql, Duration step) {}

  /** How the input is named: the server and the window. */
  public String name() {
    return client.base() + " " + from + ".." + to;
  }

  @Override
  public void readInto(EvidenceSet.Builder evidence) {
    Profiles profiles = new Profiles("");
    List<Problem> problems = new ArrayList<>();
    long samples = 0;
    List<Query> all = queries();
    // The coarse queries are small (one point per 21 minutes): they run beside the working set,
    // so the server evaluates them while the working set is being read, and their answers are
    // summed into the profiles as they arrive (held until the end, 10,000 containers' would be
    // hundreds of megabytes).
    // On a thread of its own, not the common pool: it blocks in reads for most of its life, and
    // on two cores the common pool has a single worker.
    CompletableFuture<Coarse> coarse = new CompletableFuture<>();
    Thread.ofPlatform()
        .daemon()
        .name("oomlens-prometheus-coarse")
        .start(
            () -> {
              try {
                coarse.complete(coarse(all.subList(1, all.size()), profiles));
              } catch (Throwable t) {
                coarse.completeExceptionally(t);
              }
            });
    try {
      Query ws = all.get(0);
      int points = (int) Math.max(1, WORKING_SET_CHUNK.dividedBy(ws.step()));
      samples +=
          client.queryRange(ws.promql(), from, to, ws.step(), points, l -> ws.role(), profiles);
    } catch (PrometheusClient.QueryFailed e) {
      problems.add(new Problem(name(), 0, e.getMessage(), Problem.Kind.UNREADABLE));
    }
    Coarse c = coarse.join();
    if (problems.isEmpty() && c.failure() != null) {
      problems.add(new Problem(name(), 0, c.failure(), Problem.Kind.UNREADABLE));
    }
    if (problems.isEmpty()) {
      samples += c.samples();
      profiles.into(evidence);
    }
    evidence.input(new Input(name(), Input.Kind.SERIES, samples, problems));
  }

  /** How many samples the coarse queries gave, or why one failed. */
  private record Coarse(long samples, String failure) {}

  private Coarse coarse(List<Query> queries, Profiles profiles) {
    long samples = 0;
    for (Query q : queries) {
      try {
        samples += client.queryRange(q.promql(), from, to, q.step(), l -> q.role(), profiles);
      } catch (PrometheusClient.QueryFailed e) {
        return new Coarse(0, e.getMessage());
      }
    }
    return new Coarse(samples, null);
  }
}
