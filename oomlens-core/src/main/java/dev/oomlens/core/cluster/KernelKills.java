package dev.oomlens.core.cluster;

import dev.oomlens.core.model.OomReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/*
 * The kernel names a container by its memory cgroup, whose path carries the pod's UID and the
 * container's ID (cgroupfs and systemd drivers alike, decoded into OomReport.workload()); the
 * kubelet names it by pod and container status, which carry the same two. Joining on them is how
 * a pod's status meets the kernel's account of the kill. A report whose cgroup is the pod's
 * (no container ID: a pod-level limit) matches every container of that pod.
 */

/** Joins the kernel's OOM reports to the containers of a cluster by pod UID and container ID. */
public final class KernelKills {
  private KernelKills() {}

  /** The reports among {@code reports} that killed in container {@code status} of {@code pod}. */
  public static List<OomReport> of(
      List<OomReport> reports, ClusterPod pod, ContainerStatus status) {
    List<OomReport> out = new ArrayList<>();
    if (pod.uid().isEmpty()) {
      return out;
    }
    for (OomReport r : reports) {
      if (r.victim().isEmpty() || !r.workload().podUid().equals(pod.uid())) {
        continue;
      }
      Optional<String> id = r.workload().containerId();
      if (id.isEmpty()
          || status
              .containerId()
              .map(c -> c.startsWith(id.get()) || id.get().startsWith(c))
              .orElse(false)) {
        out.add(r);
      }
    }
    return out;
  }
}
