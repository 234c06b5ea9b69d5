package dev.oomlens.core.cluster;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One container of a pod or a pod template.
 *
 * @param fieldPath where it stands in its object: {@code spec.containers[1]}, {@code
 *     spec.template.spec.initContainers[0]}
 * @param init true for an init container (a sidecar when {@code restartPolicy: Always})
 * @param sidecar an init container with {@code restartPolicy: Always}, or a regular container that
 *     is not the pod's first (the proxy or agent beside the application)
 * @param args the command and arguments, in order
 * @param env the environment variables with literal values (JAVA_TOOL_OPTIONS and the like)
 * @param memoryTmpfsMounts the {@code emptyDir: {medium: Memory}} volumes it mounts
 */
public record ContainerSpec(
    String name,
    String fieldPath,
    boolean init,
    boolean sidecar,
    Optional<String> image,
    OptionalLong requestBytes,
    OptionalLong limitBytes,
    List<String> args,
    Map<String, String> env,
    List<TmpfsMount> memoryTmpfsMounts) {
  public ContainerSpec {
    requireNonNull(name, "name");
    requireNonNull(fieldPath, "fieldPath");
    requireNonNull(image, "image");
    requireNonNull(requestBytes, "requestBytes");
    requireNonNull(limitBytes, "limitBytes");
    args = List.copyOf(args);
    env = Map.copyOf(env);
    memoryTmpfsMounts = List.copyOf(memoryTmpfsMounts);
  }

  /** A memory-backed emptyDir volume, and where the container mounts it. */
  public record TmpfsMount(String volume, String path) {
    public TmpfsMount {
      requireNonNull(volume, "volume");
      requireNonNull(path, "path");
    }
  }

  /** The field path of its memory limit. */
  public String limitPath() {
    return fieldPath + ".resources.limits.memory";
  }

  /** The field path of its memory request. */
  public String requestPath() {
    return fieldPath + ".resources.requests.memory";
  }
}
