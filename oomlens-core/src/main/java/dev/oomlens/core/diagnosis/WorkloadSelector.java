package dev.oomlens.core.diagnosis;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.host.KillerEvent;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/*
 * One word for every way people name a workload after a kill. A path (it has a slash) is a
 * memory cgroup: the one the report names as oom_memcg or task_memcg, that cgroup's subtree, or a
 * path that ends the same way (what `cat /proc/PID/cgroup` printed inside a container). A UUID (with
 * dashes, or the systemd driver's underscores) is a pod's UID. Hexadecimal of 6 or more digits is
 * the start of a container ID, as `docker ps` and `crictl ps` shorten it. A name with a unit suffix
 * is a systemd unit. Anything else is a name: the unit without its suffix, the process the kernel
 * killed, or a pod as the kubelet's evictions name it (namespace/name or name); kernel reports do
 * not carry pod names, so a pod is found by its name only in the records that have one.
 */

/** Picks the reports and killer records of one workload, named the way the user knows it. */
public final class WorkloadSelector {
  private static final Pattern UUID =
      Pattern.compile(
          "[0-9a-fA-F]{8}[-_][0-9a-fA-F]{4}[-_][0-9a-fA-F]{4}[-_][0-9a-fA-F]{4}[-_][0-9a-fA-F]{12}");
  private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{6,64}");
  private static final Pattern UNIT = Pattern.compile(".+\\.(service|scope|slice)");

  private enum Kind {
    CGROUP("memory cgroup"),
    POD_UID("pod UID"),
    CONTAINER_ID("container ID"),
    UNIT("systemd unit"),
    NAME("workload named");

    private final String words;

    Kind(String words) {
      this.words = words;
    }
  }

  private final String given;
  private final Kind kind;
  private final String key;

  private WorkloadSelector(String given, Kind kind, String key) {
    this.given = given;
    this.kind = kind;
    this.key = key;
  }

  /**
   * The selector for {@code text}.
   *
   * @throws IllegalArgumentException when {@code text} is blank
   */
  public static WorkloadSelector parse(String text) {
    requireNonNull(text, "text");
    String t = text.strip();
    if (t.isEmpty()) {
      throw new IllegalArgumentException(
          "--workload needs a name: a pod UID, a container ID,"
              + " a systemd unit, a memory cgroup path or a process name");
    }
    if (t.contains("/") && !t.matches("[^/]+/[^/]+") || t.startsWith("/")) {
      String path = t.length() > 1 && t.endsWith("/") ? t.substring(0, t.length() - 1) : t;
      return new WorkloadSelector(t, Kind.CGROUP, path);
    }
    if (UUID.matcher(t).matches()) {
      return new WorkloadSelector(t, Kind.POD_UID, t.replace('_', '-').toLowerCase(Locale.ROOT));
    }
    if (HEX.matcher(t).matches()) {
      return new WorkloadSelector(t, Kind.CONTAINER_ID, t.toLowerCase(Locale.ROOT));
    }
    if (UNIT.matcher(t).matches()) {
      return new WorkloadSelector(t, Kind.UNIT, t);
    }
    return new WorkloadSelector(t, Kind.NAME, t);
  }

  /** {@code pod UID 479f...}: what the selector matches, for sentences. */
  public String describe() {
    return kind.words + " " + given;
  }

  /** True when the report is about this workload: its victim's or its limit's cgroup. */
  public boolean matches(OomReport r) {
    List<Workload> workloads = new ArrayList<>();
    workloads.add(r.workload());
    r.oomMemcg().map(dev.oomlens.core.cgroup.CgroupPaths::decode).ifPresent(workloads::add);
    return switch (kind) {
      case CGROUP ->
          r.oomMemcg().map(this::pathMatches).orElse(false)
              || r.taskMemcg().map(this::pathMatches).orElse(false)
              || r.memcg().flatMap(m -> m.statCgroup()).map(this::pathMatches).orElse(false);
      case POD_UID ->
          workloads.stream()
              .anyMatch(
                  w -> w.podUid().map(u -> u.toLowerCase(Locale.ROOT).equals(key)).orElse(false));
      case CONTAINER_ID ->
          workloads.stream()
              .anyMatch(
                  w ->
                      w.containerId()
                          .map(id -> id.toLowerCase(Locale.ROOT).startsWith(key))
                          .orElse(false));
      case UNIT ->
          workloads.stream().anyMatch(w -> w.unit().map(key::equals).orElse(false))
              || r.oomMemcg().map(this::hasSegment).orElse(false)
              || r.taskMemcg().map(this::hasSegment).orElse(false);
      case NAME ->
          workloads.stream().anyMatch(w -> w.unit().map(this::unitNamed).orElse(false))
              || r.victim().map(v -> v.comm().equals(key)).orElse(false);
    };
  }

  /** True when the killer's record is about this workload. */
  public boolean matches(KillerEvent e) {
    Optional<String> unit = e.unit();
    return switch (kind) {
      case CGROUP -> unit.map(this::pathMatches).orElse(false);
      case POD_UID, CONTAINER_ID ->
          unit.map(u -> u.toLowerCase(Locale.ROOT).contains(key)).orElse(false);
      case UNIT -> unit.map(key::equals).orElse(false);
      case NAME ->
          unit.map(u -> unitNamed(u) || u.equals(key) || u.endsWith("/" + key)).orElse(false)
              || e.comm().map(key::equals).orElse(false);
    };
  }

  private boolean pathMatches(String path) {
    return path.equals(key)
        || path.startsWith(key.endsWith("/") ? key : key + "/")
        || (!key.startsWith("/") && (path.endsWith("/" + key) || path.contains("/" + key + "/")));
  }

  /** True when the path passes through the unit: a slice holds every cgroup below it. */
  private boolean hasSegment(String path) {
    return path.equals("/" + key) || path.endsWith("/" + key) || path.contains("/" + key + "/");
  }

  private boolean unitNamed(String unit) {
    return unit.equals(key)
        || unit.equals(key + ".service")
        || unit.equals(key + ".scope")
        || unit.equals(key + ".slice");
  }
}
