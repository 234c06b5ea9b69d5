package dev.oomlens.core.rules;

import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.Workload;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/*
 * Which level of the hierarchy owned the limit that was hit. The report names two cgroups:
 * oom_memcg, whose limit was hit, and task_memcg, the victim's. They are equal when a container
 * or unit hit its own limit; oom_memcg is an ancestor when a pod (the sum of its containers'
 * limits) or the node's pods as a whole (the kubepods cgroup, limited to node allocatable) ran out.
 *
 * The Kubernetes levels are read from the kubelet's naming (pkg/kubelet/cm): kubepods or
 * kubepods.slice (possibly prefixed, kubelet-kubepods.slice), the QoS level burstable/besteffort
 * or kubepods-burstable.slice/kubepods-besteffort.slice, then pod<uid> or
 * kubepods-...-pod<uid>.slice.
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

  private static final Pattern KUBEPODS = Pattern.compile("(?:.*-)?kubepods(?:\\.slice)?");
  private static final Pattern QOS_SLICE =
      Pattern.compile("(?:.*-)?kubepods-(?:burstable|besteffort)\\.slice|burstable|besteffort");
  private static final Pattern POD_LEVEL =
      Pattern.compile("pod[0-9a-fA-F_-]{32,36}|.*-pod[0-9a-fA-F_]{32,36}\\.slice");

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
    if (report.oomMemcg().isEmpty()) {
      return Optional.empty();
    }
    String path = report.oomMemcg().get();
    Optional<MemcgLevel> kube = kubernetes(path);
    if (kube.isPresent()) {
      return kube;
    }
    boolean own = report.taskMemcg().map(path::equals).orElse(true);
    if (own) {
      Workload.Kind kind = report.workload().kind();
      switch (kind) {
        case CONTAINER, DOCKER, PODMAN -> {
          return Optional.of(CONTAINER);
        }
        case SYSTEMD_UNIT, USER_SESSION -> {
          return Optional.of(UNIT);
        }
        default -> { }
      }
    }
    String leaf = leaf(path);
    if (leaf.endsWith(".service") || leaf.endsWith(".scope") || leaf.endsWith(".slice")) {
      return Optional.of(UNIT);
    }
    return Optional.of(OTHER);
  }

  private static Optional<MemcgLevel> kubernetes(String path) {
    List<String> parts = List.of(path.replaceAll("^/+|/+$", "").split("/+"));
    int k = -1;
    for (int i = 0; i < parts.size(); i++) {
      if (KUBEPODS.matcher(parts.get(i)).matches()) {
        k = i;
        break;
      }
    }
    if (k < 0) {
      return Optional.empty();
    }
    int below = parts.size() - 1 - k;
    if (below == 0) {
      return Optional.of(NODE_ALLOCATABLE);
    }
    String last = parts.getLast();
    if (below == 1 && QOS_SLICE.matcher(last).matches()) {
      return Optional.of(QOS);
    }
    if (POD_LEVEL.matcher(last).matches()) {
      return Optional.of(POD);
    }
    return Optional.of(CONTAINER);
  }

  private static String leaf(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }
}
