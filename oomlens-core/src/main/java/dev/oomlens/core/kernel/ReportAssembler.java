package dev.oomlens.core.kernel;

import dev.oomlens.core.model.AllocFailure;
import dev.oomlens.core.model.Framing;
import dev.oomlens.core.model.LogLine;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.Problem;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/*
 * Where a report can begin when its first lines are missing. A log that rotated, or a paste, can
 * begin anywhere inside a report: at the dump_stack() header, the stack, the memory sections or the
 * task table. Those lines hold none of the reader's anchors, and making them anchors would cost the
 * whole log's scan for what happens at the start of an input; so the reader hands on every one of
 * an input's first START_LINES lines, and there any line of a report may begin one. Further in,
 * where the reader hands on anchor lines only, a report whose head is missing begins at the first
 * of its lines that holds an anchor: an OOM stack frame (oom_kill_process, __alloc_pages_may_oom),
 * Task in ... killed, the task table's header (oom_score_adj), the summary or a kill line.
 */

/**
 * Assembles OOM-killer reports and page allocation failures from framed kernel log lines, one state
 * machine per host, and hands each finished event to a {@link KernelLogSink}.
 *
 * <p>Contract with the reader: while {@link #inReport()} is false, the reader passes only lines
 * that contain {@code oom}, {@code Kill}/{@code kill}, or {@code failure: order}/{@code failure.
 * order} (case-sensitive; it also passes the userspace killers' lines, which this class ignores);
 * every line that can begin an event, or attach to a report already assembled (reaper, group-kill
 * members), contains one of them, except in an input's first {@value #START_LINES} lines, where
 * {@link #inReport()} is true.
 *
 * <p>A report is open from its first line (the {@code invoked oom-killer} trigger, or, when that is
 * missing, the summary, {@code Task in ... killed}, a kill line, or another line only an OOM report
 * prints) to its kill, panic or "no killable processes" line; {@link #inReport()} is true while any
 * host has one open (or an allocation failure whose stack and {@code show_mem} block are being
 * read). A report begun at a stack dump is tentative: if no line of an OOM report's own follows
 * within {@value #TENTATIVE_IDLE_LINES} lines, it is dropped (a WARN or panic stack, not a report).
 * It then waits, pending, for the reaper's verdict and group-kill members, and is handed over when
 * the next report of its host begins, when the input is more than {@value #PENDING_LINES} lines
 * past it, or at {@link #finish()}. An open report that sees {@value #IDLE_LINES} lines of its host
 * in a row that it does not recognise is closed as incomplete; unrecognised lines in between (other
 * subsystems) are skipped.
 *
 * <p>Order: each host's reports are handed over in input order. With several hosts in one input, a
 * report is handed over when it is finished, so one host's report may come before an
 * earlier-starting report of another host that is still pending; {@link #finish()} hands over what
 * remains in the order of first lines.
 *
 * <p>Nothing here throws on bad input: a line that cannot be read becomes a {@link Problem}.
 */
public final class ReportAssembler {
  /** Lines past a pending report's last line after which it is handed over. */
  static final int PENDING_LINES = 2000;

  /** Unrecognised lines of its host in a row after which an open report is closed. */
  static final int IDLE_LINES = 1000;

  /** Unrecognised lines in a row after which a tentative report is dropped. */
  static final int TENTATIVE_IDLE_LINES = 10;

  /** An input's first lines, every one of which is read: an input may begin inside a report. */
  static final int START_LINES = 100;

  private final KernelLogSink sink;
  private final Map<String, HostState> hosts = new LinkedHashMap<>();
  private int openHosts;
  private long earliestPending = Long.MAX_VALUE;
  private String lastFile;
  private long lastLine;

  /** The events of one host: its current report and allocation failure. */
  private static final class HostState {
    OomReportBuilder report;
    ReportAllocFailureBuilder alloc;
    int unknownRun;

    boolean isOpen() {
      return alloc != null || (report != null && report.isOpen());
    }
  }

  public ReportAssembler(KernelLogSink sink) {
    this.sink = sink;
  }

  /*
   * Every report of a big log is kept until the rules have seen them all, and their task tables
   * name the same processes over and over: one String per name, not one per row. Bounded, so that
   * a log of ever-new names (pids in them, say) costs no more than without it.
   */
  private static final int MAX_NAMES = 4096;

  private final Map<String, String> names = new HashMap<>();

  private String name(String comm) {
    String kept = names.get(comm);
    if (kept != null) {
      return kept;
    }
    if (names.size() < MAX_NAMES) {
      names.put(comm, comm);
    }
    return comm;
  }

  /** Feeds the next logical line of the input. */
  public void accept(LogLine line) {
    try {
      String file = line.source().file();
      long number = line.source().line();
      handOverDistant(file, number);
      lastFile = file;
      lastLine = Math.max(lastLine, number);
      if (!line.isKernel()) {
        return;
      }
      HostState st = hostOf(line, number);
      boolean wasOpen = st.isOpen();
      handle(st, line);
      countOpen(wasOpen, st.isOpen());
      if (st.report != null && !st.report.isOpen()) {
        earliestPending = Math.min(earliestPending, st.report.lastLine());
      }
    } catch (RuntimeException e) {
      // A defect here must not cost the user the rest of the input.
      sink.problem(
          new Problem(
              line.source().file(),
              line.source().line(),
              "could not assemble this line into a report: " + e));
    }
  }

  /**
   * True while every line matters: some host has a report open, or the input is still in its first
   * {@value #START_LINES} lines.
   */
  public boolean inReport() {
    return openHosts > 0 || lastLine < START_LINES;
  }

  /**
   * True while some event is still held: a report open or waiting for its reaper line, or an
   * allocation failure being read. A live reader may record how far it has read only when this is
   * false, so a restart from there reads no held event's first lines twice and loses none.
   */
  public boolean holdsEvents() {
    for (HostState st : hosts.values()) {
      if (st.report != null || st.alloc != null) {
        return true;
      }
    }
    return false;
  }

  /**
   * The host a line belongs to. A line with no framing right after a trigger line, that reads as
   * the trigger's wrapped end (a terminal or ticket wrap of a syslog line), belongs to the
   * trigger's host.
   */
  private HostState hostOf(LogLine line, long number) {
    if (line.host().isEmpty() && line.framing() == Framing.BARE && !line.continuation()) {
      for (HostState st : hosts.values()) {
        if (st.report != null
            && st.report.lastLine() == number - 1
            && st.report.takesTriggerTail(line.message())) {
          return st;
        }
      }
    }
    return hosts.computeIfAbsent(line.host().orElse(""), h -> new HostState());
  }

  /** The reader has passed over every line before {@code lineNumber} without feeding it. */
  public void skippedTo(long lineNumber) {
    long passed = lineNumber - 1;
    if (passed <= lastLine) {
      return;
    }
    lastLine = passed;
    if (lastFile == null) {
      return;
    }
    handOverDistant(lastFile, passed);
    for (HostState st : hosts.values()) {
      boolean wasOpen = st.isOpen();
      if (st.alloc != null && passed - st.alloc.lastLine() > IDLE_LINES) {
        handOverAlloc(st);
      }
      if (st.report != null
          && st.report.isOpen()
          && passed - st.report.lastLine() > idleLines(st.report)) {
        st.report.cutShort();
        earliestPending = Math.min(earliestPending, st.report.lastLine());
      }
      countOpen(wasOpen, st.isOpen());
    }
  }

  /** The input ended: hands over every report still open, marking cut-short ones incomplete. */
  public void finish() {
    List<Object> left = new ArrayList<>();
    for (HostState st : hosts.values()) {
      if (st.alloc != null) {
        left.add(st.alloc.build());
        st.alloc = null;
      }
      if (st.report != null) {
        st.report.cutShort();
        if (!st.report.isTentative()) {
          left.add(st.report.build());
        }
        st.report = null;
      }
    }
    openHosts = 0;
    earliestPending = Long.MAX_VALUE;
    left.sort(Comparator.comparingLong(ReportAssembler::firstLine));
    for (Object event : left) {
      if (event instanceof OomReport r) {
        sink.report(r);
      } else if (event instanceof AllocFailure a) {
        sink.allocFailure(a);
      }
    }
  }

  /**
   * For a live log that has gone quiet: hands over every report whose kill, panic or "no killable
   * processes" line has been read, without waiting for the next report of its host or for the input
   * to move {@value #PENDING_LINES} lines on (a quiet node may not log again for hours). The
   * reaper's line, when it comes later, no longer finds its report and is ignored. With {@code
   * cutOpen}, reports still open and allocation failures are handed over too, as cut short: the
   * kernel stopped in the middle of them (a ratelimited or overrun report).
   */
  public void handOverQuiet(boolean cutOpen) {
    for (HostState st : hosts.values()) {
      boolean wasOpen = st.isOpen();
      if (cutOpen && st.alloc != null) {
        handOverAlloc(st);
      }
      if (st.report != null && (cutOpen || !st.report.isOpen())) {
        handOverReport(st);
      }
      countOpen(wasOpen, st.isOpen());
    }
    earliestPending = Long.MAX_VALUE;
  }

  private static long firstLine(Object event) {
    return event instanceof OomReport r
        ? r.source().firstLine()
        : ((AllocFailure) event).source().firstLine();
  }

  private void handle(HostState st, LogLine line) {
    String m = line.message();
    Optional<OomHeaderParser.AllocFailureLine> failure = OomHeaderParser.allocFailure(m);
    if (st.alloc != null) {
      if (failure.isPresent() || OomHeaderParser.trigger(m).isPresent()) {
        handOverAlloc(st);
      } else if (st.alloc.accept(line)) {
        st.unknownRun = 0;
        return;
      } else if (st.alloc.begun()) {
        handOverAlloc(st);
      } else if (++st.unknownRun >= IDLE_LINES) {
        handOverAlloc(st);
      }
    }
    if (failure.isPresent()) {
      if (st.report != null && st.report.isOpen()) {
        // Printed by another CPU in the middle of an OOM report: its stack and show_mem lines
        // cannot be told from the report's, so it goes out with its own line only.
        sink.allocFailure(new ReportAllocFailureBuilder(line, failure.get()).build());
        return;
      }
      st.alloc = new ReportAllocFailureBuilder(line, failure.get());
      st.unknownRun = 0;
      return;
    }
    if (st.report != null) {
      switch (st.report.accept(line)) {
        case TAKEN -> st.unknownRun = 0;
        case IGNORED -> {
          // An OOM-killer line of no report here (an earlier kill's reaper).
        }
        case UNKNOWN -> {
          if (st.report.isOpen() && ++st.unknownRun >= idleLines(st.report)) {
            st.report.cutShort();
          }
        }
        case NEW_REPORT -> {
          handOverReport(st);
          start(st, line);
        }
      }
      return;
    }
    start(st, line);
  }

  private void start(HostState st, LogLine line) {
    String m = line.message();
    boolean tentative = !startsReport(m);
    if (tentative && !startsTentatively(m)) {
      return;
    }
    st.report = new OomReportBuilder(line, sink::problem, tentative, this::name);
    st.unknownRun = 0;
    st.report.accept(line);
  }

  private static int idleLines(OomReportBuilder report) {
    return report.isTentative() ? TENTATIVE_IDLE_LINES : IDLE_LINES;
  }

  /**
   * True for the lines a report can begin with when the ones before it are missing, and that only
   * an OOM report prints: the trigger, the summary, the memory cgroup section, the task table's
   * title and header, and the kill and ending lines.
   */
  static boolean startsReport(String message) {
    String m = message.strip();
    if (OomHeaderParser.trigger(m).isPresent() || OomSummaryParser.isSummary(m)) {
      return true;
    }
    if (m.startsWith("Task in ")
        || m.startsWith("Memory cgroup stats for ")
        || m.contains(": usage ")) {
      return MemcgBlockParser.parse(m, false).isPresent();
    }
    if (TaskTableParser.isTitle(m)
        || (m.startsWith("[") && TaskTableParser.header(m).isPresent())) {
      return true;
    }
    return KillLineParser.parse(m)
        .map(
            k ->
                !(k instanceof KillLine.Reaped
                    || k instanceof KillLine.UnableToReap
                    || k instanceof KillLine.SharingMemory
                    || k instanceof KillLine.MmPinned))
        .orElse(false);
  }

  /**
   * True for the lines a report can begin with that other messages print too: the stack dump (its
   * {@code CPU:} header, {@code Hardware name:}, {@code Call Trace:}, a frame), {@code Mem-Info:},
   * and the ratelimit's {@code oom_kill_process: N callbacks suppressed}.
   */
  static boolean startsTentatively(String message) {
    // Called for every anchor line while no report is open: cheap tests before any pattern.
    String m = message.strip();
    if (m.startsWith("CPU: ")) {
      return OomHeaderParser.cpu(m).isPresent();
    }
    if (m.startsWith("Hardware name:")
        || m.startsWith("Call Trace:")
        || m.startsWith("Call trace:")
        || m.equals("Mem-Info:")) {
      return true;
    }
    if (m.startsWith("oom_kill_process: ")) {
      return OomHeaderParser.suppressedHeaders(m).isPresent();
    }
    return m.contains("+0x") && OomStackLines.isStackLine(m);
  }

  private void handOverReport(HostState st) {
    OomReportBuilder report = st.report;
    st.report = null;
    report.cutShort();
    if (!report.isTentative()) {
      sink.report(report.build());
    }
  }

  private void handOverAlloc(HostState st) {
    ReportAllocFailureBuilder alloc = st.alloc;
    st.alloc = null;
    st.unknownRun = 0;
    sink.allocFailure(alloc.build());
  }

  /** Hands over the pending reports the input has left far behind. */
  private void handOverDistant(String file, long number) {
    if (earliestPending == Long.MAX_VALUE
        || (file.equals(lastFile) && number - earliestPending <= PENDING_LINES)) {
      return;
    }
    long earliest = Long.MAX_VALUE;
    for (HostState st : hosts.values()) {
      OomReportBuilder r = st.report;
      if (r == null || r.isOpen()) {
        continue;
      }
      if (!r.file().equals(file) || number - r.lastLine() > PENDING_LINES) {
        handOverReport(st);
      } else {
        earliest = Math.min(earliest, r.lastLine());
      }
    }
    earliestPending = earliest;
  }

  private void countOpen(boolean wasOpen, boolean isOpen) {
    if (wasOpen != isOpen) {
      openHosts += isOpen ? 1 : -1;
    }
  }
}
