package dev.oomlens.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * Who the memory belonged to, decoded from a cgroup path ({@code task_memcg}, else {@code
 * oom_memcg}, else the {@code Memory cgroup stats for} path) and, for KubeVirt, from the task
 * names.
 *
 * @param cgroup the path it was decoded from; empty when the report named none
 * @param podUid the Kubernetes pod UID with its dashes restored
 * @param runtime {@code containerd}, {@code cri-o}, {@code docker} or {@code podman}, when the path
 *     tells
 * @param unit the systemd unit (service, scope or slice) the path ends in, when it is one
 * @param kubevirt true when the cgroup's tasks are a KubeVirt virt-launcher pod's (virt-launcher,
 *     virtqemud/libvirtd, virtlogd, qemu)
 */
public record Workload(
    Kind kind,
    Optional<String> cgroup,
    Optional<String> podUid,
    Optional<String> containerId,
    Optional<String> runtime,
    Optional<QosClass> qosClass,
    Optional<String> unit,
    boolean kubevirt) {

  /** What kind of thing the cgroup is. */
  public enum Kind {
    CONTAINER("container"),
    POD("pod"),
    KUBEPODS("kubepods"),
    DOCKER("docker"),
    PODMAN("podman"),
    SYSTEMD_UNIT("systemd-unit"),
    USER_SESSION("user-session"),
    VM("vm"),
    OTHER("other");

    private final String jsonName;

    Kind(String jsonName) {
      this.jsonName = jsonName;
    }

    /** The name used in the JSON contract. */
    public String jsonName() {
      return jsonName;
    }
  }

  /** Kubernetes pod QoS class, as the cgroup hierarchy shows it. */
  public enum QosClass {
    Guaranteed,
    Burstable,
    BestEffort
  }

  /** A report that names no cgroup at all. */
  public static final Workload UNKNOWN =
      new Workload(
          Kind.OTHER,
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          false);

  public Workload {
    requireNonNull(kind, "kind");
    cgroup = Names.recent(requireNonNull(cgroup, "cgroup"));
    podUid = Names.recent(requireNonNull(podUid, "podUid"));
    containerId = Names.recent(requireNonNull(containerId, "containerId"));
    runtime = Names.constant(requireNonNull(runtime, "runtime"));
    qosClass = Names.constant(requireNonNull(qosClass, "qosClass"));
    requireNonNull(unit, "unit");
  }

  public Workload withKubevirt(boolean isKubevirt) {
    return new Workload(kind, cgroup, podUid, containerId, runtime, qosClass, unit, isKubevirt);
  }
}
