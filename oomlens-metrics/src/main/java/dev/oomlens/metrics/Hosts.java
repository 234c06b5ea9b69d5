package dev.oomlens.metrics;

import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.series.HostSeries;
import dev.oomlens.core.series.Series;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/*
 * node_exporter's metric names and the host roles they fill. The pressure counters
 * (node_pressure_memory_{waiting,stalled}_seconds_total, seconds spent stalled since boot) become
 * a share of time here when they arrive raw (a saved file): the increase over each step divided by
 * the step, a fall being a reboot whose counter starts again from 0 (as Prometheus's rate() takes
 * a reset). From a server they are asked for as rate(...) and arrive as shares already.
 */

/** The series of one source's hosts, by node_exporter's {@code instance} label. */
final class Hosts implements Consumer<Series> {
  private static final Map<String, Series.Role> ROLES =
      Map.of(
          "node_memory_MemAvailable_bytes", Series.Role.HOST_MEM_AVAILABLE,
          "node_memory_MemTotal_bytes", Series.Role.HOST_MEM_TOTAL,
          "node_memory_SwapTotal_bytes", Series.Role.HOST_SWAP_TOTAL,
          "node_memory_SwapFree_bytes", Series.Role.HOST_SWAP_FREE,
          "node_pressure_memory_waiting_seconds_total", Series.Role.HOST_PSI_SOME,
          "node_pressure_memory_stalled_seconds_total", Series.Role.HOST_PSI_FULL);

  private final Map<String, HostSeries> byInstance = new LinkedHashMap<>();
  private final Map<Map<String, String>, double[]> lastOfCounter = new HashMap<>();
  private final String fallback;

  /**
   * @param fallback the host of a series without an {@code instance} label (its file)
   */
  Hosts(String fallback) {
    this.fallback = fallback;
  }

  /** True for node_exporter's series: their metric name starts with {@code node_}. */
  static boolean isHostMetric(Map<String, String> labels) {
    return labels.getOrDefault("__name__", "").startsWith("node_");
  }

  /** The host role of a node_exporter metric name, when oomlens reads it. */
  static Optional<Series.Role> roleOf(Map<String, String> labels) {
    return Optional.ofNullable(ROLES.get(labels.getOrDefault("__name__", "")));
  }

  /** True when {@code labels} name a raw pressure counter (seconds since boot). */
  static boolean isCounter(Map<String, String> labels) {
    return labels.getOrDefault("__name__", "").endsWith("_seconds_total");
  }

  /** Adds a stretch of a host's series whose values are what its role measures. */
  @Override
  public void accept(Series s) {
    if (s.role().isHost()) {
      String instance = s.labels().getOrDefault("instance", fallback);
      byInstance.computeIfAbsent(instance, HostSeries::new).add(s);
    }
  }

  /**
   * Adds a stretch of a raw counter of seconds, as the share of time it grew by per step. The
   * stretches of one series must come in time order.
   */
  void acceptCounter(Series s) {
    double[] last = lastOfCounter.get(s.labels());
    int n = s.size();
    long[] t = new long[n];
    double[] v = new double[n];
    int k = 0;
    for (int i = 0; i < n; i++) {
      long time = s.epochMillis()[i];
      double value = s.values()[i];
      if (Double.isNaN(value)) {
        continue;
      }
      if (last != null && time > (long) last[0]) {
        double increase = value >= last[1] ? value - last[1] : value;
        t[k] = time;
        v[k] = Math.min(1.0, increase / ((time - (long) last[0]) / 1000.0));
        k++;
      }
      last = new double[] {time, value};
    }
    if (last != null) {
      lastOfCounter.put(s.labels(), last);
    }
    if (k > 0) {
      accept(
          new Series(
              s.role(),
              s.query(),
              s.labels(),
              java.util.Arrays.copyOf(t, k),
              java.util.Arrays.copyOf(v, k)));
    }
  }

  /** Hands the hosts to the evidence; returns how many. */
  int into(EvidenceSet.Builder evidence) {
    byInstance.values().forEach(evidence::hostSeries);
    return byInstance.size();
  }
}
