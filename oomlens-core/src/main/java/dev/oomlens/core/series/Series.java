package dev.oomlens.core.series;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One stretch of one time series as a reader hands it over: what it measures, the query (or file)
 * it came from, its labels, and its samples in time order. A long series may come in several
 * stretches; the profile it feeds keeps none of them.
 *
 * @param role what the values measure
 * @param query as sent (PromQL), or the file it was read from
 * @param labels of the series, sorted by name
 * @param epochMillis sample times, ascending
 * @param values the sample values, in bytes for every memory role, a share of time (0 to 1) for the
 *     pressure roles, a count for restarts, classes and threads
 */
public record Series(
    Role role, String query, Map<String, String> labels, long[] epochMillis, double[] values) {
  /** What a series measures. */
  public enum Role {
    /**
     * cAdvisor's {@code container_memory_working_set_bytes}, a process's RSS: what the limit meets.
     */
    WORKING_SET,
    /** Anonymous memory: {@code container_memory_rss}. */
    RSS,
    /** Page cache: {@code container_memory_cache}. */
    CACHE,
    /** The limit in force: {@code container_spec_memory_limit_bytes}, kube-state-metrics' limit. */
    LIMIT,
    /** The memory request: kube-state-metrics' {@code kube_pod_container_resource_requests}. */
    REQUEST,
    /**
     * The container's restarts so far, a counter: kube-state-metrics' {@code
     * kube_pod_container_status_restarts_total}.
     */
    RESTARTS,
    /**
     * Classes the container's JVM has loaded: the JMX exporter's {@code
     * jvm_classes_currently_loaded} (its older {@code jvm_classes_loaded}), Micrometer's {@code
     * jvm_classes_loaded_classes}, OpenTelemetry's {@code jvm_class_count}.
     */
    JVM_CLASSES,
    /**
     * The JVM's live threads: {@code jvm_threads_current}, Micrometer's {@code
     * jvm_threads_live_threads}, OpenTelemetry's {@code jvm_thread_count} summed over its states.
     */
    JVM_THREADS,
    /**
     * Bytes the JVM's direct buffers use: {@code jvm_buffer_pool_used_bytes{pool="direct"}},
     * Micrometer's and OpenTelemetry's {@code jvm_buffer_memory_used_bytes} of the direct pool.
     */
    JVM_DIRECT,
    /** A host's available memory: node_exporter's {@code node_memory_MemAvailable_bytes}. */
    HOST_MEM_AVAILABLE,
    /** A host's RAM: {@code node_memory_MemTotal_bytes}. */
    HOST_MEM_TOTAL,
    /** A host's swap size, 0 without swap: {@code node_memory_SwapTotal_bytes}. */
    HOST_SWAP_TOTAL,
    /** A host's unused swap: {@code node_memory_SwapFree_bytes}. */
    HOST_SWAP_FREE,
    /**
     * The share of time (0 to 1) some task of the host waited for memory: the rate of {@code
     * node_pressure_memory_waiting_seconds_total} (PSI "some").
     */
    HOST_PSI_SOME,
    /**
     * The share of time (0 to 1) every non-idle task of the host waited for memory: the rate of
     * {@code node_pressure_memory_stalled_seconds_total} (PSI "full").
     */
    HOST_PSI_FULL;

    /** True for the roles of a host's series ({@link HostSeries}), not a workload's. */
    public boolean isHost() {
      return switch (this) {
        case HOST_MEM_AVAILABLE,
            HOST_MEM_TOTAL,
            HOST_SWAP_TOTAL,
            HOST_SWAP_FREE,
            HOST_PSI_SOME,
            HOST_PSI_FULL ->
            true;
        default -> false;
      };
    }
  }

  public Series {
    requireNonNull(role, "role");
    requireNonNull(query, "query");
    labels = Collections.unmodifiableMap(new TreeMap<>(labels));
    requireNonNull(epochMillis, "epochMillis");
    requireNonNull(values, "values");
    if (epochMillis.length != values.length) {
      throw new IllegalArgumentException(
          epochMillis.length + " times but " + values.length + " values");
    }
  }

  /** How many samples the stretch holds. */
  public int size() {
    return values.length;
  }
}
