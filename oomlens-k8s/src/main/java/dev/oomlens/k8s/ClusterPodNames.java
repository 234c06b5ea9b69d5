package dev.oomlens.k8s;

import dev.oomlens.core.cluster.PodName;
import dev.oomlens.core.model.Input;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.source.EvidenceSource;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/*
 * doctor knows a kill by the pod UID and container ID in its cgroup path; people know pods by
 * namespace and name. With a kubeconfig or a service account at hand, the pods are listed once
 * (list only, as LiveCluster) and only their names are kept: no cluster rule runs on them, since
 * doctor is about this machine. What could not be listed is a problem of this input alone.
 */

/** The names of a cluster's pods by UID, for naming the kills doctor finds. */
public final class ClusterPodNames implements EvidenceSource {
  private final Supplier<KubernetesClient> client;
  private final String name;

  public ClusterPodNames(Supplier<KubernetesClient> client, String name) {
    this.client = client;
    this.name = name;
  }

  @Override
  public void readInto(EvidenceSet.Builder evidence) {
    List<PodName> names = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    try (KubernetesClient c = client.get()) {
      for (Pod p : c.pods().inAnyNamespace().list().getItems()) {
        if (p.getMetadata() == null || p.getMetadata().getUid() == null) {
          continue;
        }
        Map<String, String> containers = new LinkedHashMap<>();
        if (p.getStatus() != null) {
          add(p.getStatus().getInitContainerStatuses(), containers);
          add(p.getStatus().getContainerStatuses(), containers);
        }
        names.add(
            new PodName(
                p.getMetadata().getUid(),
                String.valueOf(p.getMetadata().getNamespace()),
                p.getMetadata().getName(),
                containers));
      }
    } catch (KubernetesClientException | IllegalStateException e) {
      problems.add(
          new Problem(
              name,
              0,
              "cannot list the pods that would name the kills: " + LiveCluster.reason(e),
              Problem.Kind.UNREADABLE));
    }
    evidence.podNames(names, new Input(name, Input.Kind.CLUSTER, names.size(), problems));
  }

  private static void add(List<ContainerStatus> statuses, Map<String, String> out) {
    if (statuses == null) {
      return;
    }
    for (ContainerStatus s : statuses) {
      String id = s.getContainerID();
      if (id != null && s.getName() != null) {
        out.put(id.contains("://") ? id.substring(id.indexOf("://") + 3) : id, s.getName());
      }
    }
  }
}
