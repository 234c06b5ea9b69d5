package dev.oomlens.report.markdown;

import dev.oomlens.core.model.HostMemory;
import dev.oomlens.core.model.LogTime;
import dev.oomlens.core.model.MemcgState;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.OomScope;
import dev.oomlens.core.model.Victim;
import dev.oomlens.core.model.Workload;
import dev.oomlens.core.rules.ReportFacts;
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
   * Who the victim belonged to: the container, pod, unit or cgroup the report names; empty when
   * it names none.
   */
  static String where(OomReport r) {
    Workload w = r.workload();
    String base = switch (w.kind()) {
      case CONTAINER -> w.podUid().isPresent()
          ? "container " + Markdown.code(shortId(w.containerId())) + " of pod "
              + Markdown.code(w.podUid().get())
          : w.containerId().isPresent()
              ? "container " + Markdown.code(shortId(w.containerId()))
              : "container cgroup " + Markdown.code(w.cgroup().orElse("?"));
      case POD -> "pod " + Markdown.code(w.podUid().orElse(w.cgroup().orElse("?")));
      case KUBEPODS -> "the node's kubepods cgroup (all pods together)";
      case DOCKER -> "Docker container " + Markdown.code(shortId(w.containerId()));
      case PODMAN -> "Podman container " + Markdown.code(shortId(w.containerId()));
      case SYSTEMD_UNIT -> "systemd unit " + Markdown.code(w.unit().orElse(w.cgroup().orElse("?")));
      case USER_SESSION -> "user session " + Markdown.code(w.unit().orElse(w.cgroup().orElse("?")));
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
      return r.noKillableProcesses() ? "no process (none was killable)"
          : "a process the log does not name";
    }
    Victim v = r.victim().get();
    List<String> parts = new ArrayList<>();
    parts.add("pid " + v.pid());
    v.rssBytes().ifPresent(b -> parts.add("RSS " + Sizes.bytes(b)));
    v.oomScoreAdj().ifPresentOrElse(adj -> parts.add("oom_score_adj " + adj),
        () -> r.victimRow().ifPresent(row -> parts.add("oom_score_adj " + row.oomScoreAdj())));
    return Markdown.code(v.comm()) + " (" + String.join(", ", parts) + ")";
  }

  /** Where the memory ran out, with the numbers the report printed. */
  static String ranOut(OomReport r) {
    if (ReportFacts.isManual(r)) {
      return "the OOM killer was invoked by hand (SysRq-f, order=-1): memory was not necessarily"
          + " short";
    }
    Optional<OomScope> scope = r.scope();
    if (scope.isPresent() && scope.get() == OomScope.MEMCG) {
      String cgroup = r.oomMemcg().or(() -> r.memcg().flatMap(MemcgState::statCgroup))
          .map(Markdown::code).orElse("(not named)");
      if (r.memcg().isEmpty()) {
        return "memory cgroup " + cgroup + " hit its limit";
      }
      MemcgState m = r.memcg().get();
      String failcnt = m.failcnt().stream().mapToObj(f -> ", failcnt " + f).findFirst()
          .orElse("");
      if (MemcgState.isUnlimited(m.limitBytes())) {
        return "memory cgroup " + cgroup + " ran out though its own limit is unlimited (a"
            + " parent's limit was hit; usage " + Sizes.bytes(m.usageBytes()) + failcnt + ")";
      }
      return "memory cgroup " + cgroup + " was at " + Sizes.bytes(m.usageBytes()) + " of its "
          + Sizes.bytes(m.limitBytes()) + " limit ("
          + Sizes.percent(m.usageBytes(), m.limitBytes()) + failcnt + ")";
    }
    String totals = hostTotals(r);
    if (scope.isPresent() && scope.get() == OomScope.CPUSET) {
      return "the allocation was confined to cpuset " + Markdown.code(r.cpuset().orElse("?"))
          + r.memsAllowed().map(m -> " (memory nodes " + m + ")").orElse("")
          + ", whose nodes ran out; the host had " + totals;
    }
    if (scope.isPresent() && scope.get() == OomScope.MEMORY_POLICY) {
      return "the allocation was bound by a memory policy to nodes that ran out; the host had "
          + totals;
    }
    if (scope.isPresent()) {
      return "the whole host ran out: " + totals;
    }
    return "the report does not show where the memory ran out";
  }

  /** Free RAM and swap from a host-wide report's Mem-Info block. */
  static String hostTotals(OomReport r) {
    if (r.hostMemory().isEmpty()) {
      return "no memory counters in the report";
    }
    HostMemory h = r.hostMemory().get();
    List<String> parts = new ArrayList<>();
    Long free = h.counterBytes().get("free");
    if (free != null) {
      parts.add("free " + Sizes.bytes(free) + h.ramBytes().stream()
          .mapToObj(b -> " of " + Sizes.bytes(b) + " RAM").findFirst().orElse(""));
    } else {
      h.ramBytes().ifPresent(b -> parts.add(Sizes.bytes(b) + " RAM"));
    }
    if (h.totalSwapBytes().isPresent()) {
      long total = h.totalSwapBytes().getAsLong();
      parts.add(total == 0 ? "no swap"
          : "swap free " + h.freeSwapBytes().stream().mapToObj(Sizes::bytes).findFirst()
              .orElse("?") + " of " + Sizes.bytes(total));
    }
    return parts.isEmpty() ? "no memory totals in the report" : String.join(", ", parts);
  }

  /** The scope as a short word for tables. */
  static String scopeWord(OomReport r) {
    if (ReportFacts.isManual(r)) {
      return "manual (SysRq)";
    }
    return r.scope().map(s -> switch (s) {
      case MEMCG -> "memory cgroup";
      case GLOBAL -> "host-wide";
      case CPUSET -> "cpuset";
      case MEMORY_POLICY -> "memory policy";
    }).orElse("unknown");
  }

  static String shortId(Optional<String> id) {
    return id.map(x -> x.length() > 12 ? x.substring(0, 12) : x).orElse("(unnamed)");
  }
}
