package dev.oomlens.core.rules;

import dev.oomlens.core.model.Citation;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.OomScope;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.model.TaskRow;
import dev.oomlens.core.model.Victim;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/*
 * Small facts several analyzers read the same way. Every line a finding cites comes from the model
 * (each fact keeps the line it was printed on): nothing here searches a report's text.
 */

/** Facts read off one OOM report that several analyzers need: cited lines, page size, shapes. */
public final class ReportFacts {
  /** The work function drivers/tty/sysrq.c queues for SysRq-f. */
  private static final String SYSRQ_WORK = "moom_callback";

  private ReportFacts() {}

  /**
   * The line that says where the memory ran out: the 4.19+ {@code oom-kill:constraint=...} summary,
   * else the pre-4.19 {@code Task in X killed as a result of limit of Y}.
   */
  public static Optional<SourceLine> constraintLine(OomReport report) {
    return report.factLines().summary().or(() -> report.factLines().taskIn());
  }

  /** The trigger's {@code invoked oom-killer} line, when the input holds it. */
  public static Optional<SourceLine> triggerLine(OomReport report) {
    return report.trigger().map(t -> t.source());
  }

  /** The victim's kill line, when the input holds it. */
  public static Optional<SourceLine> killLine(OomReport report) {
    return report.victim().map(Victim::source);
  }

  /**
   * True for an OOM someone forced: SysRq-f or a write to /proc/sysrq-trigger runs the OOM killer
   * from the {@code moom_callback} work item with order -1, whatever the memory state.
   */
  public static boolean isManual(OomReport report) {
    if (report.order().isPresent() && report.order().getAsInt() == -1) {
      return true;
    }
    return report.workFunction().filter(SYSRQ_WORK::equals).isPresent();
  }

  /** The {@code Workqueue: events moom_callback} line of a SysRq-f OOM, when it was printed. */
  public static Optional<SourceLine> sysrqWorkqueueLine(OomReport report) {
    return report.workFunction().filter(SYSRQ_WORK::equals).isPresent()
        ? report.factLines().workqueue()
        : Optional.empty();
  }

  /** True when the whole machine ran out: no cgroup, cpuset or memory policy confined it. */
  public static boolean isGlobal(OomReport report) {
    return report.scope().filter(s -> s == OomScope.GLOBAL).isPresent();
  }

  /** Memory a task holds, in bytes: resident plus swapped out. */
  public static long heldBytes(TaskRow row) {
    return row.rssBytes() + row.swapBytes().orElse(0);
  }

  /** The row of the task table for {@code pid}: the row's pid, else its tgid. */
  public static Optional<TaskRow> row(OomReport report, long pid) {
    for (TaskRow t : report.tasks()) {
      if (t.pid() == pid) {
        return Optional.of(t);
      }
    }
    for (TaskRow t : report.tasks()) {
      if (t.tgid().isPresent() && t.tgid().getAsLong() == pid) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /** The lines given, present ones only, each once, in file and line order. */
  @SafeVarargs
  public static List<SourceLine> cite(Optional<SourceLine>... lines) {
    List<SourceLine> out = new ArrayList<>();
    for (Optional<SourceLine> line : lines) {
      line.filter(l -> !out.contains(l)).ifPresent(out::add);
    }
    out.sort(Comparator.comparing(SourceLine::file).thenComparingLong(SourceLine::line));
    return out;
  }

  /** Each line once, in file and line order. */
  public static List<Citation> sorted(Collection<? extends Citation> cited) {
    Set<Citation> unique = new LinkedHashSet<>(cited);
    List<SourceLine> lines = new ArrayList<>();
    List<Citation> out = new ArrayList<>();
    for (Citation c : unique) {
      if (c instanceof SourceLine l) {
        lines.add(l);
      }
    }
    lines.sort(Comparator.comparing(SourceLine::file).thenComparingLong(SourceLine::line));
    out.addAll(lines);
    unique.stream().filter(c -> !(c instanceof SourceLine)).forEach(out::add);
    return out;
  }

  /** Where the report is, for reasoning text: {@code file:line}. */
  public static String where(OomReport report) {
    return report.source().file() + ":" + report.source().firstLine();
  }

  /** The victim as people name it: {@code comm (pid N)}. */
  public static String name(Victim victim) {
    return victim.comm() + " (pid " + victim.pid() + ")";
  }

  /** A task-table row as people name it: {@code comm (pid N)}. */
  public static String name(TaskRow row) {
    return row.comm() + " (pid " + row.pid() + ")";
  }
}
