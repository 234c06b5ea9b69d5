package dev.oomlens.core.model;

import static java.util.Objects.requireNonNull;

import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The task the OOM killer killed, from the {@code Killed process N (x) total-vm:...} line. When
 * that line is missing, from the {@code oom-kill:...,task=x,pid=N,uid=U} summary, else from the
 * reaper's {@code oom_reaper: reaped process N (x), now ...} (or {@code unable to reap pid:N (x)})
 * line: then {@code source} is that line and the sizes are empty, since the reaper prints what was
 * left after it reaped, not what the victim held.
 *
 * <p>Sizes in bytes (the kill line prints kB).
 *
 * @param oomScoreAdj from the kill line (5.3+), else from the victim's task-table row
 * @param score the badness printed by pre-5.1 kernels ({@code Kill process N (x) score S or
 *     sacrifice child}), when it was printed for this task
 */
public record Victim(
    long pid,
    String comm,
    OptionalLong totalVmBytes,
    OptionalLong anonRssBytes,
    OptionalLong fileRssBytes,
    OptionalLong shmemRssBytes,
    OptionalLong uid,
    OptionalLong pgtablesBytes,
    OptionalInt oomScoreAdj,
    OptionalLong score,
    SourceLine source) {
  public Victim {
    comm = Names.of(comm);
    requireNonNull(totalVmBytes, "totalVmBytes");
    requireNonNull(anonRssBytes, "anonRssBytes");
    requireNonNull(fileRssBytes, "fileRssBytes");
    requireNonNull(shmemRssBytes, "shmemRssBytes");
    requireNonNull(uid, "uid");
    requireNonNull(pgtablesBytes, "pgtablesBytes");
    requireNonNull(oomScoreAdj, "oomScoreAdj");
    requireNonNull(score, "score");
    requireNonNull(source, "source");
  }

  /** anon + file + shmem RSS at the kill, when the kill line printed them. */
  public OptionalLong rssBytes() {
    if (anonRssBytes.isEmpty() || fileRssBytes.isEmpty()) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(
        anonRssBytes.getAsLong() + fileRssBytes.getAsLong() + shmemRssBytes.orElse(0));
  }
}
