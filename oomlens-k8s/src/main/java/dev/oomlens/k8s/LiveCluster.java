package dev.oomlens.k8s;

import dev.oomlens.core.cluster.ClusterState;
import dev.oomlens.core.model.Input;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.source.EvidenceSource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/*
 * Only list is used (get, list and watch are the verbs docs/k8s.md's ClusterRole grants; a test
 * holds the client to them). Kinds a cluster may not serve (metrics.k8s.io without
 * metrics-server, Flux's CRDs) answer 404: that is said once as a problem of the input, without
 * spoiling it, since the rest stands. A 403 names the resource and the verb the role lacks.
 */

/** A cluster read from its API server through a fabric8 client. */
public final class LiveCluster implements EvidenceSource {
  /** The resources read, in order: what the ClusterRole must allow to list. */
  public static final List<String> RESOURCES =
      List.of(
          "nodes",
          "pods",
          "events",
          "daemonsets",
          "deployments",
          "statefulsets",
          "replicasets",
          "jobs",
          "cronjobs",
          "priorityclasses",
          "persistentvolumeclaims",
          "persistentvolumes",
          "limitranges",
          "pods.metrics.k8s.io",
          "kustomizations.kustomize.toolkit.fluxcd.io",
          "helmreleases.helm.toolkit.fluxcd.io",
          "virtualmachineinstances.kubevirt.io",
          "kubevirts.kubevirt.io",
          "settings.harvesterhci.io");

  private final Supplier<KubernetesClient> client;
  private final String name;
  private final Map<String, Long> vmMemoryBytes;

  /**
   * @param client opened when read and closed after
   * @param name how messages name the cluster: {@code cluster (context prod)}
   */
  public LiveCluster(
      Supplier<KubernetesClient> client, String name, Map<String, Long> vmMemoryBytes) {
    this.client = client;
    this.name = name;
    this.vmMemoryBytes = Map.copyOf(vmMemoryBytes);
  }

  @Override
  public void readInto(EvidenceSet.Builder evidence) {
    List<Problem> problems = new ArrayList<>();
    ClusterConverter converter =
        new ClusterConverter(
            (object, message) -> problems.add(new Problem(name, 0, object + ": " + message)));
    String server = "";
    try (KubernetesClient c = client.get()) {
      server = c.getMasterUrl() == null ? "" : " at " + c.getMasterUrl();
      list(problems, converter, "nodes", () -> c.nodes().list().getItems());
      list(problems, converter, "pods", () -> c.pods().inAnyNamespace().list().getItems());
      list(problems, converter, "events", () -> c.v1().events().inAnyNamespace().list().getItems());
      list(
          problems,
          converter,
          "daemonsets",
          () -> c.apps().daemonSets().inAnyNamespace().list().getItems());
      list(
          problems,
          converter,
          "deployments",
          () -> c.apps().deployments().inAnyNamespace().list().getItems());
      list(
          problems,
          converter,
          "statefulsets",
          () -> c.apps().statefulSets().inAnyNamespace().list().getItems());
      list(
          problems,
          converter,
          "replicasets",
          () -> c.apps().replicaSets().inAnyNamespace().list().getItems());
      list(
          problems,
          converter,
          "jobs",
          () -> c.batch().v1().jobs().inAnyNamespace().list().getItems());
      list(
          problems,
          converter,
          "cronjobs",
          () -> c.batch().v1().cronjobs().inAnyNamespace().list().getItems());
      list(
          problems,
          converter,
          "priorityclasses",
          () -> c.scheduling().v1().priorityClasses().list().getItems());
      list(
          problems,
          converter,
          "persistentvolumeclaims",
          () -> c.persistentVolumeClaims().inAnyNamespace().list().getItems());
      list(problems, converter, "persistentvolumes", () -> c.persistentVolumes().list().getItems());
      list(
          problems,
          converter,
          "limitranges",
          () -> c.limitRanges().inAnyNamespace().list().getItems());
      optional(
          problems, converter, "pods.metrics.k8s.io", () -> c.top().pods().metrics().getItems());
      custom(
          c,
          problems,
          converter,
          "kustomize.toolkit.fluxcd.io",
          "v1",
          "Kustomization",
          "kustomizations",
          true);
      custom(
          c,
          problems,
          converter,
          "helm.toolkit.fluxcd.io",
          "v2",
          "HelmRelease",
          "helmreleases",
          true);
      custom(
          c,
          problems,
          converter,
          "kubevirt.io",
          "v1",
          "VirtualMachineInstance",
          "virtualmachineinstances",
          true);
      custom(c, problems, converter, "kubevirt.io", "v1", "KubeVirt", "kubevirts", true);
      custom(c, problems, converter, "harvesterhci.io", "v1beta1", "Setting", "settings", false);
    } catch (KubernetesClientException | IllegalStateException e) {
      problems.add(
          new Problem(
              name,
              0,
              "cannot reach the API server" + server + ": " + reason(e),
              Problem.Kind.UNREADABLE));
    }
    ClusterState state = converter.build(name).withVmMemory(vmMemoryBytes);
    evidence.cluster(
        state,
        new Input(name, Input.Kind.CLUSTER, Optional.empty(), converter.objects(), problems));
  }

  private void list(
      List<Problem> problems,
      ClusterConverter converter,
      String resource,
      Supplier<List<? extends HasMetadata>> items) {
    try {
      items.get().forEach(converter::add);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 403) {
        problems.add(
            new Problem(
                name,
                0,
                "forbidden to list "
                    + resource
                    + " (the ClusterRole"
                    + " in docs/k8s.md grants it): "
                    + reason(e),
                Problem.Kind.DAMAGED));
      } else if (unreachable(e)) {
        throw e;
      } else {
        problems.add(
            new Problem(
                name, 0, "cannot list " + resource + ": " + reason(e), Problem.Kind.DAMAGED));
      }
    }
  }

  /*
   * Custom resources are named in full (group, version, plural, scope) rather than looked up by
   * kind: the lookup asks the server's discovery first and fails on the client when the CRD is
   * not installed, where a plain request answers 404, which says what it is.
   */
  private void custom(
      KubernetesClient c,
      List<Problem> problems,
      ClusterConverter converter,
      String group,
      String version,
      String kind,
      String plural,
      boolean namespaced) {
    ResourceDefinitionContext rdc =
        new ResourceDefinitionContext.Builder()
            .withGroup(group)
            .withVersion(version)
            .withKind(kind)
            .withPlural(plural)
            .withNamespaced(namespaced)
            .build();
    optional(
        problems,
        converter,
        plural + "." + group,
        () ->
            namespaced
                ? c.genericKubernetesResources(rdc).inAnyNamespace().list().getItems()
                : c.genericKubernetesResources(rdc).list().getItems());
  }

  /** A resource the cluster may not serve: a 404 is no fault of the input. */
  private void optional(
      List<Problem> problems,
      ClusterConverter converter,
      String resource,
      Supplier<List<? extends HasMetadata>> items) {
    try {
      items.get().forEach(converter::add);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        list(
            problems,
            converter,
            resource,
            () -> {
              throw e;
            });
      }
    }
  }

  /** True when the server did not answer at all: no HTTP status, an I/O failure beneath. */
  private static boolean unreachable(KubernetesClientException e) {
    if (e.getCode() > 0) {
      return false;
    }
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t instanceof java.io.IOException) {
        return true;
      }
    }
    return false;
  }

  /*
   * fabric8's own message ("Operation: [list] for kind: [Node] ... failed.") says which call, not
   * why; the deepest cause says why (Connection refused, a certificate not trusted, a 403's
   * status message).
   */
  static String reason(RuntimeException e) {
    Throwable deepest = e;
    while (deepest.getCause() != null && deepest.getCause() != deepest) {
      deepest = deepest.getCause();
    }
    String m = deepest.getMessage();
    if (e instanceof KubernetesClientException k
        && k.getStatus() != null
        && k.getStatus().getMessage() != null) {
      m = k.getStatus().getMessage();
    }
    if (m == null || m.isBlank()) {
      m = deepest.getClass().getSimpleName();
    }
    return m.lines().findFirst().orElse(m);
  }
}
