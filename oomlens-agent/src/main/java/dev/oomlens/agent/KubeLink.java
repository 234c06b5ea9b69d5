package dev.oomlens.agent;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.rules.Sizes;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/*
 * kubelet reports OOMKilled only when a container's main process dies; a kernel OOM kill of any
 * other process of the container (a worker, a sidecar's child, a shell) leaves the pod Running
 * and Ready, and nobody is told. This link gives every kernel kill on the node a name
 * (namespace, pod, container, from the pod UID and container ID the cgroup path holds) and an
 * Event on the pod, whose reason is the verdict a controller can act on: OOMKillLimit (the
 * container or pod outgrew its own limit) or OOMKillNode (the node ran out). A pod whose other
 * processes are killed again and again while it stays Ready gets OOMKillDegraded.
 *
 * One informer on the pods of this node (field selector spec.nodeName): names resolve from its
 * cache, with no API call on the kill's path; an Event is one create.
 */

/** Names kills after their pods and posts an Event on the pod for each. */
final class KubeLink implements Capture.KillListener, Capture.Names, AutoCloseable {
  /** Kills of other than the main process, within the window, that make a Ready pod degraded. */
  static final int DEGRADED_KILLS = 3;

  static final Duration DEGRADED_WINDOW = Duration.ofMinutes(10);

  private final KubernetesClient client;
  private final String node;
  private final Consumer<String> say;
  private final Map<String, Pod> byUid = new ConcurrentHashMap<>();
  private final Map<String, Deque<Instant>> sideKills = new ConcurrentHashMap<>();
  private final Map<String, Instant> degradedSaid = new ConcurrentHashMap<>();
  private SharedIndexInformer<Pod> informer;

  KubeLink(KubernetesClient client, String node, Consumer<String> say) {
    this.client = requireNonNull(client, "client");
    this.node = requireNonNull(node, "node");
    this.say = requireNonNull(say, "say");
  }

  /** Starts the informer on this node's pods (selected by the API server). */
  void start() {
    start(client.pods().inAnyNamespace().withField("spec.nodeName", node));
  }

  /**
   * Starts the informer on {@code pods}; only those of this node are kept, whatever the server
   * selected (fabric8's mock server ignores a spec.nodeName field selector).
   */
  void start(io.fabric8.kubernetes.client.dsl.Informable<Pod> pods) {
    informer =
        pods.inform(
            new ResourceEventHandler<>() {
              @Override
              public void onAdd(Pod pod) {
                put(pod);
              }

              @Override
              public void onUpdate(Pod old, Pod pod) {
                put(pod);
              }

              @Override
              public void onDelete(Pod pod, boolean unknownFinalState) {
                byUid.remove(pod.getMetadata().getUid());
              }
            },
            0);
  }

  private void put(Pod pod) {
    // The API server's field selector holds; a pod of another node is not this agent's to name.
    if (pod.getSpec() != null && node.equals(pod.getSpec().getNodeName())) {
      byUid.put(pod.getMetadata().getUid(), pod);
    }
  }

  /** The pods known now, by UID (for tests). */
  Map<String, Pod> pods() {
    return Map.copyOf(byUid);
  }

  @Override
  public Optional<Capture.Named> of(Optional<String> podUid, Optional<String> containerId) {
    Pod pod = podUid.map(byUid::get).orElse(null);
    if (pod == null) {
      return Optional.empty();
    }
    return Optional.of(
        new Capture.Named(
            pod.getMetadata().getNamespace(),
            pod.getMetadata().getName(),
            containerId.flatMap(id -> container(pod, id)).orElse("")));
  }

  private static Optional<String> container(Pod pod, String id) {
    if (pod.getStatus() == null) {
      return Optional.empty();
    }
    for (List<ContainerStatus> list :
        List.of(
            nonNull(pod.getStatus().getContainerStatuses()),
            nonNull(pod.getStatus().getInitContainerStatuses()),
            nonNull(pod.getStatus().getEphemeralContainerStatuses()))) {
      for (ContainerStatus s : list) {
        String cid = s.getContainerID();
        if (cid != null && (cid.endsWith("://" + id) || cid.equals(id))) {
          return Optional.of(s.getName());
        }
      }
    }
    return Optional.empty();
  }

  private static <T> List<T> nonNull(List<T> list) {
    return list == null ? List.of() : list;
  }

  @Override
  public void killed(KillRecord kill, OomReport report, long latencyMicros) {
    Optional<Pod> pod = kill.podUid().map(byUid::get);
    if (pod.isEmpty()) {
      return;
    }
    Pod p = pod.get();
    Optional<String> container = kill.containerId().flatMap(id -> container(p, id));
    String reason = kill.verdict() == Verdict.NODE ? "OOMKillNode" : "OOMKillLimit";
    String message =
        "Kernel OOM kill of "
            + kill.victimPid().stream()
                .mapToObj(pid -> pid + " (" + kill.victimComm().orElse("?") + ")")
                .findFirst()
                .orElse("no process")
            + kill.victimRssBytes().stream()
                .mapToObj(b -> ", " + Sizes.bytes(b))
                .findFirst()
                .orElse("")
            + container.map(c -> " in container " + c).orElse("")
            + "; verdict "
            + kill.verdict().label()
            + "; "
            + mainProcess(kill)
                .map(
                    m ->
                        m
                            ? "the container's main process"
                            : "not the container's" + " main process (kubelet will not report it)")
                .orElse("main process unknown")
            + "; "
            + kill.code().orElse("no finding")
            + ": "
            + kill.summary();
    post(p, container, reason, message, kill.at());
    if (mainProcess(kill).filter(m -> !m).isPresent() && ready(p)) {
      degraded(p, container, kill.at());
    }
  }

  /** True when the victim was PID 1 of its pid namespace (the container's main process). */
  private static Optional<Boolean> mainProcess(KillRecord kill) {
    int at = kill.captured().indexOf("\"ns_pid\":");
    if (at < 0) {
      return Optional.empty();
    }
    String rest = kill.captured().substring(at + 9).strip();
    return Optional.of(rest.startsWith("1,") || rest.startsWith("1}"));
  }

  private static boolean ready(Pod p) {
    return p.getStatus() != null
        && p.getStatus().getConditions() != null
        && p.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private void degraded(Pod p, Optional<String> container, Instant at) {
    String uid = p.getMetadata().getUid();
    Deque<Instant> kills = sideKills.computeIfAbsent(uid, k -> new ArrayDeque<>());
    synchronized (kills) {
      kills.addLast(at);
      while (!kills.isEmpty() && kills.peekFirst().isBefore(at.minus(DEGRADED_WINDOW))) {
        kills.removeFirst();
      }
      Instant said = degradedSaid.get(uid);
      if (kills.size() < DEGRADED_KILLS
          || (said != null && said.isAfter(at.minus(DEGRADED_WINDOW)))) {
        return;
      }
      degradedSaid.put(uid, at);
      post(
          p,
          container,
          "OOMKillDegraded",
          kills.size()
              + " processes other than the main one"
              + " were OOM-killed in "
              + DEGRADED_WINDOW.toMinutes()
              + " min while the pod stayed"
              + " Ready: it may be serving degraded",
          at);
    }
  }

  private void post(Pod p, Optional<String> container, String reason, String message, Instant at) {
    String ns = p.getMetadata().getNamespace();
    String now = at.toString();
    Event e =
        new EventBuilder()
            .withNewMetadata()
            .withGenerateName(p.getMetadata().getName() + ".oomlens-")
            .withNamespace(ns)
            .endMetadata()
            .withNewInvolvedObject()
            .withApiVersion("v1")
            .withKind("Pod")
            .withNamespace(ns)
            .withName(p.getMetadata().getName())
            .withUid(p.getMetadata().getUid())
            .withFieldPath(container.map(c -> "spec.containers{" + c + "}").orElse(null))
            .endInvolvedObject()
            .withReason(reason)
            .withMessage(message)
            .withType("Warning")
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withCount(1)
            .withNewSource()
            .withComponent("oomlens")
            .withHost(node)
            .endSource()
            .withReportingComponent("oomlens")
            .withReportingInstance(node)
            .build();
    try {
      client.v1().events().inNamespace(ns).resource(e).create();
    } catch (KubernetesClientException ex) {
      say.accept(
          "cannot post the "
              + reason
              + " Event on pod "
              + ns
              + "/"
              + p.getMetadata().getName()
              + ": "
              + ex.getMessage());
    }
  }

  @Override
  public void close() {
    if (informer != null) {
      informer.close();
    }
    client.close();
  }
}
