package dev.oomlens.report.markdown;

import dev.oomlens.core.model.LogTime;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.Victim;
import dev.oomlens.core.model.Workload;
import dev.oomlens.core.rules.Sizes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Sentences about one OOM report, in the words the post-mortem uses. */
final class Facts {
  private Facts() {}

  /** The host a report names; empty for framings without one (dmesg). */
  static Optional<String> host(OomReport r) {
    return r.host();
  }

  /** When, as the log tells: wall clock when printed, else seconds after boot. */
  static String when(LogTime t) {
    if (t.wallclock().isPresent()) {
      return t.wallclock().get().replace('T', ' ');
    }
    if (t.monotonicSeconds().isPresent()) {
      return String.format(Locale.ROOT, "%.3f s after boot", t.monotonicSeconds().getAsDouble());
    }
    return "time not in the log";
  }

  /** The date part of a wall clock, when there is one. */
  static Optional<String> date(LogTime t) {
    return t.wallclock().filter(w -> w.length() >= 10).map(w -> w.substring(0, 10));
  }

  /**
   * Who the victim belonged to: the container, pod, unit or cgroup the report names; empty when it
   * names none.
   */
  static String where(OomReport r) {
    Workload w = r.workload();
    String base =
        switch (w.kind()) {
          case CONTAINER ->
              w.podUid().isPresent()
                  ? "container "
                      + Markdown.code(shortId(w.containerId()))
                      + " of pod "
                      + Markdown.code(w.podUid().get())
                  : w.containerId().isPresent()
                      ? "container " + Markdown.code(shortId(w.containerId()))
                      : "container cgroup " + Markdown.code(w.cgroup().orElse("?"));
          case POD -> "pod " + Markdown.code(w.podUid().orElse(w.cgroup().orElse("?")));
          case KUBEPODS -> "the node's kubepods cgroup (all pods together)";
          case DOCKER -> "Docker container " + Markdown.code(shortId(w.containerId()));
          case PODMAN -> "Podman container " + Markdown.code(shortId(w.containerId()));
          case SYSTEMD_UNIT ->
              "systemd unit " + Markdown.code(w.unit().orElse(w.cgroup().orElse("?")));
          case USER_SESSION ->
              "user session " + Markdown.code(w.unit().orElse(w.cgroup().orElse("?")));
          case VM -> "virtual machine " + Markdown.code(w.unit().orElse(w.cgroup().orElse("?")));
          case OTHER -> w.cgroup().map(c -> "cgroup " + Markdown.code(c)).orElse("");
        };
    return w.kubevirt() ? base + " (a KubeVirt virt-launcher pod)" : base;
  }

  /** The victim with its size: {@code `java` (pid 7537, RSS 139.3 MiB)}. */
  static String victim(OomReport r) {
    if (r.victim().isEmpty()) {
      if (r.panic().isPresent()) {
        return "no process (the kernel panicked instead)";
      }
      return r.noKillableProcesses()
          ? "no process (none was killable)"
          : "a process the log does not name";
    }
    Victim v = r.victim().get();
    List<String> parts = new ArrayList<>();
    parts.add("pid " + v.pid());
    v.rssBytes().ifPresent(b -> parts.add("RSS " + Sizes.bytes(b)));
    v.oomScoreAdj()
        .ifPresentOrElse(
            adj -> parts.add("oom_score_adj " + adj),
            () -> r.victimRow().ifPresent(row -> parts.add("oom_score_adj " + row.oomScoreAdj())));
    return Markdown.code(v.comm()) + " (" + String.join(", ", parts) + ")";
  }

  static String shortId(Optional<String> id) {
    return id.map(x -> x.length() > 12 ? x.substring(0, 12) : x).orElse("(unnamed)");
  }
}
