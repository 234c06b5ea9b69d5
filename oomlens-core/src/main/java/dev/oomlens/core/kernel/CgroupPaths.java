package dev.oomlens.core.kernel;

import dev.oomlens.core.model.Workload;
import java.util.Collection;

/** Decodes who a memory cgroup belongs to from its path: Kubernetes pod and container, Docker, systemd unit... */
public final class CgroupPaths {
  private CgroupPaths() {}

  /** The workload a cgroup path (as the kernel prints it, e.g. {@code task_memcg=}) belongs to. */
  public static Workload decode(String cgroupPath) {
    throw new UnsupportedOperationException("CgroupPaths is being written");
  }

  /** True when these task names are those of a KubeVirt virt-launcher pod. */
  public static boolean looksLikeKubevirt(Collection<String> comms) {
    throw new UnsupportedOperationException("CgroupPaths is being written");
  }
}
