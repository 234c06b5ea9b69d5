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
 * @param values the sample values, in bytes for every memory role
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
    REQUEST
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
