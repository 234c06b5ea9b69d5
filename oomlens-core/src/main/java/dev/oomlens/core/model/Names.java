package dev.oomlens.core.model;

import java.util.Optional;
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
    String kept = NAMES.get(name);
    if (kept != null) {
      return kept;
    }
    if (NAMES.size() < MAX) {
      kept = NAMES.putIfAbsent(name, name);
      return kept == null ? name : kept;
    }
    return name;
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

  /** {@link #recent} of the value; null and empty as they are. */
  static Optional<String> recent(Optional<String> path) {
    return path == null || path.isEmpty() ? path : Optional.of(recent(path.get()));
  }
}
