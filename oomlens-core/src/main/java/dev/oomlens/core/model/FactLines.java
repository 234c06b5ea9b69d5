package dev.oomlens.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * The lines an OOM report printed its single-line facts on, so that a finding can quote them; each
 * is empty when the input did not hold it. (Facts kept in records of their own, such as {@link
 * Trigger}, {@link Victim}, {@link MemcgState}, {@link HostMemory} and {@link TaskRow}, carry their
 * lines themselves.)
 *
 * @param stackHeader {@code CPU: n PID: n Comm: x ... <release> #build}: the trigger's pid and the
 *     kernel release
 * @param workqueue {@code Workqueue: <queue> <function>}, printed when the trigger was a kworker
 *     running a work item ({@code moom_callback} for SysRq-f)
 * @param taskIn {@code Task in <task memcg> killed as a result of limit of <oom memcg>} (≤4.18)
 * @param summary {@code oom-kill:constraint=...} (4.19+): constraint, nodemask, cpuset, the memory
 *     cgroups and the victim
 * @param oomMemcg the line the report's {@code oomMemcg} was read from: the summary, the {@code
 *     Task in} line or the first {@code Memory cgroup stats for} line
 * @param taskMemcg the line the report's {@code taskMemcg} was read from: the summary or the {@code
 *     Task in} line
 * @param noKillable {@code Out of memory and no killable processes...}
 * @param panic {@code Kernel panic - not syncing: ...} when the OOM ended in a panic
 * @param reaper the {@code oom_reaper:} line about the victim ({@code reaped process} or {@code
 *     unable to reap})
 * @param suppressedHeaders {@code oom_kill_process: N callbacks suppressed}: the headers of N
 *     reports before this one were not printed (the kernel ratelimits them)
 */
public record FactLines(
    Optional<SourceLine> stackHeader,
    Optional<SourceLine> workqueue,
    Optional<SourceLine> taskIn,
    Optional<SourceLine> summary,
    Optional<SourceLine> oomMemcg,
    Optional<SourceLine> taskMemcg,
    Optional<SourceLine> noKillable,
    Optional<SourceLine> panic,
    Optional<SourceLine> reaper,
    Optional<SourceLine> suppressedHeaders) {

  /** A report that names the line of none of these facts (one built by hand). */
  public static final FactLines NONE =
      new FactLines(
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty());

  public FactLines {
    requireNonNull(stackHeader, "stackHeader");
    requireNonNull(workqueue, "workqueue");
    requireNonNull(taskIn, "taskIn");
    requireNonNull(summary, "summary");
    requireNonNull(oomMemcg, "oomMemcg");
    requireNonNull(taskMemcg, "taskMemcg");
    requireNonNull(noKillable, "noKillable");
    requireNonNull(panic, "panic");
    requireNonNull(reaper, "reaper");
    requireNonNull(suppressedHeaders, "suppressedHeaders");
  }
}
