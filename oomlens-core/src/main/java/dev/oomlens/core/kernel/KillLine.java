package dev.oomlens.core.kernel;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * One line of the end of an OOM report, as {@link KillLineParser} reads it: the kill itself, what
 * the kernel says about tasks sharing the victim's memory, the reaper's verdict, or the report's
 * other endings (panic, nothing killable, victim already exiting).
 */
sealed interface KillLine {

  /**
   * Pre-5.1 {@code <msg>: Kill process N (x) score S or sacrifice child}: the task chosen, before a
   * child may be killed in its place.
   *
   * @param message the {@code %s} before the colon ({@code Out of memory}, {@code Memory cgroup out
   *     of memory}...); empty for the bare form
   */
  record KillProcess(Optional<String> message, long pid, String comm, long score)
      implements KillLine {}

  /**
   * {@code [<msg>: ]Killed process N (x) total-vm:..kB, anon-rss:..kB, file-rss:..kB[,
   * shmem-rss:..kB][, UID:u pgtables:..kB oom_score_adj:n]}. Fields a cut line lost are empty.
   */
  record Killed(
      Optional<String> message,
      long pid,
      String comm,
      OptionalLong totalVmKb,
      OptionalLong anonRssKb,
      OptionalLong fileRssKb,
      OptionalLong shmemRssKb,
      OptionalLong uid,
      OptionalLong pgtablesKb,
      OptionalInt oomScoreAdj)
      implements KillLine {}

  /**
   * Pre-4.x {@code Kill process N (x) sharing same memory}: another process using the victim's mm.
   */
  record SharingMemory(long pid, String comm) implements KillLine {}

  /** {@code oom killer N (x) has mm pinned by M (y)}: the victim's memory is shared with init. */
  record MmPinned(long pid, String comm, long pinnedByPid, String pinnedByComm)
      implements KillLine {}

  /** {@code <msg>: OOM victim N (x) is already exiting. Skip killing the task}. */
  record AlreadyExiting(Optional<String> message, long pid, String comm) implements KillLine {}

  /** {@code oom_reaper: reaped process N (x), now anon-rss:..kB, file-rss:..kB, shmem-rss:..kB}. */
  record Reaped(long pid, String comm, OptionalLong anonRssKb) implements KillLine {}

  /** {@code oom_reaper: unable to reap pid:N (x)}. */
  record UnableToReap(long pid, String comm) implements KillLine {}

  /**
   * {@code Out of memory and no killable processes...}, which pre-4.19 kernels print as a panic.
   *
   * @param panic true for the {@code Kernel panic - not syncing: } form
   */
  record NoKillable(boolean panic, String text) implements KillLine {}

  /**
   * An OOM panic: {@code Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is
   * enabled} (or {@code compulsory}), {@code System is deadlocked on memory}, or other {@code Out
   * of memory} panics.
   *
   * @param text what follows {@code not syncing: }
   */
  record Panic(String text) implements KillLine {}

  /** {@code Tasks in <cgroup> are going to be killed due to memory.oom.group set}. */
  record GroupKillHeader(String cgroup) implements KillLine {}
}
