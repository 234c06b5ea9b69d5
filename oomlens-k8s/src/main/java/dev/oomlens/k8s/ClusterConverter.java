package dev.oomlens.k8s;

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
import dev.oomlens.core.cluster.VirtualMachine;
import dev.oomlens.core.cluster.Volumes;
import dev.oomlens.core.model.Quantity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeItem;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.ContainerMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;

/*
 * One converter for both paths (the API server and dumps), so a cluster read live and the same
 * cluster dumped give the rules identical records. Objects are taken as they come; what needs the
 * whole set (a ReplicaSet's Deployment, whether a workload's pods are in the input) is settled in
 * build(). A workload whose pods are present is represented by them (their statuses, nodes and
 * use); one whose pods are not (a manifest from a repository or helm template) by its template.
 *
 * A field that cannot be read (a quantity that is no quantity, a missing name) costs that field or
 * object, named in a problem, never the run.
 */

/** Turns Kubernetes objects (fabric8's model) into one {@link ClusterState}. */
public final class ClusterConverter {
  /** Receives what could not be read, naming the object and field. */
  @FunctionalInterface
  public interface Problems {
    void problem(String object, String message);
  }

  private static final Set<String> FLUX_KINDS = Set.of("Kustomization", "HelmRelease");
  private static final String HARVESTER_RATIO = "additional-guest-memory-overhead-ratio";

  /** The kinds the rules read; a reader may skip the others without building them. */
  private static final Set<String> READ_KINDS =
      Set.of(
          "Node",
          "Pod",
          "Event",
          "DaemonSet",
          "Deployment",
          "StatefulSet",
          "ReplicaSet",
          "Job",
          "CronJob",
          "PriorityClass",
          "PersistentVolumeClaim",
          "PersistentVolume",
          "PodMetrics",
          "Kustomization",
          "HelmRelease",
          "VirtualMachineInstance",
          "KubeVirt",
          "Setting",
          "LimitRange");

  /** True for a kind the rules read; {@link #add} ignores the others. */
  public static boolean reads(String kind) {
    return READ_KINDS.contains(kind);
  }

  private final Problems problems;
  private final List<ClusterNode> nodes = new ArrayList<>();
  private final List<PodDraft> pods = new ArrayList<>();
  private final List<PodDraft> templates = new ArrayList<>();
  private final List<ClusterEvent> events = new ArrayList<>();
  private final List<PriorityClassInfo> priorityClasses = new ArrayList<>();
  private final List<Volumes.Claim> claims = new ArrayList<>();
  private final List<Volumes.Volume> volumes = new ArrayList<>();
  private final List<PodUsage> usage = new ArrayList<>();
  private final List<Condition> conditions = new ArrayList<>();
  private final List<GenericKubernetesResource> vmis = new ArrayList<>();
  private final Map<String, Long> defaultLimits = new HashMap<>();
  private Double ratio;
  private String ratioSource;

  /** ReplicaSets and Jobs by namespace/name: their owner, for pods they own. */
  private final Map<String, ObjectRef> ownerOf = new HashMap<>();

  private final Map<String, String> interned = new HashMap<>();
  private long objects;

  /** A pod, or a workload's template, before owners are resolved. */
  private record PodDraft(ClusterPod pod, Optional<ObjectRef> rawOwner) {}

  public ClusterConverter(Problems problems) {
    this.problems = Objects.requireNonNull(problems, "problems");
  }

  /** How many objects were taken (kinds no rule reads are not counted). */
  public long objects() {
    return objects;
  }

  /** Takes one object; kinds no rule reads are skipped. */
  public void add(HasMetadata o) {
    ObjectMeta m = o.getMetadata();
    String kind = o.getKind() == null ? o.getClass().getSimpleName() : o.getKind();
    if (m == null || m.getName() == null || m.getName().isEmpty()) {
      problems.problem(kind, "an object of kind " + kind + " has no metadata.name; skipped");
      return;
    }
    String where =
        kind + " " + (m.getNamespace() == null ? "" : m.getNamespace() + "/") + m.getName();
    try {
      boolean taken =
          switch (o) {
            case Node n -> node(n);
            case Pod p -> pod(p);
            case Event e -> event(e);
            case DaemonSet d ->
                template(
                    d,
                    d.getSpec() == null ? null : d.getSpec().getTemplate(),
                    "spec.template.spec");
            case Deployment d ->
                template(
                    d,
                    d.getSpec() == null ? null : d.getSpec().getTemplate(),
                    "spec.template.spec");
            case StatefulSet s ->
                template(
                    s,
                    s.getSpec() == null ? null : s.getSpec().getTemplate(),
                    "spec.template.spec");
            case ReplicaSet r -> replicaSet(r);
            case Job j -> job(j);
            case CronJob c ->
                template(
                    c,
                    c.getSpec() == null
                            || c.getSpec().getJobTemplate() == null
                            || c.getSpec().getJobTemplate().getSpec() == null
                        ? null
                        : c.getSpec().getJobTemplate().getSpec().getTemplate(),
                    "spec.jobTemplate.spec.template.spec");
            case PriorityClass pc -> priorityClass(pc);
            case io.fabric8.kubernetes.api.model.scheduling.v1beta1.PriorityClass pc -> {
              priorityClasses.add(
                  new PriorityClassInfo(ref(pc), pc.getValue() == null ? 0 : pc.getValue()));
              yield true;
            }
            case PersistentVolumeClaim c -> claim(c);
            case PersistentVolume v -> volume(v);
            case PodMetrics pm -> podMetrics(pm);
            case LimitRange lr -> limitRange(lr);
            case GenericKubernetesResource g -> generic(g);
            default -> false;
          };
      if (taken) {
        objects++;
      }
    } catch (RuntimeException e) {
      // The model accepts shapes the API server never produces (an ownerReference without a
      // kind, a container without a name); such an object is named, not a stack trace.
      problems.problem(
          where,
          "cannot be read: "
              + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
    }
  }

  /** The cluster as read, named {@code source}. */
  public ClusterState build(String source) {
    Set<ObjectRef> withPods = new HashSet<>();
    List<ClusterPod> outPods = new ArrayList<>();
    for (PodDraft d : pods) {
      ClusterPod p = d.pod();
      Optional<ObjectRef> owner = d.rawOwner().map(this::resolve);
      owner.ifPresent(withPods::add);
      outPods.add(
          new ClusterPod(
              p.ref(),
              p.uid(),
              owner,
              p.nodeName(),
              p.phase(),
              p.reason(),
              p.message(),
              p.qosClass(),
              p.priorityClassName(),
              p.containers(),
              p.statuses(),
              p.claims()));
    }
    for (PodDraft d : templates) {
      ObjectRef w = d.pod().ref();
      if (!withPods.contains(w) && !ownerOf.containsKey(key(w))) {
        outPods.add(d.pod());
      }
    }
    // One order whatever the reading order (the API server's, a directory's, a dump's), so the
    // live cluster and its dump give the same findings, citing in the same order.
    Comparator<ObjectRef> byRef =
        Comparator.comparing(ObjectRef::kind)
            .thenComparing(r -> r.namespace().orElse(""))
            .thenComparing(ObjectRef::name);
    nodes.sort(Comparator.comparing(ClusterNode::ref, byRef));
    outPods.sort(Comparator.comparing(ClusterPod::ref, byRef));
    events.sort(Comparator.comparing(ClusterEvent::ref, byRef));
    priorityClasses.sort(Comparator.comparing(PriorityClassInfo::ref, byRef));
    claims.sort(Comparator.comparing(Volumes.Claim::ref, byRef));
    volumes.sort(Comparator.comparing(Volumes.Volume::ref, byRef));
    usage.sort(Comparator.comparing(PodUsage::ref, byRef));
    conditions.sort(
        Comparator.comparing(Condition::ref, byRef).thenComparing(Condition::fieldPath));
    List<VirtualMachine> vms = new ArrayList<>();
    for (GenericKubernetesResource g : vmis) {
      try {
        vm(g).ifPresent(vms::add);
      } catch (RuntimeException e) {
        problems.problem(ref(g).describe(), "cannot be read: " + e.getMessage());
      }
    }
    vms.sort(Comparator.comparing(VirtualMachine::ref, byRef));
    return new ClusterState(
        source,
        nodes,
        outPods,
        events,
        priorityClasses,
        claims,
        volumes,
        usage,
        conditions,
        Map.of(),
        vms,
        defaultLimits);
  }

  private Optional<VirtualMachine> vm(GenericKubernetesResource g) {
    Map<String, Object> p = g.getAdditionalProperties();
    Object guest = GenericKubernetesResource.get(p, "spec", "domain", "memory", "guest");
    if (guest == null) {
      guest = GenericKubernetesResource.get(p, "spec", "domain", "resources", "requests", "memory");
    }
    if (guest == null) {
      problems.problem(
          ref(g).describe(),
          "no spec.domain.memory.guest nor"
              + " resources.requests.memory; its launcher is not checked");
      return Optional.empty();
    }
    int vcpus = 1;
    for (String k : List.of("sockets", "cores", "threads")) {
      Object n = GenericKubernetesResource.get(p, "spec", "domain", "cpu", k);
      if (n instanceof Number num && num.intValue() > 0) {
        vcpus *= num.intValue();
      }
    }
    Object graphics =
        GenericKubernetesResource.get(p, "spec", "domain", "devices", "autoattachGraphicsDevice");
    return Optional.of(
        new VirtualMachine(
            ref(g),
            Quantity.parseBytes(guest.toString()),
            vcpus,
            !Boolean.FALSE.equals(graphics),
            Optional.ofNullable(ratio),
            Optional.ofNullable(ratioSource)));
  }

  private ObjectRef resolve(ObjectRef owner) {
    ObjectRef r = owner;
    for (int i = 0; i < 3 && ownerOf.containsKey(key(r)); i++) {
      r = ownerOf.get(key(r));
    }
    return r;
  }

  private static String key(ObjectRef r) {
    return r.kind() + "/" + r.namespace().orElse("") + "/" + r.name();
  }

  private String intern(String s) {
    return s == null ? null : interned.computeIfAbsent(s, Function.identity());
  }

  private ObjectRef ref(HasMetadata o) {
    String kind = o.getKind() == null ? o.getClass().getSimpleName() : o.getKind();
    return ObjectRef.of(
        intern(kind), intern(o.getMetadata().getNamespace()), o.getMetadata().getName());
  }

  private OptionalLong bytes(
      ObjectRef where, String field, Map<String, io.fabric8.kubernetes.api.model.Quantity> map) {
    if (map == null || map.get("memory") == null) {
      return OptionalLong.empty();
    }
    String text = map.get("memory").toString();
    try {
      return OptionalLong.of(Quantity.parseBytes(text));
    } catch (IllegalArgumentException e) {
      problems.problem(where.describe(), field + ": " + e.getMessage());
      return OptionalLong.empty();
    }
  }

  private boolean node(Node n) {
    ObjectRef r = ref(n);
    Optional<Boolean> ready = Optional.empty();
    Optional<String> readyReason = Optional.empty();
    Optional<Boolean> pressure = Optional.empty();
    if (n.getStatus() != null && n.getStatus().getConditions() != null) {
      for (NodeCondition c : n.getStatus().getConditions()) {
        if ("Ready".equals(c.getType())) {
          ready =
              "True".equals(c.getStatus())
                  ? Optional.of(true)
                  : "False".equals(c.getStatus()) ? Optional.of(false) : Optional.empty();
          readyReason = Optional.ofNullable(c.getReason());
        } else if ("MemoryPressure".equals(c.getType())) {
          pressure = Optional.of("True".equals(c.getStatus()));
        }
      }
    }
    nodes.add(
        new ClusterNode(
            r,
            n.getStatus() == null
                ? OptionalLong.empty()
                : bytes(r, "status.capacity.memory", n.getStatus().getCapacity()),
            n.getStatus() == null
                ? OptionalLong.empty()
                : bytes(r, "status.allocatable.memory", n.getStatus().getAllocatable()),
            ready,
            readyReason,
            pressure,
            n.getSpec() != null && Boolean.TRUE.equals(n.getSpec().getUnschedulable()),
            n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels()));
    return true;
  }

  private boolean pod(Pod p) {
    ObjectRef r = ref(p);
    PodSpec spec = p.getSpec();
    List<ContainerSpec> containers = spec == null ? List.of() : containers(r, spec, "spec");
    List<ContainerStatus> statuses = new ArrayList<>();
    Optional<String> phase = Optional.empty();
    Optional<String> reason = Optional.empty();
    Optional<String> message = Optional.empty();
    Optional<String> qos = Optional.empty();
    if (p.getStatus() != null) {
      phase = Optional.ofNullable(intern(p.getStatus().getPhase()));
      reason = Optional.ofNullable(p.getStatus().getReason());
      message = Optional.ofNullable(p.getStatus().getMessage());
      qos = Optional.ofNullable(intern(p.getStatus().getQosClass()));
      statuses(
          p.getStatus().getInitContainerStatuses(), "status.initContainerStatuses", true, statuses);
      statuses(p.getStatus().getContainerStatuses(), "status.containerStatuses", false, statuses);
    }
    ClusterPod pod =
        new ClusterPod(
            r,
            Optional.ofNullable(p.getMetadata().getUid()),
            Optional.empty(),
            Optional.ofNullable(spec == null ? null : intern(spec.getNodeName())),
            phase,
            reason,
            message,
            qos,
            Optional.ofNullable(spec == null ? null : spec.getPriorityClassName()),
            containers,
            statuses,
            claims(spec));
    pods.add(new PodDraft(pod, controller(p)));
    return true;
  }

  private Optional<ObjectRef> controller(HasMetadata o) {
    List<OwnerReference> owners = o.getMetadata().getOwnerReferences();
    if (owners == null) {
      return Optional.empty();
    }
    for (OwnerReference ow : owners) {
      if (ow.getKind() == null || ow.getName() == null) {
        problems.problem(
            ref(o).describe(),
            "metadata.ownerReferences holds an owner without" + " kind or name; it is left out");
        continue;
      }
      if (owners.size() == 1 || Boolean.TRUE.equals(ow.getController())) {
        return Optional.of(
            ObjectRef.of(
                intern(ow.getKind()), intern(o.getMetadata().getNamespace()), ow.getName()));
      }
    }
    return Optional.empty();
  }

  private static List<String> claims(PodSpec spec) {
    List<String> out = new ArrayList<>();
    if (spec != null && spec.getVolumes() != null) {
      for (Volume v : spec.getVolumes()) {
        if (v.getPersistentVolumeClaim() != null
            && v.getPersistentVolumeClaim().getClaimName() != null) {
          out.add(v.getPersistentVolumeClaim().getClaimName());
        }
      }
    }
    return out;
  }

  private void statuses(
      List<io.fabric8.kubernetes.api.model.ContainerStatus> list,
      String path,
      boolean init,
      List<ContainerStatus> out) {
    if (list == null) {
      return;
    }
    for (int i = 0; i < list.size(); i++) {
      io.fabric8.kubernetes.api.model.ContainerStatus s = list.get(i);
      String p = path + "[" + i + "]";
      String id = s.getContainerID();
      if (id != null && id.contains("://")) {
        id = id.substring(id.indexOf("://") + 3);
      }
      out.add(
          new ContainerStatus(
              s.getName() == null ? "" : intern(s.getName()),
              p,
              init,
              s.getRestartCount() == null ? 0 : s.getRestartCount(),
              Optional.ofNullable(id),
              Optional.ofNullable(
                  s.getState() == null
                      ? null
                      : termination(s.getState().getTerminated(), p + ".state.terminated")),
              Optional.ofNullable(
                  s.getLastState() == null
                      ? null
                      : termination(
                          s.getLastState().getTerminated(), p + ".lastState.terminated"))));
    }
  }

  private Termination termination(ContainerStateTerminated t, String path) {
    if (t == null) {
      return null;
    }
    return new Termination(
        path,
        Optional.ofNullable(intern(t.getReason())),
        t.getExitCode() == null ? 0 : t.getExitCode(),
        Optional.ofNullable(t.getStartedAt()),
        Optional.ofNullable(t.getFinishedAt()),
        Optional.ofNullable(t.getMessage()));
  }

  private List<ContainerSpec> containers(ObjectRef r, PodSpec spec, String base) {
    Set<String> memoryVolumes = new HashSet<>();
    if (spec.getVolumes() != null) {
      for (Volume v : spec.getVolumes()) {
        if (v.getEmptyDir() != null && "Memory".equals(v.getEmptyDir().getMedium())) {
          memoryVolumes.add(v.getName());
        }
      }
    }
    List<ContainerSpec> out = new ArrayList<>();
    List<Container> init = spec.getInitContainers() == null ? List.of() : spec.getInitContainers();
    for (int i = 0; i < init.size(); i++) {
      Container c = init.get(i);
      out.add(
          container(
              r,
              c,
              base + ".initContainers[" + i + "]",
              true,
              "Always".equals(c.getRestartPolicy()),
              memoryVolumes));
    }
    List<Container> main = spec.getContainers() == null ? List.of() : spec.getContainers();
    for (int i = 0; i < main.size(); i++) {
      out.add(
          container(r, main.get(i), base + ".containers[" + i + "]", false, i > 0, memoryVolumes));
    }
    return out;
  }

  private ContainerSpec container(
      ObjectRef r,
      Container c,
      String path,
      boolean init,
      boolean sidecar,
      Set<String> memoryVolumes) {
    if (c.getName() == null) {
      throw new IllegalArgumentException(path + " has no name");
    }
    ResourceRequirements res = c.getResources();
    List<String> args = new ArrayList<>();
    if (c.getCommand() != null) {
      args.addAll(c.getCommand());
    }
    if (c.getArgs() != null) {
      args.addAll(c.getArgs());
    }
    Map<String, String> env = new LinkedHashMap<>();
    if (c.getEnv() != null) {
      for (EnvVar e : c.getEnv()) {
        if (e.getName() != null && e.getValue() != null) {
          env.put(e.getName(), e.getValue());
        }
      }
    }
    List<ContainerSpec.TmpfsMount> tmpfs = new ArrayList<>();
    if (c.getVolumeMounts() != null) {
      c.getVolumeMounts().stream()
          .filter(m -> memoryVolumes.contains(m.getName()) && m.getMountPath() != null)
          .forEach(m -> tmpfs.add(new ContainerSpec.TmpfsMount(m.getName(), m.getMountPath())));
    }
    return new ContainerSpec(
        intern(c.getName()),
        path,
        init,
        sidecar,
        Optional.ofNullable(intern(c.getImage())),
        res == null
            ? OptionalLong.empty()
            : bytes(r, path + ".resources.requests.memory", res.getRequests()),
        res == null
            ? OptionalLong.empty()
            : bytes(r, path + ".resources.limits.memory", res.getLimits()),
        args,
        env,
        tmpfs);
  }

  private boolean template(HasMetadata w, PodTemplateSpec t, String base) {
    if (t == null || t.getSpec() == null) {
      return true;
    }
    ObjectRef r = ref(w);
    templates.add(
        new PodDraft(
            new ClusterPod(
                r,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.ofNullable(t.getSpec().getPriorityClassName()),
                containers(r, t.getSpec(), base),
                List.of(),
                claims(t.getSpec())),
            Optional.empty()));
    return true;
  }

  private boolean replicaSet(ReplicaSet r) {
    controller(r).ifPresent(o -> ownerOf.put(key(ref(r)), o));
    return template(
        r, r.getSpec() == null ? null : r.getSpec().getTemplate(), "spec.template.spec");
  }

  private boolean job(Job j) {
    controller(j).ifPresent(o -> ownerOf.put(key(ref(j)), o));
    return template(
        j, j.getSpec() == null ? null : j.getSpec().getTemplate(), "spec.template.spec");
  }

  private boolean event(Event e) {
    ObjectReference inv = e.getInvolvedObject();
    if (inv == null || inv.getKind() == null || inv.getName() == null) {
      problems.problem(ref(e).describe(), "involvedObject has no kind or name; skipped");
      return false;
    }
    String last =
        e.getLastTimestamp() != null
            ? e.getLastTimestamp()
            : e.getEventTime() != null ? e.getEventTime().getTime() : null;
    events.add(
        new ClusterEvent(
            ref(e),
            ObjectRef.of(intern(inv.getKind()), intern(inv.getNamespace()), intern(inv.getName())),
            e.getReason() == null ? "" : intern(e.getReason()),
            e.getMessage() == null ? "" : e.getMessage(),
            Optional.ofNullable(intern(e.getType())),
            e.getCount() == null || e.getCount() < 1 ? 1 : e.getCount(),
            Optional.ofNullable(last)));
    return true;
  }

  private boolean priorityClass(PriorityClass pc) {
    priorityClasses.add(new PriorityClassInfo(ref(pc), pc.getValue() == null ? 0 : pc.getValue()));
    return true;
  }

  private boolean claim(PersistentVolumeClaim c) {
    Map<String, String> ann = c.getMetadata().getAnnotations();
    claims.add(
        new Volumes.Claim(
            ref(c),
            Optional.ofNullable(c.getStatus() == null ? null : c.getStatus().getPhase()),
            Optional.ofNullable(c.getSpec() == null ? null : c.getSpec().getVolumeName()),
            Optional.ofNullable(
                ann == null ? null : ann.get("volume.kubernetes.io/selected-node"))));
    return true;
  }

  private boolean volume(PersistentVolume v) {
    List<String> hosts = new ArrayList<>();
    if (v.getSpec() != null
        && v.getSpec().getNodeAffinity() != null
        && v.getSpec().getNodeAffinity().getRequired() != null
        && v.getSpec().getNodeAffinity().getRequired().getNodeSelectorTerms() != null) {
      for (NodeSelectorTerm t :
          v.getSpec().getNodeAffinity().getRequired().getNodeSelectorTerms()) {
        if (t.getMatchExpressions() == null) {
          continue;
        }
        for (NodeSelectorRequirement req : t.getMatchExpressions()) {
          if ("kubernetes.io/hostname".equals(req.getKey())
              && "In".equals(req.getOperator())
              && req.getValues() != null) {
            hosts.addAll(req.getValues());
          }
        }
      }
    }
    Optional<ObjectRef> claim = Optional.empty();
    if (v.getSpec() != null
        && v.getSpec().getClaimRef() != null
        && v.getSpec().getClaimRef().getName() != null) {
      claim =
          Optional.of(
              ObjectRef.of(
                  "PersistentVolumeClaim",
                  v.getSpec().getClaimRef().getNamespace(),
                  v.getSpec().getClaimRef().getName()));
    }
    volumes.add(
        new Volumes.Volume(
            ref(v),
            Optional.ofNullable(v.getStatus() == null ? null : v.getStatus().getPhase()),
            claim,
            hosts));
    return true;
  }

  private boolean limitRange(LimitRange lr) {
    ObjectRef r = ref(lr);
    if (lr.getSpec() == null || lr.getSpec().getLimits() == null) {
      return true;
    }
    for (LimitRangeItem item : lr.getSpec().getLimits()) {
      if ("Container".equals(item.getType())) {
        bytes(r, "spec.limits[type=Container].default.memory", item.getDefault())
            .ifPresent(b -> defaultLimits.putIfAbsent(r.namespace().orElse(""), b));
      }
    }
    return true;
  }

  private boolean podMetrics(PodMetrics pm) {
    ObjectRef r = ref(pm);
    Map<String, Long> ws = new LinkedHashMap<>();
    if (pm.getContainers() != null) {
      for (ContainerMetrics c : pm.getContainers()) {
        bytes(r, "containers[" + c.getName() + "].usage.memory", c.getUsage())
            .ifPresent(b -> ws.put(intern(c.getName()), b));
      }
    }
    usage.add(new PodUsage(r, ws));
    return true;
  }

  @SuppressWarnings("unchecked")
  private boolean generic(GenericKubernetesResource g) {
    switch (g.getKind()) {
      case "VirtualMachineInstance" -> {
        vmis.add(g);
        return true;
      }
      case "KubeVirt" -> {
        Object r =
            GenericKubernetesResource.get(
                g.getAdditionalProperties(),
                "spec",
                "configuration",
                "additionalGuestMemoryOverheadRatio");
        if (r != null && ratio == null) {
          ratio = Double.parseDouble(r.toString());
          ratioSource =
              "KubeVirt "
                  + g.getMetadata().getName()
                  + " spec.configuration.additionalGuestMemoryOverheadRatio";
        }
        return true;
      }
      case "Setting" -> {
        if (HARVESTER_RATIO.equals(g.getMetadata().getName())) {
          Object v = g.getAdditionalProperties().get("value");
          Object d = g.getAdditionalProperties().get("default");
          String text =
              v != null && !v.toString().isEmpty() ? v.toString() : d == null ? "" : d.toString();
          double h = dev.oomlens.core.calc.KubevirtOverhead.parseHarvesterRatio(text);
          // Harvester's own setting wins over the KubeVirt CR it writes.
          ratio = h == 0 ? 1.0 : h;
          ratioSource = "Harvester setting " + HARVESTER_RATIO + (h == 0 ? " (legacy mode)" : "");
        }
        return true;
      }
      default -> {
        // Flux's kinds below.
      }
    }
    if (!FLUX_KINDS.contains(g.getKind())) {
      return false;
    }
    ObjectRef r = ref(g);
    Object status = g.getAdditionalProperties().get("status");
    if (!(status instanceof Map<?, ?> s) || !(s.get("conditions") instanceof List<?> list)) {
      return true;
    }
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i) instanceof Map<?, ?> c
          && c.get("type") instanceof String type
          && c.get("status") instanceof String st) {
        conditions.add(
            new Condition(
                r,
                "status.conditions[" + i + "]",
                type,
                st,
                Optional.ofNullable(c.get("reason") instanceof String x ? x : null),
                Optional.ofNullable(c.get("message") instanceof String x ? x : null)));
      }
    }
    return true;
  }
}
