package dev.oomlens.agent;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/*
 * The official client's own registry (not the default one: tests start several agents in one
 * JVM) and its HTTPServer, on one thread: a scrape every 15 s needs no pool, and each thread costs
 * resident memory. Label values come from the kernel (cgroup and unit names a process can choose)
 * and are escaped by the client's text format writer, as the exposition format requires. Kills are
 * labelled by workload and finding, never by pid, so the series count stays bounded by the
 * workloads of a node.
 */

/** The agent's Prometheus metrics and the HTTP server that exposes them. */
public final class Metrics implements AutoCloseable {
  final PrometheusRegistry registry = new PrometheusRegistry();

  final Counter kills =
      Counter.builder()
          .name("oomlens_oom_kills_total")
          .help(
              "OOM kills seen in the kernel log, or by userspace killers in the journal, each"
                  + " counted once, after it was stored")
          .labelNames("scope", "verdict", "namespace", "pod", "container", "unit", "code")
          .register(registry);
  final Counter warnings =
      Counter.builder()
          .name("oomlens_oom_warnings_total")
          .help("Early warnings raised (once per episode)")
          .labelNames("code")
          .register(registry);
  final Gauge timeToLimit =
      Gauge.builder()
          .name("oomlens_cgroup_time_to_limit_seconds")
          .help("Forecast seconds until a memory cgroup reaches its limit, while it is warned of")
          .labelNames("cgroup")
          .register(registry);
  final Gauge pressure =
      Gauge.builder()
          .name("oomlens_memory_pressure_ratio")
          .help("PSI memory pressure of the host: share of time stalled, by kind and window")
          .labelNames("kind", "window")
          .register(registry);
  final Counter pressureStalled =
      Counter.builder()
          .name("oomlens_memory_pressure_stalled_seconds_total")
          .help("PSI memory stall time of the host since boot, by kind (some, full)")
          .labelNames("kind")
          .register(registry);
  final Counter recordsLost =
      Counter.builder()
          .name("oomlens_kmsg_records_lost_total")
          .help("Kernel log records overwritten before the agent could read them")
          .register(registry);
  final Gauge historyWritable =
      Gauge.builder()
          .name("oomlens_history_writable")
          .help("1 while the history is written to its file, 0 while it is kept in memory")
          .register(registry);
  final Gauge sourceUp =
      Gauge.builder()
          .name("oomlens_source_up")
          .help("1 when the last read of a source succeeded")
          .labelNames("source")
          .register(registry);
  final Gauge sourceDuration =
      Gauge.builder()
          .name("oomlens_source_duration_seconds")
          .help("How long the last read of a source took")
          .labelNames("source")
          .register(registry);
  final Gauge cgroups =
      Gauge.builder()
          .name("oomlens_cgroups_sampled")
          .help("Memory cgroups with a limit read in the last sample")
          .register(registry);

  private HTTPServer server;
  private ExecutorService executor;

  /** Starts serving {@code /metrics} at {@code address}; returns the port bound. */
  public int serve(InetSocketAddress address) throws IOException {
    executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "oomlens-metrics");
              t.setDaemon(true);
              return t;
            });
    server =
        HTTPServer.builder()
            .inetAddress(address.getAddress())
            .port(address.getPort())
            .registry(registry)
            .executorService(executor)
            .buildAndStart();
    return server.getPort();
  }

  /** Records one read of a source. */
  void source(String source, boolean up, long nanos) {
    sourceUp.labelValues(source).set(up ? 1 : 0);
    sourceDuration.labelValues(source).set(nanos / 1e9);
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
    if (executor != null) {
      executor.shutdownNow();
    }
  }
}
