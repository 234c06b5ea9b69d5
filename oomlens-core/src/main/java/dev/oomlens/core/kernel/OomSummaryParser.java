package dev.oomlens.core.kernel;

import dev.oomlens.core.model.Constraint;
import java.util.Optional;
import java.util.OptionalLong;

/*
 * The one-line summary of 4.19+ kernels (mm/oom_kill.c dump_oom_summary(), later dump_oom_victim()):
 *
 *   "oom-kill:constraint=%s,nodemask=%*pbl" + cpuset_print_current_mems_allowed()
 *   ",cpuset=%s,mems_allowed=%*pbl" + mem_cgroup_print_oom_context() ",oom_memcg=%s" | ",global_oom"
 *   then ",task_memcg=%s" + ",task=%s,pid=%d,uid=%d"
 *
 * The cpuset and memcg parts are absent on kernels built without CONFIG_CPUSETS or CONFIG_MEMCG.
 * The constraint is kept as printed, known name or not (patched kernels print their own).
 * Values hold commas (nodemask "0,2-3", cgroup paths, task names), so each key is found by name in the
 * kernel's order, and task/pid/uid, which end the line, from the right.
 */
final class OomSummaryParser {
  private static final String PREFIX = "oom-kill:";

  private OomSummaryParser() {}

  /** The fields of the summary line; those the line did not hold (or lost to a cut) are empty. */
  record Summary(
      Optional<Constraint> constraint,
      Optional<String> nodemask,
      Optional<String> cpuset,
      Optional<String> memsAllowed,
      Optional<String> oomMemcg,
      boolean globalOom,
      Optional<String> taskMemcg,
      Optional<String> task,
      OptionalLong pid,
      OptionalLong uid) {}

  static boolean isSummary(String message) {
    return message.strip().startsWith(PREFIX);
  }

  static Optional<Summary> parse(String message) {
    String m = message.strip();
    if (!m.startsWith(PREFIX)) {
      return Optional.empty();
    }
    String s = m.substring(PREFIX.length());
    // The tail first: ",task=<comm>,pid=N,uid=N" (task names may hold commas).
    Optional<String> task = Optional.empty();
    OptionalLong pid = OptionalLong.empty();
    OptionalLong uid = OptionalLong.empty();
    int taskAt = s.lastIndexOf(",task=");
    String head = s;
    if (taskAt >= 0) {
      String tail = s.substring(taskAt + ",task=".length());
      head = s.substring(0, taskAt);
      int pidAt = tail.lastIndexOf(",pid=");
      if (pidAt >= 0) {
        task = Optional.of(tail.substring(0, pidAt));
        String pidAndUid = tail.substring(pidAt + ",pid=".length());
        int uidAt = pidAndUid.indexOf(",uid=");
        if (uidAt >= 0) {
          pid = KillLineParser.parseLong(pidAndUid.substring(0, uidAt));
          uid = KillLineParser.parseLong(pidAndUid.substring(uidAt + ",uid=".length()));
        }
        // Without ",uid=" the pid may be cut: it is not trusted.
      }
    }
    String[] keys = {
      "constraint=",
      ",nodemask=",
      ",cpuset=",
      ",mems_allowed=",
      ",oom_memcg=",
      ",global_oom",
      ",task_memcg="
    };
    String[] values = new String[keys.length];
    int[] starts = new int[keys.length];
    int from = 0;
    for (int i = 0; i < keys.length; i++) {
      int at = i == 0 ? (head.startsWith(keys[0]) ? 0 : -1) : head.indexOf(keys[i], from);
      starts[i] = at;
      if (at >= 0) {
        from = at + keys[i].length();
      }
    }
    for (int i = 0; i < keys.length; i++) {
      if (starts[i] < 0) {
        continue;
      }
      int valueStart = starts[i] + keys[i].length();
      int valueEnd = head.length();
      for (int j = i + 1; j < keys.length; j++) {
        if (starts[j] >= 0) {
          valueEnd = starts[j];
          break;
        }
      }
      values[i] = valueEnd >= valueStart ? head.substring(valueStart, valueEnd) : "";
    }
    boolean cutHead = taskAt < 0;
    Optional<Constraint> constraint =
        value(values[0], cutHead && last(starts, 0)).map(c -> new Constraint(c.strip()));
    return Optional.of(
        new Summary(
            constraint,
            value(values[1], cutHead && last(starts, 1)),
            value(values[2], cutHead && last(starts, 2)),
            value(values[3], cutHead && last(starts, 3)),
            value(values[4], cutHead && last(starts, 4)),
            starts[5] >= 0,
            value(values[6], cutHead && last(starts, 6)),
            task,
            pid,
            uid));
  }

  /** True when key {@code i} is the last one found: its value runs to the end of the line. */
  private static boolean last(int[] starts, int i) {
    for (int j = i + 1; j < starts.length; j++) {
      if (starts[j] >= 0) {
        return false;
      }
    }
    return true;
  }

  private static Optional<String> value(String v, boolean mayBeCut) {
    if (v == null || v.isBlank() || mayBeCut) {
      return Optional.empty();
    }
    return Optional.of(v);
  }
}
