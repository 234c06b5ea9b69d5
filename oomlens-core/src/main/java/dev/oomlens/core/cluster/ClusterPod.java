package dev.oomlens.core.cluster;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * A pod, or the pod template of a workload (then {@code ref} is the workload and the field paths of
 * its containers start at {@code spec.template.spec}).
 *
 * @param uid the pod's UID, which its cgroup path carries; empty for a template
 * @param owner the workload that made it, ReplicaSets resolved to their Deployment; empty for a
 *     bare pod or a template
 * @param phase {@code Running}, {@code Pending}, {@code Failed}, ...; empty for a template
 * @param reason {@code status.reason} ({@code Evicted}, {@code Preempting}), when set
 * @param qosClass {@code status.qosClass}; empty for a template
 * @param claims the PersistentVolumeClaims its volumes name
 */
public record ClusterPod(
    ObjectRef ref,
    Optional<String> uid,
    Optional<ObjectRef> owner,
    Optional<String> nodeName,
    Optional<String> phase,
    Optional<String> reason,
    Optional<String> message,
    Optional<String> qosClass,
    Optional<String> priorityClassName,
    List<ContainerSpec> containers,
    List<ContainerStatus> statuses,
    List<String> claims) {
  public ClusterPod {
    requireNonNull(ref, "ref");
    requireNonNull(uid, "uid");
    requireNonNull(owner, "owner");
    requireNonNull(nodeName, "nodeName");
    requireNonNull(phase, "phase");
    requireNonNull(reason, "reason");
    requireNonNull(message, "message");
    requireNonNull(qosClass, "qosClass");
    requireNonNull(priorityClassName, "priorityClassName");
    containers = List.copyOf(containers);
    statuses = List.copyOf(statuses);
    claims = List.copyOf(claims);
  }

  public String namespace() {
    return ref.namespace().orElse("");
  }

  /** The workload this pod belongs to, or the pod itself when nothing owns it. */
  public ObjectRef workload() {
    return owner.orElse(ref);
  }

  /** The container spec named {@code name}, of the same kind (init or not). */
  public Optional<ContainerSpec> container(String name, boolean init) {
    return containers.stream().filter(c -> c.name().equals(name) && c.init() == init).findFirst();
  }

  /** True for a pod template of a workload, false for a pod. */
  public boolean template() {
    return !ref.kind().equals("Pod");
  }
}
