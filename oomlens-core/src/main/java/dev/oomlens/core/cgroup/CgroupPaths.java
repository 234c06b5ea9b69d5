package dev.oomlens.core.cgroup;

import dev.oomlens.core.model.Workload;
import dev.oomlens.core.model.Workload.Kind;
import dev.oomlens.core.model.Workload.QosClass;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Decodes who a memory cgroup belongs to from its path: Kubernetes pod and container, Docker,
 * Podman, systemd unit, user session, libvirt VM.
 *
 * <p>The path is the one the kernel prints ({@code task_memcg=}, {@code oom_memcg=}, {@code Task in
 * ... killed as a result of limit of ...}, {@code Memory cgroup stats for ...}).
 */
/*
 * Grammar, as the kubelet, the container runtimes and systemd lay the hierarchy out:
 *
 * Kubernetes, systemd cgroup driver (pkg/kubelet/cm/cgroup_manager_linux.go, ToSystemd): every
 * level is a slice whose name repeats its parent's, dash-separated, so a pod UID has its dashes
 * escaped to underscores:
 *   kubepods.slice / kubepods-<qos>.slice / kubepods-<qos>-pod<uid_>.slice / <runtime>-<id>.scope
 *   (Guaranteed pods: kubepods.slice / kubepods-pod<uid_>.slice / ...)
 * The runtime prefix is cri-containerd (containerd), crio (CRI-O) or docker (dockershim,
 * cri-dockerd). A kubelet started with a cgroup root of its own (kind, some k3s setups) prefixes
 * every slice: kubelet.slice / kubelet-kubepods.slice / kubelet-kubepods-burstable.slice / ...
 *
 * Kubernetes, cgroupfs driver: kubepods / <qos> / pod<uid-with-dashes> / <64 hex>, with
 * Guaranteed pods directly under kubepods. The runtime is not in the path.
 *
 * On cgroup v2 a runtime may create a leaf below the container's own cgroup, and nested setups
 * (Kubernetes in Docker, k3s in a systemd unit) put anything before the kubepods level, so the
 * kubepods level is looked for anywhere in the path and components below the container are
 * ignored.
 *
 * Decoding goes level by level and reports the deepest level whose identity is certain and which
 * owns every cgroup below it. A component the grammar does not know ends the decode: below a pod
 * or a container it is ignored (the memory is still that pod's or container's); below the
 * kubepods or QoS level it makes the whole path "other", because calling it "kubepods" would claim
 * the node-allocatable limit was hit when it may not have been.
 *
 * conmon (CRI-O's and Podman's per-container monitor) runs in a scope of its own beside the
 * container: crio-conmon-<id>.scope, libpod-conmon-<id>.scope. Its memory is charged to the pod
 * (or nothing, for Podman) but belongs to no container the user declared, so it is decoded as the
 * pod (kind pod, runtime cri-o) or as a Podman workload without a container id; the scope name,
 * which holds the monitored container's id, stays in the unit.
 *
 * Container ids are 64 lower-case hex digits (containerd, CRI-O, Docker and Podman all use a
 * sha256-sized random id). Pod UIDs are RFC 4122 UUIDs, or 32 hex digits for static pods (the
 * kubelet names them by an md5 of their manifest).
 */
public final class CgroupPaths {
  private static final String HEX64 = "[0-9a-f]{64}";
  private static final Pattern CONTAINER_ID = Pattern.compile(HEX64);
  private static final Pattern UID_DASHES = uuid("-");
  private static final Pattern UID_UNDERSCORES = uuid("_");
  private static final Pattern UID_STATIC = Pattern.compile("[0-9a-fA-F]{32}");

  private static final Pattern SYSTEMD_CONTAINER =
      Pattern.compile("(cri-containerd|crio|docker)-(" + HEX64 + ")\\.scope");
  private static final Pattern CGROUPFS_CONTAINER =
      Pattern.compile("(?:(cri-containerd|crio|docker)-)?(" + HEX64 + ")(?:\\.scope)?");
  private static final Pattern CONMON =
      Pattern.compile("(crio|libpod)-conmon-" + HEX64 + "\\.scope");
  private static final Pattern DOCKER_SCOPE = Pattern.compile("docker-(" + HEX64 + ")\\.scope");
  private static final Pattern LIBPOD = Pattern.compile("libpod-(" + HEX64 + ")(?:\\.scope)?");
  private static final Pattern UNIT =
      Pattern.compile(".+\\.(service|scope|slice|socket|mount|swap)");
  private static final Pattern SESSION = Pattern.compile("session-[^/]+\\.scope");

  private CgroupPaths() {}

  /** An RFC 4122 UUID whose dashes are printed as {@code separator}. */
  private static Pattern uuid(String separator) {
    String h = "[0-9a-fA-F]";
    return Pattern.compile(
        String.join(separator, h + "{8}", h + "{4}", h + "{4}", h + "{4}", h + "{12}"));
  }

  /**
   * The workload a cgroup path (as the kernel prints it, e.g. {@code task_memcg=}) belongs to.
   * Never throws: a path it cannot place is {@link Kind#OTHER} with only {@code cgroup} set. The
   * {@code unit} is the innermost systemd unit the path is in; {@code kubevirt} is always false
   * here (see {@link #looksLikeKubevirt}).
   */
  public static Workload decode(String cgroupPath) {
    if (cgroupPath == null) {
      return Workload.UNKNOWN;
    }
    List<String> parts = new ArrayList<>();
    for (String part : cgroupPath.split("/")) {
      if (!part.isEmpty()) {
        parts.add(part);
      }
    }
    Optional<String> cgroup = Optional.of(cgroupPath);
    Workload other = workload(Kind.OTHER, cgroup, null, null, null, null, null);
    if (parts.isEmpty()) {
      return other;
    }
    for (int i = 0; i < parts.size(); i++) {
      String part = parts.get(i);
      if (part.equals("kubepods")) {
        return kubepodsCgroupfs(cgroup, parts, i).orElse(other);
      }
      String parentSlice = i == 0 ? null : parts.get(i - 1);
      if (part.equals("kubepods.slice")
          || (part.endsWith("-kubepods.slice")
              && parentSlice != null
              && parentSlice.endsWith(".slice")
              && part.startsWith(stem(parentSlice) + "-"))) {
        return kubepodsSystemd(cgroup, parts, i).orElse(other);
      }
    }
    for (String part : parts) {
      if ((part.startsWith("machine-qemu") && part.endsWith(".scope"))) {
        return workload(Kind.VM, cgroup, null, null, null, null, part);
      }
      if (part.endsWith(".libvirt-qemu")) {
        return workload(Kind.VM, cgroup, null, null, null, null, null);
      }
    }
    String unit = innermostUnit(parts);
    for (int i = parts.size() - 1; i >= 0; i--) {
      String part = parts.get(i);
      var libpod = LIBPOD.matcher(part);
      if (libpod.matches()) {
        return workload(Kind.PODMAN, cgroup, null, libpod.group(1), "podman", null, unit);
      }
      if (part.startsWith("libpod-conmon-") && CONMON.matcher(part).matches()) {
        return workload(Kind.PODMAN, cgroup, null, null, "podman", null, unit);
      }
      var dockerScope = DOCKER_SCOPE.matcher(part);
      if (dockerScope.matches()) {
        return workload(Kind.DOCKER, cgroup, null, dockerScope.group(1), "docker", null, unit);
      }
      if (i > 0 && parts.get(i - 1).equals("docker") && CONTAINER_ID.matcher(part).matches()) {
        return workload(Kind.DOCKER, cgroup, null, part, "docker", null, unit);
      }
    }
    String first = parts.get(0);
    if (first.equals("lxc")
        || first.startsWith("lxc.payload.")
        || first.startsWith("lxc.monitor.")) {
      return other;
    }
    if (unit != null) {
      Kind kind = SESSION.matcher(unit).matches() ? Kind.USER_SESSION : Kind.SYSTEMD_UNIT;
      return workload(kind, cgroup, null, null, null, null, unit);
    }
    return other;
  }

  /** {@code .../kubepods[/<qos>][/pod<uid>[/<id>[/...]]]}, cgroupfs driver. */
  private static Optional<Workload> kubepodsCgroupfs(
      Optional<String> cgroup, List<String> parts, int at) {
    int i = at + 1;
    QosClass qos = null;
    if (i < parts.size() && parts.get(i).equals("burstable")) {
      qos = QosClass.Burstable;
      i++;
    } else if (i < parts.size() && parts.get(i).equals("besteffort")) {
      qos = QosClass.BestEffort;
      i++;
    }
    if (i == parts.size()) {
      return Optional.of(workload(Kind.KUBEPODS, cgroup, null, null, null, qos, null));
    }
    String pod = parts.get(i);
    if (!pod.startsWith("pod")) {
      return Optional.empty();
    }
    String uid = pod.substring(3);
    if (!UID_DASHES.matcher(uid).matches() && !UID_STATIC.matcher(uid).matches()) {
      return Optional.empty();
    }
    if (qos == null) {
      qos = QosClass.Guaranteed;
    }
    i++;
    if (i < parts.size()) {
      var container = CGROUPFS_CONTAINER.matcher(parts.get(i));
      if (container.matches()) {
        String runtime = runtimeName(container.group(1));
        return Optional.of(
            workload(Kind.CONTAINER, cgroup, uid, container.group(2), runtime, qos, null));
      }
    }
    return Optional.of(workload(Kind.POD, cgroup, uid, null, null, qos, null));
  }

  /** {@code .../<p>kubepods.slice[/<p>kubepods-<qos>.slice][/...-pod<uid_>.slice[/...]]}. */
  private static Optional<Workload> kubepodsSystemd(
      Optional<String> cgroup, List<String> parts, int at) {
    String kubepods = parts.get(at);
    String stem = stem(kubepods);
    int i = at + 1;
    QosClass qos = null;
    String podPrefix = stem + "-pod";
    if (i < parts.size() && parts.get(i).equals(stem + "-burstable.slice")) {
      qos = QosClass.Burstable;
      podPrefix = stem + "-burstable-pod";
      i++;
    } else if (i < parts.size() && parts.get(i).equals(stem + "-besteffort.slice")) {
      qos = QosClass.BestEffort;
      podPrefix = stem + "-besteffort-pod";
      i++;
    }
    if (i == parts.size()) {
      String unit = parts.get(i - 1);
      return Optional.of(workload(Kind.KUBEPODS, cgroup, null, null, null, qos, unit));
    }
    String pod = parts.get(i);
    if (!pod.startsWith(podPrefix) || !pod.endsWith(".slice")) {
      return Optional.empty();
    }
    String escapedUid = pod.substring(podPrefix.length(), pod.length() - ".slice".length());
    String uid;
    if (UID_UNDERSCORES.matcher(escapedUid).matches()) {
      uid = escapedUid.replace('_', '-');
    } else if (UID_STATIC.matcher(escapedUid).matches()) {
      uid = escapedUid;
    } else {
      return Optional.empty();
    }
    if (qos == null) {
      qos = QosClass.Guaranteed;
    }
    i++;
    if (i < parts.size()) {
      String child = parts.get(i);
      var container = SYSTEMD_CONTAINER.matcher(child);
      if (container.matches()) {
        String runtime = runtimeName(container.group(1));
        return Optional.of(
            workload(Kind.CONTAINER, cgroup, uid, container.group(2), runtime, qos, child));
      }
      if (child.startsWith("crio-conmon-") && CONMON.matcher(child).matches()) {
        return Optional.of(workload(Kind.POD, cgroup, uid, null, "cri-o", qos, child));
      }
    }
    return Optional.of(workload(Kind.POD, cgroup, uid, null, null, qos, pod));
  }

  private static String runtimeName(String prefix) {
    if (prefix == null) {
      return null;
    }
    return switch (prefix) {
      case "cri-containerd" -> "containerd";
      case "crio" -> "cri-o";
      default -> prefix;
    };
  }

  /** {@code kubepods.slice} -> {@code kubepods}. */
  private static String stem(String slice) {
    return slice.substring(0, slice.length() - ".slice".length());
  }

  private static String innermostUnit(List<String> parts) {
    for (int i = parts.size() - 1; i >= 0; i--) {
      if (UNIT.matcher(parts.get(i)).matches()) {
        return parts.get(i);
      }
    }
    return null;
  }

  private static Workload workload(
      Kind kind,
      Optional<String> cgroup,
      String podUid,
      String containerId,
      String runtime,
      QosClass qos,
      String unit) {
    return new Workload(
        kind,
        cgroup,
        Optional.ofNullable(podUid),
        Optional.ofNullable(containerId),
        Optional.ofNullable(runtime),
        Optional.ofNullable(qos),
        Optional.ofNullable(unit),
        false);
  }

  /**
   * True when these task names (as the task table prints them) are those of a KubeVirt
   * virt-launcher pod.
   */
  public static boolean looksLikeKubevirt(Collection<String> comms) {
    /*
     * KubeVirt runs each VM in a pod whose compute container holds virt-launcher (and, since
     * 0.59, virt-launcher-monitor, which comm's 15-character cut prints as "virt-launcher-m"),
     * the libvirt daemons (virtqemud or libvirtd, virtlogd) and qemu. Only virt-launcher is
     * specific to KubeVirt: qemu and the libvirt daemons are just as present on a plain libvirt
     * host or in a libvirt VM's cgroup, so they never decide on their own. Conversely the
     * launcher alone is enough: a memcg task table lists only the OOM cgroup's tasks, and when
     * the limit hit is the compute container's, qemu may have been killed or reaped already, or
     * the table cut short, leaving the launcher as the only witness.
     */
    if (comms == null) {
      return false;
    }
    for (String comm : comms) {
      if (comm != null && (comm.equals("virt-launcher") || comm.startsWith("virt-launcher-"))) {
        return true;
      }
    }
    return false;
  }
}
