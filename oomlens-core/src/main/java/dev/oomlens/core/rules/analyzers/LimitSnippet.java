package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.rules.Sizes;
import dev.oomlens.core.model.Workload;

/** A ready-to-paste memory limit change for the kind of workload the cgroup belongs to. */
final class LimitSnippet {
  private LimitSnippet() {}

  /** Kubernetes container resources with a memory request and limit. */
  static String kubernetes(long requestBytes, long limitBytes) {
    return "resources:\n"
        + "  requests:\n"
        + "    memory: \"" + Sizes.quantityMi(requestBytes) + "\"\n"
        + "  limits:\n"
        + "    memory: \"" + Sizes.quantityMi(limitBytes) + "\"";
  }

  /**
   * The limit change in the terms of the workload: Kubernetes YAML for pods and containers, a
   * systemd property for units, {@code docker}/{@code podman update} for plain containers, and
   * the cgroup file otherwise.
   */
  static String forWorkload(Workload w, String cgroup, long requestBytes, long limitBytes) {
    long mib = Sizes.ceilMib(limitBytes);
    return switch (w.kind()) {
      case CONTAINER, POD, KUBEPODS -> kubernetes(requestBytes, limitBytes);
      case SYSTEMD_UNIT, USER_SESSION -> "systemctl set-property "
          + w.unit().orElse("<unit>") + " MemoryMax=" + mib + "M";
      case DOCKER -> "docker update --memory " + mib + "m --memory-swap " + mib + "m "
          + w.containerId().map(id -> id.substring(0, Math.min(12, id.length())))
              .orElse("<container>");
      case PODMAN -> "podman update --memory " + mib + "m "
          + w.containerId().map(id -> id.substring(0, Math.min(12, id.length())))
              .orElse("<container>");
      default -> w.podUid().isPresent()
          ? kubernetes(requestBytes, limitBytes)
          : "# cgroup v2\necho " + mib * Sizes.MIB + " > /sys/fs/cgroup" + cgroup
              + "/memory.max\n# cgroup v1\necho " + mib * Sizes.MIB
              + " > /sys/fs/cgroup/memory" + cgroup + "/memory.limit_in_bytes";
    };
  }
}
