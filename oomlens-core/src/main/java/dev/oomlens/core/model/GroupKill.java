package dev.oomlens.core.model;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * {@code Tasks in <cgroup> are going to be killed due to memory.oom.group set}: every task of the
 * cgroup died for one allocation (the Kubernetes default on cgroup v2 since 1.28).
 */
public record GroupKill(String cgroup, List<KilledTask> killed, SourceLine source) {
  public GroupKill {
    requireNonNull(cgroup, "cgroup");
    killed = List.copyOf(killed);
    requireNonNull(source, "source");
  }
}
