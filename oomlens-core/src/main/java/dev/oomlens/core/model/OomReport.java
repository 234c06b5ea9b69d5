package dev.oomlens.core.model;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One invocation of the kernel's OOM killer, assembled from its report: from {@code invoked
 * oom-killer} through the kill line(s) to the {@code oom_reaper} line.
 *
 * @param source the lines the report spans (other subsystems' lines in between included)
 * @param time when the report began, from its first line that carried a time
 * @param kernel the kernel release from the {@code CPU: ... Comm: x Not tainted <release> #build}
 *     header
 * @param complete false when the report was cut short: its trigger line or its kill (or panic) line
 *     is missing, or the input ended inside it
 * @param trigger from the {@code invoked oom-killer} line; when the input begins after it, the task
 *     of the stack dump's {@code CPU: n PID: n Comm: x} header (the task that invoked the killer),
 *     without gfp mask, order or oom_score_adj; empty when the input holds neither
 * @param constraint as printed by 4.19+ kernels; empty on older ones (see {@code scope})
 * @param scope where the memory ran out, read from the constraint or, on older kernels, from the
 *     report's shape; empty when the report shows neither
 * @param cpuset the ≤4.18 {@code <comm> cpuset=<leaf> mems_allowed=<nodes>} leaf name
 * @param oomMemcg the cgroup whose limit was hit ({@code oom_memcg=} or {@code killed as a result
 *     of limit of}; when the input holds neither, the first {@code Memory cgroup stats for}
 *     block's)
 * @param taskMemcg the victim's cgroup ({@code task_memcg=} or {@code Task in <path> killed})
 * @param tasks the task table, in printed order; empty when the kernel did not print it
 * @param victim empty when nothing was killed (panic, no killable process) or no line names it (see
 *     {@link Victim} for the lines it is read from)
 * @param reaped true when an {@code oom_reaper: reaped process} line for the victim followed; false
 *     for {@code unable to reap}; empty when neither was seen
 * @param panic the {@code Kernel panic - not syncing: ...} text when the OOM ended in a panic
 * @param noKillableProcesses {@code Out of memory and no killable processes...} was printed
 * @param lines every line the report was assembled from, for quoting
 * @param nodemask the nodes the allocation was confined to, as the summary prints them ({@code
 *     nodemask=0-1}; {@code (null)} when it was not confined)
 * @param workFunction the work item the trigger was running when it was a kworker ({@code
 *     Workqueue: events moom_callback} gives {@code moom_callback}: SysRq-f)
 * @param factLines the lines the single-line facts above were printed on
 * @param pageSizeBytes the page size the report's page counts were converted with: read from the
 *     victim's task-table row (pages) against its kill line (kB), else from the zones' present
 *     memory (kB) against {@code N pages RAM}, else 4096 (arm64 and ppc64 kernels may use 16 or 64
 *     KiB pages)
 */
public record OomReport(
    SourceRange source,
    Optional<String> host,
    LogTime time,
    Optional<String> kernel,
    boolean complete,
    Optional<Trigger> trigger,
    Optional<Constraint> constraint,
    Optional<OomScope> scope,
    Optional<String> cpuset,
    Optional<String> memsAllowed,
    Optional<String> oomMemcg,
    Optional<String> taskMemcg,
    Optional<MemcgState> memcg,
    Optional<HostMemory> hostMemory,
    List<TaskRow> tasks,
    Optional<Victim> victim,
    Optional<GroupKill> groupKill,
    Optional<Boolean> reaped,
    Optional<String> panic,
    boolean noKillableProcesses,
    Optional<String> hardware,
    Workload workload,
    List<SourceLine> lines,
    Optional<String> nodemask,
    Optional<String> workFunction,
    FactLines factLines,
    long pageSizeBytes) {
  public OomReport {
    requireNonNull(source, "source");
    host = Names.constant(host);
    requireNonNull(time, "time");
    kernel = Names.constant(kernel);
    requireNonNull(trigger, "trigger");
    requireNonNull(constraint, "constraint");
    scope = Names.constant(requireNonNull(scope, "scope"));
    cpuset = Names.recent(requireNonNull(cpuset, "cpuset"));
    memsAllowed = Names.constant(memsAllowed);
    oomMemcg = Names.recent(requireNonNull(oomMemcg, "oomMemcg"));
    taskMemcg = Names.recent(requireNonNull(taskMemcg, "taskMemcg"));
    requireNonNull(memcg, "memcg");
    requireNonNull(hostMemory, "hostMemory");
    tasks = TaskTable.of(tasks);
    requireNonNull(victim, "victim");
    requireNonNull(groupKill, "groupKill");
    reaped = Names.constant(requireNonNull(reaped, "reaped"));
    requireNonNull(panic, "panic");
    hardware = Names.constant(hardware);
    requireNonNull(workload, "workload");
    lines = List.copyOf(lines);
    nodemask = Names.constant(nodemask);
    requireNonNull(workFunction, "workFunction");
    requireNonNull(factLines, "factLines");
    if (pageSizeBytes <= 0) {
      throw new IllegalArgumentException("pageSizeBytes=" + pageSizeBytes);
    }
  }

  /** The allocation order of the trigger; -1 for a manual (SysRq) OOM. */
  public OptionalInt order() {
    return trigger.map(Trigger::order).orElse(OptionalInt.empty());
  }

  /** The task-table row of the victim, when the table lists it. */
  public Optional<TaskRow> victimRow() {
    return victim.flatMap(v -> tasks.stream().filter(t -> t.pid() == v.pid()).findFirst());
  }
}
