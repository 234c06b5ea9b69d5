package dev.oomlens.core.cluster;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;

/**
 * What the API server calls a pod the kernel knows by its UID: its namespace and name, and the
 * names of its containers by container ID (the runtime's, without its scheme).
 */
public record PodName(String uid, String namespace, String name, Map<String, String> containers) {
  public PodName {
    requireNonNull(uid, "uid");
    requireNonNull(namespace, "namespace");
    requireNonNull(name, "name");
    containers = Map.copyOf(containers);
  }

  /** The name of the container whose ID starts with {@code id} (or is a prefix of it). */
  public Optional<String> container(String id) {
    return containers.entrySet().stream()
        .filter(e -> e.getKey().startsWith(id) || id.startsWith(e.getKey()))
        .map(Map.Entry::getValue)
        .findFirst();
  }

  /** {@code pod ns/name, container c}, the container when {@code containerId} names one. */
  public String describe(Optional<String> containerId) {
    return "pod "
        + namespace
        + "/"
        + name
        + containerId.flatMap(this::container).map(c -> ", container " + c).orElse("");
  }
}
