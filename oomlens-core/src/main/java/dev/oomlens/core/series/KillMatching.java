package dev.oomlens.core.series;

import dev.oomlens.core.model.MemcgState;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.Victim;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/*
 * A kernel OOM report belongs to a container's profile when the container ID the report's cgroup
 * path names (Workload.containerId: the task's memcg, decoded for containerd, CRI-O, Docker and
 * the systemd and cgroupfs drivers) appears in the cAdvisor `id` label of one of the profile's
 * lives (cAdvisor's id is that same cgroup path). IDs shorter than 12 characters are never matched:
 * too many paths would contain them.
 *
 * What the kernel saw the container hold: the usage of the memory cgroup it printed when that
 * cgroup is the container's own (oom_memcg ends with the ID), else the victim's anon + file +
 * shmem RSS and page tables, as LimitPolicy counts what a victim held. That is the floor of the limit `size` proposes: a scrape every 30 s misses the last
 * seconds before a kill, the kernel's report does not.
 */

/** Attaches kernel OOM reports to the container profiles they are about. */
public final class KillMatching {
  private KillMatching() {}

  /** Marks each report on the profile it is about (time and what was held). */
  public static void attach(List<OomReport> reports, List<MemoryProfile> profiles) {
    for (OomReport r : reports) {
      Optional<String> id = r.workload().containerId().filter(c -> c.length() >= 12);
      if (id.isEmpty() || r.victim().isEmpty()) {
        continue;
      }
      for (MemoryProfile p : profiles) {
        if (p.livesById().stream().anyMatch(l -> l.contains(id.get()))) {
          OptionalLong held = held(r, id.get());
          p.kill(instant(r), held);
          if (r.victim().get().comm().equals("java")
              || r.tasks().stream().anyMatch(t -> t.comm().equals("java"))) {
            p.jvm();
          }
          break;
        }
      }
    }
  }

  static OptionalLong held(OomReport r, String containerId) {
    Optional<MemcgState> m = r.memcg();
    if (m.isPresent() && r.oomMemcg().map(c -> c.contains(containerId)).orElse(false)) {
      return OptionalLong.of(m.get().usageBytes());
    }
    Victim v = r.victim().get();
    if (v.anonRssBytes().isEmpty()) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(
        v.anonRssBytes().getAsLong()
            + v.fileRssBytes().orElse(0)
            + v.shmemRssBytes().orElse(0)
            + v.pgtablesBytes().orElse(0));
  }

  /** The wall-clock time of a report, when its log gives one. */
  static Optional<Instant> instant(OomReport r) {
    Optional<String> w = r.time().wallclock();
    if (w.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(OffsetDateTime.parse(w.get()).toInstant());
    } catch (DateTimeParseException e) {
      try {
        return Optional.of(LocalDateTime.parse(w.get()).toInstant(ZoneOffset.UTC));
      } catch (DateTimeParseException e2) {
        return Optional.empty();
      }
    }
  }
}
