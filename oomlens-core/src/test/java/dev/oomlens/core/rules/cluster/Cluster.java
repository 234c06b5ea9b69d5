package dev.oomlens.core.rules.cluster;

import dev.oomlens.core.cluster.ClusterEvent;
import dev.oomlens.core.cluster.ClusterNode;
import dev.oomlens.core.cluster.ClusterPod;
import dev.oomlens.core.cluster.ClusterState;
import dev.oomlens.core.cluster.Condition;
import dev.oomlens.core.cluster.ContainerSpec;
import dev.oomlens.core.cluster.ContainerStatus;
import dev.oomlens.core.cluster.ObjectRef;
import dev.oomlens.core.cluster.PodUsage;
import dev.oomlens.core.cluster.PriorityClassInfo;
import dev.oomlens.core.cluster.Termination;
import dev.oomlens.core.cluster.Volumes;
import dev.oomlens.core.rules.EvidenceSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** Builds cluster evidence for rule tests, the way the converter would hand it over. */
final class Cluster {
  static final long MI = 1024L * 1024;

  private final List<ClusterNode> nodes = new ArrayList<>();
  private final List<ClusterPod> pods = new ArrayList<>();
  private final List<ClusterEvent> events = new ArrayList<>();
  private final List<PriorityClassInfo> classes = new ArrayList<>();
  private final List<Volumes.Claim> claims = new ArrayList<>();
  private final List<Volumes.Volume> volumes = new ArrayList<>();
  private final List<PodUsage> usage = new ArrayList<>();
  private final List<Condition> conditions = new ArrayList<>();
  private final Map<String, Long> vm = new HashMap<>();
  private final Map<String, Long> defaultLimits = new HashMap<>();

  Cluster node(String name, long mi, boolean ready, Map<String, String> labels) {
    nodes.add(
        new ClusterNode(
            ObjectRef.of("Node", "", name),
            OptionalLong.of(mi * MI),
            OptionalLong.of(mi * MI),
            Optional.of(ready),
            Optional.of(ready ? "KubeletReady" : "NodeStatusUnknown"),
            Optional.of(false),
            false,
            labels));
    return this;
  }

  Cluster node(String name, long mi) {
    return node(name, mi, true, Map.of());
  }

  /** A container: name, request and limit in MiB (0: none), then its command and arguments. */
  static ContainerSpec c(int index, String name, long requestMi, long limitMi, String... args) {
    return new ContainerSpec(
        name,
        "spec.containers[" + index + "]",
        false,
        index > 0,
        Optional.of("img"),
        requestMi > 0 ? OptionalLong.of(requestMi * MI) : OptionalLong.empty(),
        limitMi > 0 ? OptionalLong.of(limitMi * MI) : OptionalLong.empty(),
        List.of(args),
        Map.of(),
        List.of());
  }

  static ContainerSpec withEnv(ContainerSpec c, String var, String value) {
    return new ContainerSpec(
        c.name(),
        c.fieldPath(),
        c.init(),
        c.sidecar(),
        c.image(),
        c.requestBytes(),
        c.limitBytes(),
        c.args(),
        Map.of(var, value),
        c.memoryTmpfsMounts());
  }

  static ContainerSpec withTmpfs(ContainerSpec c, String volume, String path) {
    return new ContainerSpec(
        c.name(),
        c.fieldPath(),
        c.init(),
        c.sidecar(),
        c.image(),
        c.requestBytes(),
        c.limitBytes(),
        c.args(),
        c.env(),
        List.of(new ContainerSpec.TmpfsMount(volume, path)));
  }

  static ContainerStatus running(int index, String name) {
    return new ContainerStatus(
        name,
        "status.containerStatuses[" + index + "]",
        false,
        0,
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  static ContainerStatus lastTerminated(
      int index, String name, String reason, int exit, int restarts) {
    String path = "status.containerStatuses[" + index + "]";
    return new ContainerStatus(
        name,
        path,
        false,
        restarts,
        Optional.empty(),
        Optional.empty(),
        Optional.of(
            new Termination(
                path + ".lastState.terminated",
                Optional.of(reason),
                exit,
                Optional.empty(),
                Optional.of("2026-01-02T03:04:05Z"),
                Optional.empty())));
  }

  Cluster pod(
      String ns,
      String name,
      String node,
      ObjectRef owner,
      String phase,
      List<ContainerSpec> containers,
      List<ContainerStatus> statuses,
      String... claims) {
    pods.add(
        new ClusterPod(
            ObjectRef.of("Pod", ns, name),
            Optional.of("uid-" + name),
            Optional.ofNullable(owner),
            Optional.ofNullable(node),
            Optional.of(phase),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            containers,
            statuses,
            List.of(claims)));
    return this;
  }

  Cluster pod(String ns, String name, String node, List<ContainerSpec> containers) {
    return pod(ns, name, node, null, "Running", containers, List.of());
  }

  Cluster template(
      String kind, String ns, String name, String priorityClass, List<ContainerSpec> containers) {
    pods.add(
        new ClusterPod(
            ObjectRef.of(kind, ns, name),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.ofNullable(priorityClass),
            containers,
            List.of(),
            List.of()));
    return this;
  }

  Cluster event(String node, String reason, String message) {
    events.add(
        new ClusterEvent(
            ObjectRef.of("Event", "default", node + "." + events.size()),
            ObjectRef.of("Node", "", node),
            reason,
            message,
            Optional.of("Warning"),
            1,
            Optional.of("2026-01-02T03:04:0" + events.size() + "Z")));
    return this;
  }

  Cluster priorityClass(String name) {
    classes.add(new PriorityClassInfo(ObjectRef.of("PriorityClass", "", name), 1000));
    return this;
  }

  Cluster volume(String pv, String node, String ns, String claim) {
    volumes.add(
        new Volumes.Volume(
            ObjectRef.of("PersistentVolume", "", pv),
            Optional.of("Bound"),
            Optional.of(ObjectRef.of("PersistentVolumeClaim", ns, claim)),
            List.of(node)));
    claims.add(
        new Volumes.Claim(
            ObjectRef.of("PersistentVolumeClaim", ns, claim),
            Optional.of("Bound"),
            Optional.of(pv),
            Optional.empty()));
    return this;
  }

  Cluster usage(String ns, String pod, String container, long mi) {
    usage.add(new PodUsage(ObjectRef.of("PodMetrics", ns, pod), Map.of(container, mi * MI)));
    return this;
  }

  Cluster flux(String kind, String ns, String name, String status, String message) {
    conditions.add(
        new Condition(
            ObjectRef.of(kind, ns, name),
            "status.conditions[0]",
            "Ready",
            status,
            Optional.of("Failed"),
            Optional.of(message)));
    return this;
  }

  Cluster vmMemory(String node, long mi) {
    vm.put(node, mi * MI);
    return this;
  }

  Cluster defaultLimit(String namespace, long mi) {
    defaultLimits.put(namespace, mi * MI);
    return this;
  }

  ClusterState state() {
    return new ClusterState(
        "test",
        nodes,
        pods,
        events,
        classes,
        claims,
        volumes,
        usage,
        conditions,
        vm,
        List.of(),
        defaultLimits);
  }

  EvidenceSet evidence() {
    return EvidenceSet.builder().cluster(state()).build();
  }

  /** The cluster beside kernel reports, as {@code oomlens k8s --kernel-log} reads them. */
  EvidenceSet evidence(List<dev.oomlens.core.model.OomReport> reports) {
    return EvidenceSet.builder().cluster(state()).reports(reports).build();
  }

  /** A pod the kubelet evicted, with its message. */
  Cluster evicted(
      String ns,
      String name,
      String node,
      ObjectRef owner,
      String message,
      List<ContainerSpec> containers) {
    pods.add(
        new ClusterPod(
            ObjectRef.of("Pod", ns, name),
            Optional.of("uid-" + name),
            Optional.ofNullable(owner),
            Optional.of(node),
            Optional.of("Failed"),
            Optional.of("Evicted"),
            Optional.of(message),
            Optional.empty(),
            Optional.empty(),
            containers,
            List.of(),
            List.of()));
    return this;
  }

  /** A pod with its UID given, for joins with the kernel's reports. */
  Cluster podWithUid(
      String ns,
      String name,
      String uid,
      List<ContainerSpec> containers,
      List<ContainerStatus> statuses) {
    pods.add(
        new ClusterPod(
            ObjectRef.of("Pod", ns, name),
            Optional.of(uid),
            Optional.empty(),
            Optional.of("aks-node"),
            Optional.of("Running"),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            containers,
            statuses,
            List.of()));
    return this;
  }

  /** A container status whose current state is terminated, with its container ID. */
  static ContainerStatus terminated(String name, String containerId, String reason, int exit) {
    String path = "status.containerStatuses[0]";
    return new ContainerStatus(
        name,
        path,
        false,
        0,
        Optional.of(containerId),
        Optional.of(
            new Termination(
                path + ".state.terminated",
                Optional.of(reason),
                exit,
                Optional.empty(),
                Optional.of("2025-12-13T07:23:21Z"),
                Optional.empty())),
        Optional.empty());
  }

  Cluster podEvent(String ns, String pod, String reason, String message) {
    events.add(
        new ClusterEvent(
            ObjectRef.of("Event", ns, pod + "." + events.size()),
            ObjectRef.of("Pod", ns, pod),
            reason,
            message,
            Optional.of("Warning"),
            1,
            Optional.empty()));
    return this;
  }
}
