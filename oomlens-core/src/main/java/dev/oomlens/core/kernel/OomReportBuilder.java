package dev.oomlens.core.kernel;

import dev.oomlens.core.cgroup.CgroupPaths;
import dev.oomlens.core.model.Constraint;
import dev.oomlens.core.model.FactLines;
import dev.oomlens.core.model.GroupKill;
import dev.oomlens.core.model.KiB;
import dev.oomlens.core.model.KilledTask;
import dev.oomlens.core.model.LogLine;
import dev.oomlens.core.model.LogTime;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.OomScope;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.model.SourceRange;
import dev.oomlens.core.model.Trigger;
import dev.oomlens.core.model.Victim;
import dev.oomlens.core.model.Workload;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/*
 * Reports as people paste them (mm/oom_kill.c dump_header() and oom_kill_process() across
 * versions):
 *
 * - The kill line can be missing while the reaper's line is not: the console drops lines when it
 *   cannot keep up ("** N printk messages dropped **"), and a paste may be cut. The reaper names
 *   the victim (oom_reap_task_mm(): "oom_reaper: reaped process %d (%s), now anon-rss:..."), but
 *   its sizes are what is left after reaping, not the victim's at the kill. The reaper runs on its
 *   own kthread and may print inside the next report, so its line names the victim only when
 *   nothing of the report follows it and no summary names another task.
 * - "oom_kill_process: N callbacks suppressed" (lib/ratelimit.c) comes right before the header of
 *   the report it precedes: the oom_rs ratelimit only ever suppresses dump_header().
 * - A paste may begin after the trigger: at the dump_stack() header ("CPU: n PID: n Comm: x"),
 *   whose task is the one that invoked the killer, at the stack, or at the memory sections. Stack
 *   dumps are printed by much else (WARN, panic, hung tasks), so a report begun at a stack dump is
 *   tentative until a line only an OOM report prints confirms it.
 * - A trigger line wrapped by a terminal or a ticket continues on the next line.
 */

/**
 * Builds one {@link OomReport} from the lines of one host, in the order the kernel prints them.
 *
 * <p>A report is <em>open</em> from its first line to its kill, panic or "no killable processes"
 * line: every line of its host matters then. After that it is <em>pending</em>: only the lines the
 * kernel may still add (reaper verdicts, group-kill members, processes sharing the victim's memory)
 * attach to it, and any line that begins a report tells the caller to finish it.
 *
 * <p>A report begun at a line that other kernel messages print too (a stack dump, {@code
 * Mem-Info:}, the ratelimit's {@code callbacks suppressed}) is <em>tentative</em> until a line of
 * an OOM report's own confirms it; a tentative report that ends unconfirmed is no report.
 */
final class OomReportBuilder {

  /** What became of a line offered to the builder. */
  enum Outcome {
    /** The line is part of the report. */
    TAKEN,
    /** An OOM-killer line that belongs to no report here (an older kill's reaper): dropped. */
    IGNORED,
    /** Not a line of this report. */
    UNKNOWN,
    /** The line begins another report: finish this one and start the next with it. */
    NEW_REPORT
  }

  private enum State {
    OPEN,
    AWAITING_PANIC,
    PENDING
  }

  private final Consumer<Problem> problems;
  private final Optional<String> host;
  private final List<SourceLine> lines = new ArrayList<>();
  private final SourceLine first;
  private long lastLine;
  private LogTime time = LogTime.UNKNOWN;
  private State state = State.OPEN;
  private boolean cutShort;
  private boolean tentative;
  private SourceLine suppressedSource;

  /** The trigger's message while its oom_score_adj may still come on the next line. */
  private String triggerAwaitingTail;

  private OomHeaderParser.TriggerLine triggerLine;
  private SourceLine triggerSource;
  private OomHeaderParser.CpuLine cpuLine;
  private SourceLine cpuSource;
  private String hardware;
  private OomHeaderParser.CpusetLine cpusetLine;
  private OomSummaryParser.Summary summary;
  private SourceLine summarySource;
  private String workFunction;
  private SourceLine workqueueSource;
  private final MemcgStateBuilder memcg = new MemcgStateBuilder();
  private final MemInfoBuilder memInfo = new MemInfoBuilder();
  private Optional<TaskTableParser.Layout> layout = Optional.empty();
  private final List<TaskTableParser.Row> tasks = new ArrayList<>();

  private KillLine.KillProcess killProcess;
  private KillLine.Killed killed;
  private SourceLine killedSource;
  private KillLine.AlreadyExiting exiting;
  private SourceLine exitingSource;
  private boolean noKillable;
  private SourceLine noKillableSource;
  private String panic;
  private SourceLine panicSource;
  private String killMessage;
  private String groupCgroup;
  private SourceLine groupSource;
  private final List<KilledTask> groupMembers = new ArrayList<>();
  private Optional<Boolean> reaped = Optional.empty();
  private SourceLine reapedSource;

  /** A reaper line while no kill line was read: the victim, unless more of the report follows. */
  private ReaperLine reaperVictim;

  private final UnaryOperator<String> names;

  /** A reaper's verdict on a task: {@code reaped} false for {@code unable to reap}. */
  private record ReaperLine(long pid, String comm, boolean reaped, SourceLine source) {}

  OomReportBuilder(LogLine firstLine, Consumer<Problem> problems) {
    this(firstLine, problems, false, UnaryOperator.identity());
  }

  /**
   * A report whose first line is {@code firstLine}; {@code tentative} as described above; {@code
   * names} gives the one instance of a task name kept for all the reports of an input.
   */
  OomReportBuilder(
      LogLine firstLine,
      Consumer<Problem> problems,
      boolean tentative,
      UnaryOperator<String> names) {
    this.problems = problems;
    this.names = names;
    this.host = firstLine.host();
    this.first = firstLine.source();
    this.lastLine = first.line();
    this.tentative = tentative;
  }

  /** True while no line of an OOM report's own has confirmed a report begun at a stack dump. */
  boolean isTentative() {
    return tentative;
  }

  /** True if {@code message}, as the next line, is the rest of this report's wrapped trigger. */
  boolean takesTriggerTail(String message) {
    return triggerAwaitingTail != null
        && OomHeaderParser.joined(triggerAwaitingTail, message).isPresent();
  }

  /** True while the report is open: every line of its host may belong to it. */
  boolean isOpen() {
    return state != State.PENDING;
  }

  /** The number of the last input line the report took. */
  long lastLine() {
    return lastLine;
  }

  String file() {
    return first.file();
  }

  /** Marks the report cut short: the input ended, or stopped making sense, inside it. */
  void cutShort() {
    if (isOpen()) {
      cutShort = true;
      state = State.PENDING;
    }
  }

  /** Offers the next line of this report's host. */
  Outcome accept(LogLine line) {
    String m = line.message().strip();
    if (state == State.AWAITING_PANIC) {
      state = State.PENDING;
      if (KillLineParser.parse(m).orElse(null) instanceof KillLine.Panic p) {
        setPanic(p.text(), line.source());
        return take(line);
      }
    }
    return state == State.PENDING ? acceptPending(line, m) : acceptOpen(line, m);
  }

  private Outcome acceptOpen(LogLine line, String m) {
    if (triggerAwaitingTail != null) {
      Optional<OomHeaderParser.TriggerLine> whole = OomHeaderParser.joined(triggerAwaitingTail, m);
      triggerAwaitingTail = null;
      if (whole.isPresent()) {
        triggerLine = whole.get();
        return take(line);
      }
    }
    Outcome outcome = acceptOpenLine(line, m);
    if (outcome == Outcome.TAKEN && reaperVictim != null && !isReaperLine(m)) {
      // More of the report after the reaper's line: that line was an earlier kill's.
      reaperVictim = null;
    }
    return outcome;
  }

  private static boolean isReaperLine(String m) {
    return m.startsWith("oom_reaper: ");
  }

  private Outcome acceptOpenLine(LogLine line, String m) {
    if (memcg.inStats() && memcg.accept(m, line.source())) {
      return confirm(line);
    }
    if (OomHeaderParser.suppressedHeaders(m).isPresent()) {
      if (lines.isEmpty()) {
        suppressedSource = line.source();
        return take(line);
      }
      return Outcome.NEW_REPORT;
    }
    if (m.startsWith("[") && !m.startsWith("[<")) {
      // The task table is most of a report's lines: read it before trying everything else.
      Optional<Outcome> table = acceptTaskTable(line, m);
      if (table.isPresent()) {
        return table.get();
      }
    }
    if (OomHeaderParser.trigger(m).isPresent()) {
      boolean onlyPreamble = lines.size() == 1 && suppressedSource != null;
      return lines.isEmpty() || onlyPreamble ? acceptTrigger(line, m) : Outcome.NEW_REPORT;
    }
    if (OomSummaryParser.isSummary(m)) {
      if (summary != null) {
        return Outcome.NEW_REPORT;
      }
      summary = OomSummaryParser.parse(m).orElse(null);
      summarySource = line.source();
      return confirm(line);
    }
    Optional<KillLine> kill = KillLineParser.parse(m);
    if (kill.isPresent()) {
      return acceptKillOpen(line, kill.get());
    }
    Optional<OomHeaderParser.CpusetLine> cpuset = OomHeaderParser.cpuset(m);
    if (cpuset.isPresent()) {
      if (cpusetLine == null) {
        cpusetLine = cpuset.get();
      }
      return take(line);
    }
    Optional<OomHeaderParser.CpuLine> cpu = OomHeaderParser.cpu(m);
    if (cpu.isPresent()) {
      if (cpuLine == null) {
        cpuLine = cpu.get();
        cpuSource = line.source();
      }
      return take(line);
    }
    Optional<String> hw = OomHeaderParser.hardware(m);
    if (hw.isPresent()) {
      if (hardware == null) {
        hardware = hw.get();
      }
      return take(line);
    }
    if (OomHeaderParser.isWorkqueue(m)) {
      if (workqueueSource == null) {
        workqueueSource = line.source();
        workFunction = OomHeaderParser.workFunction(m).orElse(null);
      }
      return take(line);
    }
    if (memcg.accept(m, line.source())) {
      return confirm(line);
    }
    if (memInfo.accept(m, line.source())) {
      return take(line);
    }
    if (TaskTableParser.isTitle(m)) {
      return confirm(line);
    }
    if (OomStackLines.isStackLine(m)) {
      return take(line);
    }
    return Outcome.UNKNOWN;
  }

  private Optional<Outcome> acceptTaskTable(LogLine line, String m) {
    Optional<TaskTableParser.Layout> header = TaskTableParser.header(m);
    if (header.isPresent()) {
      layout = header;
      return Optional.of(confirm(line));
    }
    if (!TaskTableParser.looksLikeRow(m)) {
      return Optional.empty();
    }
    switch (TaskTableParser.row(m, layout, line.source())) {
      case TaskTableParser.Parsed p -> tasks.add(p.row());
      case TaskTableParser.Cut c -> {
        // A row cut at the line's end: nothing in it can be trusted, and nothing is wrong.
      }
      case TaskTableParser.Malformed bad ->
          problems.accept(new Problem(line.source().file(), line.source().line(), bad.message()));
    }
    return Optional.of(confirm(line));
  }

  private Outcome acceptTrigger(LogLine line, String m) {
    triggerLine = OomHeaderParser.trigger(m).orElseThrow();
    triggerSource = line.source();
    if (triggerLine.oomScoreAdj().isEmpty() && !m.contains("oomkilladj=")) {
      triggerAwaitingTail = m;
    }
    return confirm(line);
  }

  private Outcome acceptKillOpen(LogLine line, KillLine kill) {
    switch (kill) {
      case KillLine.KillProcess k -> {
        killProcess = k;
        k.message().ifPresent(msg -> killMessage = msg);
        state = State.PENDING;
      }
      case KillLine.Killed k -> {
        setKilled(k, line.source());
        state = State.PENDING;
      }
      case KillLine.AlreadyExiting e -> {
        exiting = e;
        exitingSource = line.source();
        e.message().ifPresent(msg -> killMessage = msg);
        state = State.PENDING;
      }
      case KillLine.NoKillable n -> {
        noKillable = true;
        noKillableSource = line.source();
        if (n.panic()) {
          setPanic(n.text(), line.source());
          state = State.PENDING;
        } else {
          // A global OOM that found nothing to kill panics on the next line (4.19+); a memcg or
          // SysRq one does not.
          boolean memcgOom =
              memcg.showsMemcgOom()
                  || (summary != null
                      && summary
                          .constraint()
                          .filter(Constraint.CONSTRAINT_MEMCG::equals)
                          .isPresent());
          boolean sysrq = triggerLine != null && triggerLine.order().orElse(0) == -1;
          state = memcgOom || sysrq ? State.PENDING : State.AWAITING_PANIC;
        }
      }
      case KillLine.Panic p -> {
        setPanic(p.text(), line.source());
        state = State.PENDING;
      }
      case KillLine.GroupKillHeader g -> {
        groupCgroup = g.cgroup();
        groupSource = line.source();
        state = State.PENDING;
      }
      case KillLine.SharingMemory s -> {
        // Printed after the kill on old kernels; harmless here.
      }
      case KillLine.MmPinned p -> {
        // Likewise.
      }
      case KillLine.Reaped r -> {
        return acceptReaperOpen(line, new ReaperLine(r.pid(), r.comm(), true, line.source()));
      }
      case KillLine.UnableToReap u -> {
        return acceptReaperOpen(line, new ReaperLine(u.pid(), u.comm(), false, line.source()));
      }
    }
    return confirm(line);
  }

  /**
   * A reaper's line while the report has no kill line: the victim's when the summary names the same
   * task (then the kill line alone is missing, and the report ends here); when no summary names
   * one, the victim's unless more of the report follows; else an earlier kill's.
   */
  private Outcome acceptReaperOpen(LogLine line, ReaperLine reaper) {
    if (tentative && suppressedSource == null) {
      return Outcome.IGNORED;
    }
    OptionalLong named = summary == null ? OptionalLong.empty() : summary.pid();
    if (named.isPresent()) {
      if (named.getAsLong() != reaper.pid()) {
        return Outcome.IGNORED;
      }
      setReaped(reaper);
      state = State.PENDING;
      return confirm(line);
    }
    reaperVictim = reaper;
    return confirm(line);
  }

  private Outcome acceptPending(LogLine line, String m) {
    Optional<KillLine> parsed = KillLineParser.parse(m);
    if (parsed.isEmpty()) {
      boolean starts =
          ReportAssembler.startsReport(m) || OomHeaderParser.suppressedHeaders(m).isPresent();
      return starts ? Outcome.NEW_REPORT : Outcome.IGNORED;
    }
    switch (parsed.get()) {
      case KillLine.Killed k -> {
        if (killProcess != null && killed == null) {
          setKilled(k, line.source());
          return take(line);
        }
        if (groupCgroup != null) {
          groupMembers.add(new KilledTask(k.pid(), k.comm(), bytes(k.anonRssKb()), line.source()));
          return take(line);
        }
        return Outcome.NEW_REPORT;
      }
      case KillLine.AlreadyExiting e -> {
        return groupCgroup != null ? take(line) : Outcome.NEW_REPORT;
      }
      case KillLine.GroupKillHeader g -> {
        if (groupCgroup != null) {
          return Outcome.NEW_REPORT;
        }
        groupCgroup = g.cgroup();
        groupSource = line.source();
        return take(line);
      }
      case KillLine.SharingMemory s -> {
        return take(line);
      }
      case KillLine.MmPinned p -> {
        return take(line);
      }
      case KillLine.Reaped r -> {
        return acceptReaperPending(line, new ReaperLine(r.pid(), r.comm(), true, line.source()));
      }
      case KillLine.UnableToReap u -> {
        return acceptReaperPending(line, new ReaperLine(u.pid(), u.comm(), false, line.source()));
      }
      case KillLine.KillProcess k -> {
        return Outcome.NEW_REPORT;
      }
      case KillLine.NoKillable n -> {
        return Outcome.NEW_REPORT;
      }
      case KillLine.Panic p -> {
        if (panic == null && noKillable) {
          setPanic(p.text(), line.source());
          return take(line);
        }
        return Outcome.NEW_REPORT;
      }
    }
  }

  /**
   * A reaper's line after the report ended: the victim's verdict; or, when the kill was announced
   * ({@code Kill process N (x) score S or sacrifice child}) but its {@code Killed process} line is
   * missing, the victim itself (which may be a child of the announced task).
   */
  private Outcome acceptReaperPending(LogLine line, ReaperLine reaper) {
    OptionalLong victimPid = victimPid();
    if (victimPid.isPresent() && victimPid.getAsLong() == reaper.pid()) {
      setReaped(reaper);
      return take(line);
    }
    if (victimPid.isEmpty() && killProcess != null && reaperVictim == null && groupCgroup == null) {
      reaperVictim = reaper;
      return take(line);
    }
    return groupHas(reaper.pid()) ? take(line) : Outcome.IGNORED;
  }

  private void setReaped(ReaperLine reaper) {
    reaped = Optional.of(reaper.reaped());
    reapedSource = reaper.source();
  }

  private void setPanic(String text, SourceLine source) {
    panic = text;
    panicSource = source;
  }

  private boolean groupHas(long pid) {
    return groupMembers.stream().anyMatch(t -> t.pid() == pid);
  }

  private void setKilled(KillLine.Killed k, SourceLine source) {
    killed = k;
    killedSource = source;
    k.message().ifPresent(msg -> killMessage = msg);
  }

  private OptionalLong victimPid() {
    if (killed != null) {
      return OptionalLong.of(killed.pid());
    }
    if (exiting != null) {
      return OptionalLong.of(exiting.pid());
    }
    if (summary != null && summary.pid().isPresent()) {
      return summary.pid();
    }
    return OptionalLong.empty();
  }

  /** Takes a line only an OOM report prints: a tentative report is one from now on. */
  private Outcome confirm(LogLine line) {
    tentative = false;
    return take(line);
  }

  private Outcome take(LogLine line) {
    // Escaped newlines make several logical lines of one physical line: quote it once.
    if (lines.isEmpty() || !lines.getLast().equals(line.source())) {
      lines.add(line.source());
    }
    lastLine = Math.max(lastLine, line.source().line());
    if (!time.isKnown() && line.time().isKnown()) {
      time = line.time();
    }
    return Outcome.TAKEN;
  }

  /** Used when nothing in a report tells its page size: x86-64's, and most arm64 kernels'. */
  static final long DEFAULT_PAGE_BYTES = 4096;

  /**
   * The page size the report implies: the victim's task-table row (pages) against its kill line's
   * RSS (kB), which is exact when both are there (4, 16 or 64 KiB within 10%: the row is read a
   * moment before the kill); else the show_mem block's zones against {@code N pages RAM}.
   */
  private long pageSizeBytes() {
    if (killed != null && killed.anonRssKb().isPresent() && killed.fileRssKb().isPresent()) {
      Optional<TaskTableParser.Row> row = row(killed.pid());
      if (row.isPresent() && row.get().rssPages() > 0) {
        long rssKb =
            killed.anonRssKb().getAsLong()
                + killed.fileRssKb().getAsLong()
                + killed.shmemRssKb().orElse(0);
        double ratio = (double) rssKb / row.get().rssPages();
        for (long size : new long[] {4, 16, 64}) {
          if (Math.abs(ratio - size) <= size * 0.1) {
            return size * 1024;
          }
        }
      }
    }
    return memInfo.pageSizeBytes().orElse(DEFAULT_PAGE_BYTES);
  }

  private static OptionalLong bytes(OptionalLong kb) {
    return kb.isPresent() ? OptionalLong.of(KiB.toBytes(kb.getAsLong())) : OptionalLong.empty();
  }

  /** The finished report. */
  OomReport build() {
    long pageSizeBytes = pageSizeBytes();
    List<SourceLine> quoted = lines.isEmpty() ? List.of(first) : lines;
    SourceRange range =
        new SourceRange(first.file(), first.line(), Math.max(first.line(), lastLine));
    Optional<Trigger> trigger = trigger();
    boolean ended =
        killProcess != null || killed != null || exiting != null || panic != null || noKillable;
    boolean complete = triggerLine != null && ended && !cutShort;
    Optional<Constraint> constraint = summary == null ? Optional.empty() : summary.constraint();
    // Without the summary and the Task in line (a paste cut short), the first stats block names
    // the cgroup whose limit was hit: mem_cgroup_print_oom_meminfo() starts at the OOM memcg.
    Optional<String> oomMemcg;
    Optional<SourceLine> oomMemcgLine;
    if (summary != null && summary.oomMemcg().isPresent()) {
      oomMemcg = summary.oomMemcg();
      oomMemcgLine = Optional.of(summarySource);
    } else if (memcg.taskIn().isPresent()) {
      oomMemcg = memcg.taskIn().map(MemcgBlockParser.TaskIn::oomMemcg);
      oomMemcgLine = memcg.taskInLine();
    } else {
      oomMemcg = memcg.statCgroup();
      oomMemcgLine = memcg.statHeader();
    }
    Optional<String> taskMemcg;
    Optional<SourceLine> taskMemcgLine;
    if (summary != null && summary.taskMemcg().isPresent()) {
      taskMemcg = summary.taskMemcg();
      taskMemcgLine = Optional.of(summarySource);
    } else {
      taskMemcg = memcg.taskIn().map(MemcgBlockParser.TaskIn::taskMemcg);
      taskMemcgLine = memcg.taskInLine();
    }
    Optional<OomScope> scope = scope(constraint);
    Optional<Victim> victim = victim();
    Optional<Boolean> reapedOrNot =
        reaperVictim != null && reaped.isEmpty() ? Optional.of(reaperVictim.reaped()) : reaped;
    SourceLine reaperLine =
        reaperVictim != null && reaped.isEmpty() ? reaperVictim.source() : reapedSource;
    FactLines factLines =
        new FactLines(
            Optional.ofNullable(cpuSource),
            Optional.ofNullable(workqueueSource),
            memcg.taskInLine(),
            Optional.ofNullable(summarySource),
            oomMemcgLine,
            taskMemcgLine,
            Optional.ofNullable(noKillableSource),
            Optional.ofNullable(panicSource),
            Optional.ofNullable(reaperLine),
            Optional.ofNullable(suppressedSource));
    Optional<String> cpuset =
        cpusetLine != null
            ? Optional.of(cpusetLine.cpuset())
            : summary == null ? Optional.empty() : summary.cpuset();
    Optional<String> memsAllowed =
        cpusetLine != null
            ? Optional.of(cpusetLine.memsAllowed())
            : summary == null ? Optional.empty() : summary.memsAllowed();
    Optional<GroupKill> group =
        groupCgroup == null
            ? Optional.empty()
            : Optional.of(new GroupKill(groupCgroup, groupMembers, groupSource));
    Workload workload = workload(taskMemcg, oomMemcg, scope, victim, trigger);
    return new OomReport(
        range,
        host,
        time,
        cpuLine == null ? Optional.empty() : cpuLine.release(),
        complete,
        trigger,
        constraint,
        scope,
        cpuset,
        memsAllowed,
        oomMemcg,
        taskMemcg,
        memcg.build(),
        memInfo.build(pageSizeBytes),
        tasks.stream().map(t -> t.toTaskRow(pageSizeBytes, names)).toList(),
        victim,
        group,
        reapedOrNot,
        Optional.ofNullable(panic),
        noKillable,
        Optional.ofNullable(hardware),
        workload,
        quoted,
        summary == null ? Optional.empty() : summary.nodemask(),
        Optional.ofNullable(workFunction),
        factLines,
        pageSizeBytes);
  }

  /**
   * The trigger line's task with its pid from the stack dump's header; when the paste began after
   * the trigger line, the header's task (dump_stack() prints the task that invoked the killer).
   */
  private Optional<Trigger> trigger() {
    OptionalLong pid = cpuLine == null ? OptionalLong.empty() : OptionalLong.of(cpuLine.pid());
    if (triggerLine != null) {
      return Optional.of(
          new Trigger(
              triggerLine.comm(),
              pid,
              triggerLine.gfpMask(),
              triggerLine.order(),
              triggerLine.oomScoreAdj(),
              triggerSource));
    }
    if (cpuLine != null) {
      return Optional.of(
          new Trigger(
              cpuLine.comm(),
              pid,
              Optional.empty(),
              OptionalInt.empty(),
              OptionalInt.empty(),
              cpuSource));
    }
    return Optional.empty();
  }

  /**
   * Where the memory ran out: from a constraint this reader knows, else (older kernels, or a name
   * only a patched kernel prints) from the report's shape.
   */
  private Optional<OomScope> scope(Optional<Constraint> constraint) {
    Optional<OomScope> known = constraint.flatMap(Constraint::scope);
    if (known.isPresent()) {
      return known;
    }
    if (memcg.showsMemcgOom()
        || "Memory cgroup out of memory".equals(killMessage)
        || (summary != null && summary.oomMemcg().isPresent())) {
      return Optional.of(OomScope.MEMCG);
    }
    if (memInfo.seen()
        || (killMessage != null && killMessage.startsWith("Out of memory"))
        || (summary != null && summary.globalOom())) {
      return Optional.of(OomScope.GLOBAL);
    }
    return Optional.empty();
  }

  private Optional<Victim> victim() {
    OptionalLong score = OptionalLong.empty();
    if (killed != null) {
      if (killProcess != null && killProcess.pid() == killed.pid()) {
        score = OptionalLong.of(killProcess.score());
      }
      Optional<TaskTableParser.Row> row = row(killed.pid());
      OptionalInt adj = killed.oomScoreAdj();
      if (adj.isEmpty() && row.isPresent()) {
        adj = OptionalInt.of(row.get().oomScoreAdj());
      }
      OptionalLong uid = killed.uid();
      if (uid.isEmpty()
          && summary != null
          && summary.pid().isPresent()
          && summary.pid().getAsLong() == killed.pid()) {
        uid = summary.uid();
      }
      if (uid.isEmpty() && row.isPresent()) {
        uid = row.get().uid();
      }
      String comm = killed.comm();
      if (killed.totalVmKb().isEmpty()
          && summary != null
          && summary.task().isPresent()
          && summary.pid().orElse(-1) == killed.pid()) {
        // The kill line was cut inside the name: the summary printed it whole.
        comm = summary.task().get();
      }
      return Optional.of(
          new Victim(
              killed.pid(),
              comm,
              bytes(killed.totalVmKb()),
              bytes(killed.anonRssKb()),
              bytes(killed.fileRssKb()),
              bytes(killed.shmemRssKb()),
              uid,
              bytes(killed.pgtablesKb()),
              adj,
              score,
              killedSource));
    }
    if (summary != null && summary.pid().isPresent() && summary.task().isPresent()) {
      long pid = summary.pid().getAsLong();
      Optional<TaskTableParser.Row> row = row(pid);
      OptionalLong uid =
          summary.uid().isPresent()
              ? summary.uid()
              : row.map(TaskTableParser.Row::uid).orElse(OptionalLong.empty());
      OptionalInt adj = row.map(r -> OptionalInt.of(r.oomScoreAdj())).orElse(OptionalInt.empty());
      if (killProcess != null && killProcess.pid() == pid) {
        score = OptionalLong.of(killProcess.score());
      }
      SourceLine source =
          exitingSource != null && exiting.pid() == pid ? exitingSource : summarySource;
      return Optional.of(
          new Victim(
              pid,
              summary.task().get(),
              OptionalLong.empty(),
              OptionalLong.empty(),
              OptionalLong.empty(),
              OptionalLong.empty(),
              uid,
              OptionalLong.empty(),
              adj,
              score,
              source));
    }
    if (reaperVictim != null) {
      long pid = reaperVictim.pid();
      Optional<TaskTableParser.Row> row = row(pid);
      OptionalInt adj = row.map(r -> OptionalInt.of(r.oomScoreAdj())).orElse(OptionalInt.empty());
      OptionalLong uid = row.map(TaskTableParser.Row::uid).orElse(OptionalLong.empty());
      if (killProcess != null && killProcess.pid() == pid) {
        score = OptionalLong.of(killProcess.score());
      }
      // The reaper's sizes are what was left after reaping, not the victim's at the kill.
      return Optional.of(
          new Victim(
              pid,
              reaperVictim.comm(),
              OptionalLong.empty(),
              OptionalLong.empty(),
              OptionalLong.empty(),
              OptionalLong.empty(),
              uid,
              OptionalLong.empty(),
              adj,
              score,
              reaperVictim.source()));
    }
    return Optional.empty();
  }

  private Optional<TaskTableParser.Row> row(long pid) {
    return tasks.stream().filter(t -> t.pid() == pid).findFirst();
  }

  private Workload workload(
      Optional<String> taskMemcg,
      Optional<String> oomMemcg,
      Optional<OomScope> scope,
      Optional<Victim> victim,
      Optional<Trigger> trigger) {
    Optional<String> path = taskMemcg.or(() -> oomMemcg).or(memcg::statCgroup);
    Workload workload = Workload.UNKNOWN;
    try {
      if (path.isPresent()) {
        workload = CgroupPaths.decode(path.get());
      }
      Set<String> comms = new LinkedHashSet<>();
      boolean kubevirt;
      if (scope.orElse(null) == OomScope.MEMCG) {
        tasks.forEach(t -> comms.add(t.comm()));
        victim.ifPresent(v -> comms.add(v.comm()));
        trigger.ifPresent(t -> comms.add(t.comm()));
        kubevirt = !comms.isEmpty() && CgroupPaths.looksLikeKubevirt(comms);
      } else {
        kubevirt =
            victim.isPresent() && CgroupPaths.looksLikeKubevirt(List.of(victim.get().comm()));
      }
      return workload.withKubevirt(kubevirt);
    } catch (RuntimeException e) {
      // Naming the workload is a nicety: a path the decoder chokes on must not cost the report.
      return workload;
    }
  }
}
