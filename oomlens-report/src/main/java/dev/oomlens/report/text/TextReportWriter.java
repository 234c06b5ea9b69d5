package dev.oomlens.report.text;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.diagnosis.Place;
import dev.oomlens.core.kernel.KernelLogSink;
import dev.oomlens.core.model.AllocFailure;
import dev.oomlens.core.model.GroupKill;
import dev.oomlens.core.model.HostMemory;
import dev.oomlens.core.model.KilledTask;
import dev.oomlens.core.model.LogTime;
import dev.oomlens.core.model.MemcgComposition;
import dev.oomlens.core.model.MemcgState;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.OomScope;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.model.SourceRange;
import dev.oomlens.core.model.TaskRow;
import dev.oomlens.core.model.Trigger;
import dev.oomlens.core.model.Victim;
import dev.oomlens.core.model.Workload;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/*
 * Every fact is followed by the line it was read from, as "(file:line)" with the file's last path
 * segment, so the reader of the summary can open the log at that place. Sizes are MiB with one
 * decimal in Locale.ROOT; the output depends on nothing but the events (no clock, no locale, no
 * terminal), so it can be pinned in golden files.
 */
/**
 * The terminal text report: a short human summary of each OOM-killer report, written as soon as the
 * reader hands it over, for someone who wants to know quickly what was killed and why.
 *
 * <p>Call {@link #beginInput(String)} before feeding one input's events and {@link #endInput()}
 * after: problems are listed at the end of their input, and an input without any OOM report says
 * so.
 */
public final class TextReportWriter implements KernelLogSink {
  /** How many problems of one input are listed; the rest are counted. */
  public static final int MAX_PROBLEMS_LISTED = 20;

  /** Rows of the task table shown, largest RSS first. */
  public static final int TOP_TASKS = 5;

  private static final String INDENT = "  ";
  private static final int LABEL_WIDTH = 12;

  private final PrintWriter out;
  private String input = "-";
  private String emptyMessage = "No OOM-killer report in -.";
  private int reportsInInput;
  private final List<Problem> problems = new ArrayList<>();
  private boolean wroteBlock;

  /** True while one-line reports follow each other: they share a block. */
  private boolean inLines;

  public TextReportWriter(PrintWriter out) {
    this.out = requireNonNull(out, "out");
  }

  /** Starts the events of one input; {@code name} is the input as the user gave it. */
  public void beginInput(String name) {
    beginInput(name, "No OOM-killer report in " + name + ".");
  }

  /**
   * Starts the events of one input, with the sentence that ends it when it holds no OOM-killer
   * report (a live log says "since boot", a file does not).
   */
  public void beginInput(String name, String emptyMessage) {
    this.input = requireNonNull(name, "name");
    this.emptyMessage = requireNonNull(emptyMessage, "emptyMessage");
    this.reportsInInput = 0;
    this.problems.clear();
  }

  /**
   * Ends the current input: says so when it held no OOM report, then lists its problems. An input
   * that could not be read whole (cut short, not text) is never said to hold no report: only what
   * could be read of it is.
   */
  public void endInput() {
    boolean whole = problems.stream().noneMatch(p -> p.kind().spoilsInput());
    boolean damaged = problems.stream().anyMatch(p -> p.kind() == Problem.Kind.DAMAGED);
    if (reportsInInput == 0 && (whole || damaged)) {
      startBlock();
      out.print(
          (whole ? emptyMessage : "No OOM-killer report in what could be read of " + input + ".")
              + "\n");
    }
    if (!problems.isEmpty()) {
      startBlock();
      int count = problems.size();
      out.print(
          whole
              ? count + (count == 1 ? " line" : " lines") + " of " + input + " could not be read:\n"
              : input + (damaged ? " could not be read whole:\n" : " could not be read:\n"));
      for (Problem p : problems.subList(0, Math.min(count, MAX_PROBLEMS_LISTED))) {
        String where = p.line() == 0 ? shortName(p.file()) : shortName(p.file()) + ":" + p.line();
        out.print(INDENT + where + ": " + p.message() + "\n");
      }
      if (count > MAX_PROBLEMS_LISTED) {
        out.print(INDENT + "... and " + (count - MAX_PROBLEMS_LISTED) + " more\n");
      }
    }
    problems.clear();
    out.flush();
  }

  @Override
  public void report(OomReport r) {
    reportsInInput++;
    startBlock();
    SourceRange src = r.source();
    out.print("OOM-killer report " + reportsInInput + " in " + input + " (" + cite(src) + ")\n");
    if (!r.complete()) {
      line("Note", "report cut short (incomplete): some facts below may be missing", null);
    }
    writeWhen(r);
    writeHost(r);
    writeTrigger(r);
    writeScope(r);
    writeWorkload(r);
    writeVictim(r);
    writeMemory(r);
    writeTopTasks(r);
    r.groupKill().ifPresent(this::writeGroupKill);
    r.reaped()
        .ifPresent(
            reaped ->
                line(
                    "Reaper",
                    reaped
                        ? "reaped: the victim's memory was given back"
                        : "unable to reap: the victim's memory may not have been freed at once",
                    r.factLines().reaper().orElse(null)));
    r.panic().ifPresent(p -> line("Panic", p, r.factLines().panic().orElse(null)));
    out.flush();
  }

  /** Writes one report as one line (see {@link #oneLine}), counted like a full one. */
  public void reportLine(OomReport r) {
    reportsInInput++;
    if (!inLines) {
      startBlock();
      inLines = true;
    }
    out.print(oneLine(r) + "\n");
    out.flush();
  }

  /**
   * One OOM report in one line: when, on which host, what was killed with its size, where the
   * memory ran out, and the lines it spans: {@code 2025-12-13T07:23:21 node-1 java (pid 42, RSS
   * 148.8 MiB) <- the container limit: memory cgroup /kubepods/... (kern.log:1-71)}.
   */
  public static String oneLine(OomReport r) {
    StringBuilder s = new StringBuilder();
    String when =
        r.time()
            .wallclock()
            .orElse(
                r.time().monotonicSeconds().stream()
                    .mapToObj(m -> String.format(Locale.ROOT, "%.3f s after boot", m))
                    .findFirst()
                    .orElse("(no time)"));
    s.append(when).append("  ");
    r.host().ifPresent(h -> s.append(h).append("  "));
    if (r.victim().isPresent()) {
      Victim v = r.victim().get();
      s.append(v.comm()).append(" (pid ").append(v.pid());
      v.rssBytes().ifPresent(b -> s.append(", RSS ").append(Units.mibFromBytes(b)));
      s.append(')');
    } else {
      s.append(
          r.panic().isPresent()
              ? "no kill (panic)"
              : r.noKillableProcesses() ? "no kill (nothing killable)" : "victim not in the log");
    }
    s.append(" <- ").append(Place.words(r)).append("  (").append(cite(r.source())).append(')');
    return s.toString();
  }

  @Override
  public void allocFailure(AllocFailure f) {
    startBlock();
    StringBuilder s = new StringBuilder();
    s.append(capitalize(f.kind())).append(" failure (not an OOM kill): ").append(f.comm());
    f.pid().ifPresent(pid -> s.append(" (pid ").append(pid).append(')'));
    s.append(" could not get ").append(orderText(f.order(), f.pageSizeBytes()));
    f.gfpMask().ifPresent(g -> s.append(", gfp ").append(g));
    String when = when(f.time());
    if (!when.isEmpty()) {
      s.append(", at ").append(when);
    }
    f.host().ifPresent(h -> s.append(", on ").append(h));
    s.append("  (").append(cite(f.line())).append(")\n");
    out.print(s);
    out.flush();
  }

  @Override
  public void problem(Problem problem) {
    problems.add(requireNonNull(problem, "problem"));
  }

  private void writeWhen(OomReport r) {
    String when = when(r.time());
    line("When", when.isEmpty() ? "the log carries no time" : when, firstLine(r));
  }

  private void writeHost(OomReport r) {
    List<String> parts = new ArrayList<>();
    r.host().ifPresent(parts::add);
    r.kernel().ifPresent(k -> parts.add("kernel " + k));
    r.hardware().ifPresent(h -> parts.add(h));
    if (!parts.isEmpty()) {
      SourceLine at = r.kernel().flatMap(k -> r.factLines().stackHeader()).orElse(null);
      line("Host", String.join(", ", parts), at);
    }
  }

  private void writeTrigger(OomReport r) {
    if (r.trigger().isEmpty()) {
      line("Trigger", "not in the log (the \"invoked oom-killer\" line is missing)", null);
      return;
    }
    Trigger t = r.trigger().get();
    StringBuilder s = new StringBuilder(t.comm());
    t.pid().ifPresent(pid -> s.append(" (pid ").append(pid).append(')'));
    if (t.order().isPresent() && t.order().getAsInt() == -1) {
      s.append(": manual OOM (SysRq-f): memory was not necessarily short");
    } else {
      t.order().ifPresent(o -> s.append(" asked for ").append(orderText(o, r.pageSizeBytes())));
      t.gfpMask().ifPresent(g -> s.append(", gfp ").append(g));
    }
    t.oomScoreAdj().ifPresent(adj -> s.append(", oom_score_adj ").append(adj));
    line("Trigger", s.toString(), t.source());
  }

  private void writeScope(OomReport r) {
    SourceLine at =
        r.scope().filter(sc -> sc == OomScope.MEMCG).isPresent()
            ? r.memcg()
                .map(MemcgState::source)
                .orElse(Place.cgroup(r).map(c -> cgroupLine(r, c)).orElse(null))
            : r.hostMemory().map(HostMemory::source).orElse(null);
    line("Ran out", Place.account(r), at);
  }

  private void writeWorkload(OomReport r) {
    Workload w = r.workload();
    List<String> parts = new ArrayList<>();
    switch (w.kind()) {
      case KUBEPODS ->
          parts.add(
              "all Kubernetes pods of the node together (the kubepods cgroup,"
                  + " sized by node allocatable)");
      case DOCKER -> parts.add("Docker container " + w.containerId().orElse("(id not shown)"));
      case PODMAN -> parts.add("Podman container " + w.containerId().orElse("(id not shown)"));
      case SYSTEMD_UNIT -> parts.add("systemd unit " + w.unit().orElse(w.cgroup().orElse("?")));
      case USER_SESSION -> parts.add("user session " + w.unit().orElse(w.cgroup().orElse("?")));
      case VM -> parts.add("virtual machine " + w.unit().orElse(w.cgroup().orElse("?")));
      case POD, CONTAINER -> {
        w.podUid().ifPresent(uid -> parts.add("Kubernetes pod " + uid));
        w.containerId().ifPresent(id -> parts.add("container " + id));
        if (w.kind() == Workload.Kind.CONTAINER
            && w.podUid().isEmpty()
            && w.containerId().isEmpty()) {
          parts.add("container cgroup " + w.cgroup().orElse("?"));
        }
        if (w.kind() == Workload.Kind.POD && w.podUid().isPresent()) {
          parts.add("the pod as a whole (pod-level limit)");
        }
      }
      case OTHER -> w.cgroup().ifPresent(c -> parts.add("cgroup " + c));
    }
    if (w.kind() != Workload.Kind.DOCKER && w.kind() != Workload.Kind.PODMAN) {
      w.runtime().ifPresent(rt -> parts.add("runtime " + rt));
    }
    w.qosClass().ifPresent(q -> parts.add("QoS " + q));
    if (w.kubevirt()) {
      parts.add("KubeVirt virt-launcher pod (a virtual machine's memory)");
    }
    if (parts.isEmpty()) {
      return;
    }
    line("Workload", String.join(", ", parts), w.cgroup().map(c -> cgroupLine(r, c)).orElse(null));
  }

  private void writeVictim(OomReport r) {
    if (r.victim().isEmpty()) {
      String why;
      if (r.panic().isPresent()) {
        why = "nothing: the kernel panicked instead of killing";
      } else if (r.noKillableProcesses()) {
        why = "nothing: there was no killable process";
      } else {
        why = r.complete() ? "not in the log" : "not in the log (the report was cut short)";
      }
      line("Killed", why, r.factLines().noKillable().orElse(null));
      return;
    }
    Victim v = r.victim().get();
    StringBuilder s = new StringBuilder(v.comm()).append(" (pid ").append(v.pid()).append(')');
    List<String> sizes = new ArrayList<>();
    v.anonRssBytes().ifPresent(b -> sizes.add("anon " + Units.mibFromBytes(b)));
    v.fileRssBytes().ifPresent(b -> sizes.add("file " + Units.mibFromBytes(b)));
    v.shmemRssBytes().ifPresent(b -> sizes.add("shmem " + Units.mibFromBytes(b)));
    if (!sizes.isEmpty()) {
      s.append(": RSS ").append(String.join(", ", sizes));
    }
    v.oomScoreAdj()
        .ifPresentOrElse(
            adj -> s.append(", oom_score_adj ").append(adj),
            () ->
                r.victimRow()
                    .ifPresent(row -> s.append(", oom_score_adj ").append(row.oomScoreAdj())));
    v.score().ifPresent(score -> s.append(", badness score ").append(score));
    line("Killed", s.toString(), v.source());
    r.trigger()
        .filter(t -> !isManual(r))
        .ifPresent(
            t -> {
              boolean differs =
                  t.pid().isPresent() ? t.pid().getAsLong() != v.pid() : !t.comm().equals(v.comm());
              if (differs) {
                line(
                    "",
                    "the trigger was not the victim: "
                        + t.comm()
                        + t.pid().stream().mapToObj(p -> " (pid " + p + ")").findFirst().orElse("")
                        + " asked for memory, "
                        + v.comm()
                        + " (pid "
                        + v.pid()
                        + ") was killed",
                    null);
              }
            });
  }

  private void writeMemory(OomReport r) {
    if (r.memcg().isPresent() && !r.memcg().get().stat().isEmpty()) {
      writeMemcgMemory(r.memcg().get());
    } else if (r.hostMemory().isPresent() && !r.hostMemory().get().counterBytes().isEmpty()) {
      writeHostMemory(r.hostMemory().get());
    }
  }

  private void writeMemcgMemory(MemcgState m) {
    MemcgComposition c = m.composition();
    List<String> parts = new ArrayList<>();
    addBytes(parts, "anon", c.anonBytes());
    addBytes(parts, "file cache", c.fileBytes());
    addBytes(parts, "shmem", c.shmemBytes());
    addBytes(parts, "slab", c.slabBytes());
    addBytes(parts, "kernel", c.kernelBytes());
    addBytes(parts, "swap", c.swapBytes());
    if (!parts.isEmpty()) {
      String of =
          c.vocabulary() == MemcgComposition.Vocabulary.V1_LOCAL && m.statByCgroup().size() > 1
              ? " (" + m.statByCgroup().size() + " cgroups added up)"
              : "";
      line("Memory", "in the cgroup" + of + ": " + String.join(", ", parts), m.source());
    }
  }

  private void writeHostMemory(HostMemory h) {
    Map<String, Long> c = h.counterBytes();
    List<String> parts = new ArrayList<>();
    addSum(parts, "anon", c.get("active_anon"), c.get("inactive_anon"));
    addSum(parts, "file cache", c.get("active_file"), c.get("inactive_file"));
    addSum(parts, "shmem", c.get("shmem"));
    addSum(parts, "slab", c.get("slab_reclaimable"), c.get("slab_unreclaimable"));
    addSum(parts, "page tables", c.get("pagetables"));
    if (!parts.isEmpty()) {
      line("Memory", "on the machine: " + String.join(", ", parts), h.source());
    }
  }

  private void writeTopTasks(OomReport r) {
    if (r.tasks().isEmpty()) {
      return;
    }
    List<TaskRow> top =
        r.tasks().stream()
            .sorted(
                Comparator.comparingLong(TaskRow::rssBytes)
                    .reversed()
                    .thenComparingLong(TaskRow::pid))
            .limit(TOP_TASKS)
            .toList();
    long victimPid = r.victim().map(Victim::pid).orElse(-1L);
    line(
        "Top tasks",
        "by RSS, of " + r.tasks().size() + " in the table" + " (pid, RSS, oom_score_adj, name):",
        null);
    int pidWidth = top.stream().mapToInt(t -> Long.toString(t.pid()).length()).max().orElse(1);
    int rssWidth =
        top.stream().mapToInt(t -> Units.mibFromBytes(t.rssBytes()).length()).max().orElse(1);
    for (TaskRow t : top) {
      String row =
          String.format(
              Locale.ROOT,
              "%" + pidWidth + "d  %" + rssWidth + "s  %5d  %s",
              t.pid(),
              Units.mibFromBytes(t.rssBytes()),
              t.oomScoreAdj(),
              t.comm());
      if (t.pid() == victimPid) {
        row += "  <- killed";
      }
      line("", row, t.source());
    }
  }

  private void writeGroupKill(GroupKill g) {
    int n = g.killed().size();
    line(
        "Group kill",
        "every task of "
            + g.cgroup()
            + " was killed (memory.oom.group): "
            + n
            + (n == 1 ? " task" : " tasks"),
        g.source());
    for (KilledTask k : g.killed()) {
      String size =
          k.anonRssBytes().stream()
              .mapToObj(b -> ": anon RSS " + Units.mibFromBytes(b))
              .findFirst()
              .orElse("");
      line("", k.comm() + " (pid " + k.pid() + ")" + size, k.source());
    }
  }

  private void line(String label, String text, SourceLine at) {
    StringBuilder s = new StringBuilder(INDENT);
    String head = label.isEmpty() ? "" : label + ":";
    s.append(head).append(" ".repeat(Math.max(1, LABEL_WIDTH - head.length()))).append(text);
    if (at != null) {
      s.append("  (").append(cite(at)).append(')');
    }
    out.print(s.append('\n'));
  }

  private void startBlock() {
    if (wroteBlock) {
      out.print('\n');
    }
    wroteBlock = true;
    inLines = false;
  }

  private static boolean isManual(OomReport r) {
    return r.order().isPresent() && r.order().getAsInt() == -1;
  }

  private static String when(LogTime t) {
    List<String> parts = new ArrayList<>();
    t.wallclock().ifPresent(w -> parts.add(w + (t.yearInferred() ? " (year assumed)" : "")));
    t.monotonicSeconds()
        .ifPresent(
            s ->
                parts.add(
                    String.format(Locale.ROOT, "%.3f s after boot (up %s)", s, Units.duration(s))));
    return String.join(", ", parts);
  }

  private static String orderText(int order, long pageBytes) {
    if (order < 0) {
      return "order " + order;
    }
    if (order == 0) {
      return "one page (order 0)";
    }
    long kb = (pageBytes << Math.min(order, 40)) / 1024;
    return (1L << Math.min(order, 40)) + " contiguous pages (order " + order + ", " + kb + " KiB)";
  }

  private static void addBytes(List<String> parts, String name, OptionalLong bytes) {
    bytes.ifPresent(b -> parts.add(name + " " + Units.mibFromBytes(b)));
  }

  private static void addSum(List<String> parts, String name, Long... bytes) {
    long sum = 0;
    boolean any = false;
    for (Long b : bytes) {
      if (b != null) {
        sum += b;
        any = true;
      }
    }
    if (any) {
      parts.add(name + " " + Units.mibFromBytes(sum));
    }
  }

  private static SourceLine firstLine(OomReport r) {
    return r.lines().isEmpty() ? null : r.lines().get(0);
  }

  /**
   * The line the cgroup {@code path} was read from: where the report's task or OOM memory cgroup
   * was printed (the summary, the {@code Task in} line, a stats block's first line).
   */
  private static SourceLine cgroupLine(OomReport r, String path) {
    if (r.taskMemcg().filter(path::equals).isPresent()) {
      return r.factLines().taskMemcg().orElse(null);
    }
    if (r.oomMemcg().filter(path::equals).isPresent()) {
      return r.factLines().oomMemcg().orElse(null);
    }
    return r.memcg().stream()
        .flatMap(m -> m.statBlocks().stream())
        .filter(b -> b.cgroup().equals(path))
        .map(MemcgState.StatBlock::header)
        .findFirst()
        .orElse(null);
  }

  private static String cite(SourceLine l) {
    return shortName(l.file()) + ":" + l.line();
  }

  private static String cite(SourceRange r) {
    String lines =
        r.firstLine() == r.lastLine()
            ? Long.toString(r.firstLine())
            : r.firstLine() + "-" + r.lastLine();
    return shortName(r.file()) + ":" + lines;
  }

  /** The last path segment, so citations stay short; {@code -} (standard input) stays as it is. */
  static String shortName(String file) {
    int slash = file.lastIndexOf('/');
    return slash >= 0 && slash < file.length() - 1 ? file.substring(slash + 1) : file;
  }

  private static String capitalize(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
