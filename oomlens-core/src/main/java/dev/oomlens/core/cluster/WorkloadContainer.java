package dev.oomlens.core.cluster;

import java.util.List;
import java.util.Set;

/**
 * One container of one workload, and the pods (or the template) it was seen in: the pods of a
 * DaemonSet share a spec, and a rule that spoke per pod would say the same thing once per node.
 *
 * @param spec the container as its first pod (or the template) declares it
 * @param pods its pods in the order of the input; a template stands alone
 */
public record WorkloadContainer(ObjectRef workload, ContainerSpec spec, List<ClusterPod> pods) {
  /** Namespaces of the cluster's own machinery, whose containers without limits come first. */
  public static final Set<String> SYSTEM_NAMESPACES =
      Set.of(
          "kube-system",
          "kube-public",
          "kube-node-lease",
          "metallb-system",
          "flux-system",
          "cert-manager",
          "ingress-nginx",
          "monitoring",
          "longhorn-system",
          "calico-system",
          "tigera-operator",
          "cattle-system",
          "harvester-system",
          "kubevirt");

  public WorkloadContainer {
    pods = List.copyOf(pods);
  }

  /** The object to cite for the spec: the template when there is one, else its first pod. */
  public ObjectRef specObject() {
    return pods.stream()
        .filter(ClusterPod::template)
        .map(ClusterPod::ref)
        .findFirst()
        .orElse(pods.getFirst().ref());
  }

  /** The field path of the spec in {@link #specObject()}. */
  public String specPath() {
    return pods.stream()
        .filter(ClusterPod::template)
        .map(
            p ->
                p.container(spec.name(), spec.init())
                    .map(ContainerSpec::fieldPath)
                    .orElse(spec.fieldPath()))
        .findFirst()
        .orElse(spec.fieldPath());
  }

  public boolean daemonSet() {
    return workload.kind().equals("DaemonSet");
  }

  public boolean system() {
    return workload.namespace().map(SYSTEM_NAMESPACES::contains).orElse(false);
  }

  /** {@code DaemonSet ns/name container c}. */
  public String describe() {
    return workload.describe() + " container " + spec.name();
  }
}
