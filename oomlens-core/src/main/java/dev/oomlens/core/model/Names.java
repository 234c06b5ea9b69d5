package dev.oomlens.core.model;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/*
 * Every report of a big log is kept until the rules have seen them all, and each holds the same
 * few dozen names again (memory cgroup stat keys, zone names, the kernel release, the gfp mask),
 * each parsed into a String of its own: about 50 bytes a name. One String per name instead.
 * Bounded, so that a log of ever-new values costs no more than without it; shared by every
 * input and thread of the process (the agent's too), hence concurrent.
 */

/** One instance of each of the names the model's records repeat from report to report. */
final class Names {
  private static final int MAX = 4096;

  private static final ConcurrentHashMap<String, String> NAMES = new ConcurrentHashMap<>();

  private Names() {}

  /**
   * The instance kept for {@code name}'s text: {@code name} itself the first time, or when full.
   */
  static String of(String name) {
    return keep(NAMES, name, name);
  }

  /** The value kept in {@code map} under {@code key}, else {@code value}, kept while not full. */
  private static <K, V> V keep(ConcurrentHashMap<K, V> map, K key, V value) {
    V kept = map.get(key);
    if (kept != null) {
      return kept;
    }
    if (map.size() < MAX) {
      kept = map.putIfAbsent(key, value);
    }
    return kept == null ? value : kept;
  }

  /*
   * Cgroup paths, pod UIDs and container ids are new with every pod, so a bounded map of all of
   * them would soon be full of old ones; but one report names its cgroup three to seven times
   * (oom_memcg, task_memcg, the stats blocks, the workload), each parsed on its own. These are kept
   * in a small map emptied whenever it fills: one String per path within a report and across the
   * reports of one pod's kills in a row.
   */
  private static final int RECENT = 256;

  private static final ConcurrentHashMap<String, String> RECENT_PATHS = new ConcurrentHashMap<>();

  /** The instance kept for {@code path}'s text, among the paths seen lately. */
  static String recent(String path) {
    String kept = RECENT_PATHS.putIfAbsent(path, path);
    if (kept != null) {
      return kept;
    }
    if (RECENT_PATHS.size() > RECENT) {
      RECENT_PATHS.clear();
    }
    return path;
  }

  /*
   * The values a host or a cgroup prints the same in every report (zone watermarks and sizes, RAM
   * and swap totals, cgroup limits, the kernel release, the QoS class) were an OptionalLong or an
   * Optional of their own in each report: one instance of each value instead, bounded like the
   * names. Only for values that repeat: a value that changes with every report would fill the map.
   */
  private static final ConcurrentHashMap<Long, OptionalLong> LONGS = new ConcurrentHashMap<>();

  private static final ConcurrentHashMap<Object, Optional<?>> OPTIONALS = new ConcurrentHashMap<>();

  /** One instance of each value that repeats from report to report; empty as it is. */
  static OptionalLong constant(OptionalLong value) {
    if (value.isEmpty()) {
      return value;
    }
    return keep(LONGS, value.getAsLong(), value);
  }

  /**
   * One instance of each value that repeats from report to report, a String value kept as {@link
   * #of} keeps it; empty as it is.
   */
  @SuppressWarnings("unchecked")
  static <T> Optional<T> constant(Optional<T> value) {
    if (value.isEmpty()) {
      return value;
    }
    Object key = value.get() instanceof String s ? of(s) : value.get();
    return (Optional<T>) keep(OPTIONALS, key, key == value.get() ? value : Optional.of(key));
  }

  /** {@link #recent} of the value; null and empty as they are. */
  static Optional<String> recent(Optional<String> path) {
    return path == null || path.isEmpty() ? path : Optional.of(recent(path.get()));
  }
}
