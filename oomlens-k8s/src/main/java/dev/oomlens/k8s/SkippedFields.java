package dev.oomlens.k8s;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Volume;
import tools.jackson.databind.json.JsonMapper;

/*
 * Most of a pod's bytes are fields no rule reads (probes, ports, tolerations, conditions, the
 * images a node holds): binding them into model objects was a third of reading a large dump.
 * Mix-ins tell Jackson to skip them while parsing; what the converter reads is untouched, so a
 * dump read this way gives the same records as the live API. Only the dump reader's mapper has
 * them.
 */

/** Jackson mix-ins that skip the fields of fabric8's model that no rule reads. */
final class SkippedFields {
  private SkippedFields() {}

  @JsonIgnoreProperties({
    "affinity",
    "tolerations",
    "securityContext",
    "dnsPolicy",
    "dnsConfig",
    "enableServiceLinks",
    "preemptionPolicy",
    "priority",
    "schedulerName",
    "serviceAccount",
    "serviceAccountName",
    "terminationGracePeriodSeconds",
    "topologySpreadConstraints",
    "hostAliases",
    "imagePullSecrets",
    "readinessGates",
    "nodeSelector",
    "automountServiceAccountToken",
    "hostname",
    "subdomain",
    "setHostnameAsFQDN",
    "shareProcessNamespace",
    "runtimeClassName"
  })
  interface PodSpecMixin {}

  @JsonIgnoreProperties({
    "ports",
    "readinessProbe",
    "livenessProbe",
    "startupProbe",
    "securityContext",
    "terminationMessagePath",
    "terminationMessagePolicy",
    "imagePullPolicy",
    "lifecycle",
    "envFrom",
    "workingDir",
    "stdin",
    "stdinOnce",
    "tty",
    "volumeDevices",
    "resizePolicy"
  })
  interface ContainerMixin {}

  @JsonIgnoreProperties({
    "conditions",
    "hostIP",
    "hostIPs",
    "podIP",
    "podIPs",
    "startTime",
    "nominatedNodeName",
    "resize",
    "ephemeralContainerStatuses",
    "resourceClaimStatuses"
  })
  interface PodStatusMixin {}

  @JsonIgnoreProperties({
    "image",
    "imageID",
    "ready",
    "started",
    "allocatedResources",
    "allocatedResourcesStatus",
    "resources",
    "volumeMounts",
    "user"
  })
  interface ContainerStatusMixin {}

  @JsonIgnoreProperties({
    "images",
    "nodeInfo",
    "addresses",
    "daemonEndpoints",
    "volumesAttached",
    "volumesInUse",
    "config",
    "runtimeHandlers",
    "features"
  })
  interface NodeStatusMixin {}

  @JsonIgnoreProperties({
    "projected",
    "configMap",
    "secret",
    "downwardAPI",
    "hostPath",
    "csi",
    "ephemeral",
    "nfs"
  })
  interface VolumeMixin {}

  /** {@code builder} with the mix-ins added. */
  static JsonMapper.Builder addTo(JsonMapper.Builder builder) {
    return builder
        .addMixIn(PodSpec.class, PodSpecMixin.class)
        .addMixIn(Container.class, ContainerMixin.class)
        .addMixIn(PodStatus.class, PodStatusMixin.class)
        .addMixIn(ContainerStatus.class, ContainerStatusMixin.class)
        .addMixIn(NodeStatus.class, NodeStatusMixin.class)
        .addMixIn(Volume.class, VolumeMixin.class);
  }
}
