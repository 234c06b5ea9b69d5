package dev.oomlens.core.cluster;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/*
 * Indexes are built once here, not by each rule: a rule that scans every event for every node (or
 * every pod for every claim) is quadratic on a cluster of thousands of nodes.
 */

/**
 * Everything read from one cluster (live, or from dumps), with the indexes the rules use.
 *
 * @param source where it was read from, as messages cite it: {@code cluster (context prod)}, a
 *     dump's path
 * @param pods the pods, and the pod templates of workloads whose pods are not in the input ({@link
 *     ClusterPod#template()})
 * @param vmMemoryBytes the memory each node's VM was configured with, as the user gave it ({@code
 *     --vm-memory NODE=SIZE}); the key {@code ""} holds a size for every node
 * @param virtualMachines the KubeVirt VirtualMachineInstances
 * @param defaultLimitBytes per namespace, the memory limit its LimitRange gives containers that set
 *     none ({@code limits[type=Container].default.memory}); admission writes it into pods, not into
 *     the templates of manifests
 */
public record ClusterState(
    String source,
    List<ClusterNode> nodes,
    List<ClusterPod> pods,
    List<ClusterEvent> events,
    List<PriorityClassInfo> priorityClasses,
    List<Volumes.Claim> claims,
    List<Volumes.Volume> volumes,
    List<PodUsage> usage,
    List<Condition> conditions,
    Map<String, Long> vmMemoryBytes,
    List<VirtualMachine> virtualMachines,
    Map<String, Long> defaultLimitBytes) {
  public ClusterState {
    requireNonNull(source, "source");
    nodes = List.copyOf(nodes);
    pods = List.copyOf(pods);
    events = List.copyOf(events);
    priorityClasses = List.copyOf(priorityClasses);
    claims = List.copyOf(claims);
    volumes = List.copyOf(volumes);
    usage = List.copyOf(usage);
    conditions = List.copyOf(conditions);
    vmMemoryBytes = Map.copyOf(vmMemoryBytes);
    virtualMachines = List.copyOf(virtualMachines);
    defaultLimitBytes = Map.copyOf(defaultLimitBytes);
  }

  /** A state without KubeVirt VMs (tests, and clusters that run none). */
  public ClusterState(
      String source,
      List<ClusterNode> nodes,
      List<ClusterPod> pods,
      List<ClusterEvent> events,
      List<PriorityClassInfo> priorityClasses,
      List<Volumes.Claim> claims,
      List<Volumes.Volume> volumes,
      List<PodUsage> usage,
      List<Condition> conditions,
      Map<String, Long> vmMemoryBytes) {
    this(
        source,
        nodes,
        pods,
        events,
        priorityClasses,
        claims,
        volumes,
        usage,
        conditions,
        vmMemoryBytes,
        List.of(),
        Map.of());
  }

  /** This state with the VM sizes the user gave. */
  public ClusterState withVmMemory(Map<String, Long> sizes) {
    return new ClusterState(
        source,
        nodes,
        pods,
        events,
        priorityClasses,
        claims,
        volumes,
        usage,
        conditions,
        sizes,
        virtualMachines,
        defaultLimitBytes);
  }

  /** The memory node {@code name}'s VM was configured with, when the user said. */
  public Optional<Long> vmMemory(String name) {
    return Optional.ofNullable(vmMemoryBytes.get(name))
        .or(() -> Optional.ofNullable(vmMemoryBytes.get("")));
  }

  /** The node named {@code name}, when the cluster holds it. */
  public Optional<ClusterNode> node(String name) {
    return Optional.ofNullable(index().nodes.get(name));
  }

  /** The pods (not templates) scheduled to {@code node}. */
  public List<ClusterPod> podsOn(String node) {
    return index().podsByNode.getOrDefault(node, List.of());
  }

  /** The events about {@code object}. */
  public List<ClusterEvent> eventsAbout(ObjectRef object) {
    return index().eventsByObject.getOrDefault(object, List.of());
  }

  /** The working set of container {@code container} of pod {@code pod}, when metrics hold it. */
  public Optional<Long> workingSet(ObjectRef pod, String container) {
    PodUsage u = index().usage.get(pod.namespace().orElse("") + "/" + pod.name());
    return u == null ? Optional.empty() : Optional.ofNullable(u.workingSetBytes().get(container));
  }

  /**
   * Every container of every workload once, in the order of the input: a template and its pods are
   * one workload.
   */
  public List<WorkloadContainer> workloadContainers() {
    return index().workloadContainers;
  }

  /** The PodMetrics object of {@code pod}, when metrics hold it. */
  public Optional<PodUsage> usageOf(ObjectRef pod) {
    return Optional.ofNullable(index().usage.get(pod.namespace().orElse("") + "/" + pod.name()));
  }

  // Records may not hold extra fields; the index lives beside the instance, built on first use.
  private static final Map<ClusterState, Index> INDEXES =
      java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

  private Index index() {
    return INDEXES.computeIfAbsent(this, Index::new);
  }

  @Override
  public boolean equals(Object o) {
    return this == o;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(this);
  }

  private static final class Index {
    final Map<String, ClusterNode> nodes = new HashMap<>();
    final Map<String, List<ClusterPod>> podsByNode = new HashMap<>();
    final Map<ObjectRef, List<ClusterEvent>> eventsByObject = new HashMap<>();
    final Map<String, PodUsage> usage = new HashMap<>();
    final List<WorkloadContainer> workloadContainers;

    Index(ClusterState s) {
      s.nodes.forEach(n -> nodes.putIfAbsent(n.name(), n));
      for (ClusterPod p : s.pods) {
        if (!p.template() && p.nodeName().isPresent()) {
          podsByNode.computeIfAbsent(p.nodeName().get(), k -> new ArrayList<>()).add(p);
        }
      }
      Map<ObjectRef, List<ClusterEvent>> events = new LinkedHashMap<>();
      for (ClusterEvent e : s.events) {
        events.computeIfAbsent(e.involved(), k -> new ArrayList<>()).add(e);
      }
      eventsByObject.putAll(events);
      s.usage.forEach(u -> usage.put(u.ref().namespace().orElse("") + "/" + u.ref().name(), u));
      workloadContainers = byWorkload(s.pods);
    }

    private static List<WorkloadContainer> byWorkload(List<ClusterPod> all) {
      record Key(ObjectRef workload, boolean init, String name) {}
      Map<Key, List<ClusterPod>> pods = new LinkedHashMap<>();
      Map<Key, ContainerSpec> specs = new HashMap<>();
      for (ClusterPod p : all) {
        ObjectRef w = p.workload();
        for (ContainerSpec c : p.containers()) {
          Key key = new Key(w, c.init(), c.name());
          pods.computeIfAbsent(key, k -> new ArrayList<>()).add(p);
          specs.putIfAbsent(key, c);
        }
      }
      List<WorkloadContainer> out = new ArrayList<>(pods.size());
      pods.forEach((k, v) -> out.add(new WorkloadContainer(k.workload(), specs.get(k), v)));
      return List.copyOf(out);
    }
  }
}
