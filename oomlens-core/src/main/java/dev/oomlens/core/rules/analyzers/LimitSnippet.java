package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.model.Workload;
import dev.oomlens.core.rules.Shell;
import dev.oomlens.core.rules.Sizes;
import dev.oomlens.core.rules.Snippets;
import java.util.Optional;
import java.util.OptionalLong;

/*
 * The same limit is set in different words by whoever runs the workload: the kubelet reads a
 * pod spec, systemd a unit's properties, Docker and Podman their update command (whose
 * --memory-swap counts memory and swap together, and must be given with a larger --memory), and
 * a cgroup made by hand its own files (v1 memory+swap first, since it must stay at or above
 * memory). Names from the evidence are shell-quoted: a log can name a unit anything.
 */

/** A ready-to-paste memory limit change in the terms of the workload the cgroup belongs to. */
final class LimitSnippet {
  private LimitSnippet() {}

  /** Kubernetes container resources with a memory request and limit. */
  static String kubernetes(long requestBytes, long limitBytes) {
    return "resources:\n"
        + "  requests:\n"
        + "    memory: \""
        + Sizes.quantityMi(requestBytes)
        + "\"\n"
        + "  limits:\n"
        + "    memory: \""
        + Sizes.quantityMi(limitBytes)
        + "\"";
  }

  /**
   * The limit of {@code workload} (whose cgroup is {@code cgroup}) set to {@code limitBytes}.
   *
   * @param requestBytes what a Kubernetes container should request beside the limit
   * @param swapAllowanceBytes the swap it may use on top of memory, when known, for the settings
   *     that count both (Docker's --memory-swap, cgroup v1's memory.memsw.limit_in_bytes)
   * @param cgroupV1 true when the cgroup is on v1's memory hierarchy
   * @param command the command of a transient scope's process, in words
   */
  static String forWorkload(
      Workload workload,
      String cgroup,
      long requestBytes,
      long limitBytes,
      OptionalLong swapAllowanceBytes,
      boolean cgroupV1,
      String command) {
    long mib = Sizes.ceilMib(limitBytes);
    Optional<String> shortId =
        workload.containerId().map(id -> id.substring(0, Math.min(12, id.length())));
    return switch (workload.kind()) {
      case CONTAINER, POD, KUBEPODS -> kubernetes(requestBytes, limitBytes);
      case DOCKER, PODMAN -> {
        String tool = workload.kind() == Workload.Kind.PODMAN ? "podman" : "docker";
        long swapMib = mib + Sizes.ceilMib(swapAllowanceBytes.orElse(mib * Sizes.MIB));
        yield tool
            + " update --memory "
            + mib
            + "m --memory-swap "
            + swapMib
            + "m "
            + Shell.quote(shortId.orElse("<container>"))
            + (swapAllowanceBytes.isPresent()
                ? ""
                : "   # " + tool + "'s default memory-swap:" + " twice --memory")
            + (workload.kind() == Workload.Kind.DOCKER
                ? "\n# compose: mem_limit: " + mib + "m"
                : "");
      }
      case SYSTEMD_UNIT, USER_SESSION, VM ->
          workload.unit().isPresent()
              ? Snippets.systemdLimit(
                  Shell.quote(workload.unit().get()), mib, mib * 9 / 10, command)
              : cgroupFiles(cgroup, limitBytes, swapAllowanceBytes, cgroupV1);
      default ->
          workload.podUid().isPresent()
              ? kubernetes(requestBytes, limitBytes)
              : cgroupFiles(cgroup, limitBytes, swapAllowanceBytes, cgroupV1);
    };
  }

  /** The limit written to the cgroup's own files. */
  static String cgroupFiles(
      String cgroup, long limitBytes, OptionalLong swapAllowanceBytes, boolean cgroupV1) {
    long bytes = Sizes.ceilMib(limitBytes) * Sizes.MIB;
    String path = cgroup.replaceAll("^/+", "");
    if (!cgroupV1) {
      return "echo " + bytes + " > " + Shell.quote("/sys/fs/cgroup/" + path + "/memory.max");
    }
    String dir = Shell.quote("/sys/fs/cgroup/memory/" + path);
    String memsw =
        swapAllowanceBytes.isPresent()
            ? "echo "
                + (bytes + swapAllowanceBytes.getAsLong())
                + " > "
                + dir
                + "/memory.memsw.limit_in_bytes   # memory+swap first: it must stay >= memory\n"
            : "";
    return memsw + "echo " + bytes + " > " + dir + "/memory.limit_in_bytes";
  }
}
