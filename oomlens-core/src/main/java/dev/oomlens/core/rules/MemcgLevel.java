package dev.oomlens.core.rules;

import dev.oomlens.core.cgroup.CgroupPaths;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.Workload;
import java.util.Optional;

/*
 * Which level of the hierarchy owned the limit that was hit. The report names two cgroups:
 * oom_memcg, whose limit was hit, and task_memcg, the victim's. They are equal when a container
 * or unit hit its own limit; oom_memcg is an ancestor when a pod (the sum of its containers'
 * limits) or the node's pods as a whole (the kubepods cgroup, limited to node allocatable) ran out.
 * The path is read by CgroupPaths, the one decoder of cgroup naming.
 */

/** The level of the cgroup hierarchy whose memory limit an OOM report says was hit. */
public enum MemcgLevel {
  /** One container's own limit (Kubernetes, Docker, Podman). */
  CONTAINER("container"),
  /** A Kubernetes pod's cgroup: the sum of its containers' limits. */
  POD("pod"),
  /** A QoS-class cgroup of the kubelet (burstable, besteffort). */
  QOS("QoS class"),
  /** The kubelet's kubepods cgroup: node allocatable for all pods together. */
  NODE_ALLOCATABLE("node allocatable"),
  /** A systemd service, scope or slice. */
  UNIT("systemd unit"),
  /** Any other cgroup (hand-made, LXC, libvirt). */
  OTHER("cgroup");

  private final String words;

  MemcgLevel(String words) {
    this.words = words;
  }

  /** The level in words: "container", "pod", "node allocatable"... */
  public String words() {
    return words;
  }

  /** True for the two levels above a single pod: kubepods and its QoS cgroups. */
  public boolean isNodeLevel() {
    return this == QOS || this == NODE_ALLOCATABLE;
  }

  /** The level of the report's {@code oom_memcg}; empty for reports that name none. */
  public static Optional<MemcgLevel> of(OomReport report) {
    return report.oomMemcg().map(path -> of(CgroupPaths.decode(path)));
  }

  /** The level a decoded cgroup path stands at. */
  static MemcgLevel of(Workload cgroup) {
    return switch (cgroup.kind()) {
      case KUBEPODS -> cgroup.qosClass().isPresent() ? QOS : NODE_ALLOCATABLE;
      case POD -> POD;
      case CONTAINER, DOCKER, PODMAN -> CONTAINER;
      case SYSTEMD_UNIT, USER_SESSION, VM -> UNIT;
      case OTHER -> OTHER;
    };
  }
}
