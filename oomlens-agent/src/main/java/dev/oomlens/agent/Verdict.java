package dev.oomlens.agent;

import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.OomScope;
import dev.oomlens.core.rules.MemcgLevel;
import java.util.Locale;

/*
 * One word a controller can act on. A container that outgrew its own limit needs a bigger limit
 * or a fix; one killed because the node ran out needs nothing of its own changed, only a retry
 * elsewhere. The report's oom_memcg says which: a container's, a pod's or a unit's own cgroup is
 * the workload's limit; kubepods or a QoS cgroup is node allocatable, shared by all pods; no
 * memcg at all (a global, cpuset or mempolicy OOM) is the host. A kill by a userspace killer
 * (systemd-oomd, earlyoom, nohang), read from the journal by KillerFollower, is userspace: no
 * limit was hit, a daemon chose to kill before the kernel had to.
 */

/** Where the memory ran out, for the kill's Event reason, metric label and history row. */
public enum Verdict {
  /** The container's, the pod's or the unit's own limit. */
  LIMIT,
  /** The node: kubepods, a QoS level, or the whole host. */
  NODE,
  /** A userspace killer (systemd-oomd, earlyoom, nohang) acted, not the kernel. */
  USERSPACE;

  /** The verdict of a kernel OOM report. */
  public static Verdict of(OomReport report) {
    if (report.oomMemcg().isPresent()) {
      String memcg = report.oomMemcg().get();
      if (memcg.equals("/")) {
        return NODE;
      }
      return MemcgLevel.of(report).filter(MemcgLevel::isNodeLevel).isPresent() ? NODE : LIMIT;
    }
    return report.scope().filter(s -> s == OomScope.MEMCG).isPresent() ? LIMIT : NODE;
  }

  /** {@code limit}, {@code node} or {@code userspace}: the label value and the history's value. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
