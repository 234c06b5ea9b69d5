package dev.oomlens.core.kernel;

import dev.oomlens.core.model.AllocFailure;
import dev.oomlens.core.model.LogLine;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.Problem;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Assembles OOM-killer reports and page allocation failures from framed kernel log lines, one
 * state machine per host, and hands each finished event to a {@link KernelLogSink}.
 *
 * <p>Contract with the reader: while {@link #inReport()} is false, the reader passes only lines that
 * contain {@code oom}, {@code Kill}/{@code kill}, or {@code failure: order}/{@code failure. order}
 * (case-sensitive; it also passes the userspace killers' lines, which this class ignores); every
 * line that can begin an event, or attach to a report already assembled (reaper, group-kill
 * members), contains one of them.
 *
 * <p>A report is open from its first line (the {@code invoked oom-killer} trigger, or, when that is
 * missing, the summary, {@code Task in ... killed}, or a kill line) to its kill, panic or "no
 * killable processes" line; {@link #inReport()} is true while any host has one open (or an
 * allocation failure whose stack and {@code show_mem} block are being read). It then waits, pending,
 * for the reaper's verdict and group-kill members, and is handed over when the next report of its
 * host begins, when the input is more than {@value #PENDING_LINES} lines past it, or at
 * {@link #finish()}. An open report that sees {@value #IDLE_LINES} lines of its host in a row that
 * it does not recognise is closed as incomplete; unrecognised lines in between (other subsystems)
 * are skipped.
 *
 * <p>Order: each host's reports are handed over in input order. With several hosts in one input, a
 * report is handed over when it is finished, so one host's report may come before an earlier-starting
 * report of another host that is still pending; {@link #finish()} hands over what remains in the
 * order of first lines.
 *
 * <p>Nothing here throws on bad input: a line that cannot be read becomes a {@link Problem}.
 */
public final class ReportAssembler {
  /** Lines past a pending report's last line after which it is handed over. */
  static final int PENDING_LINES = 2000;

  /** Unrecognised lines of its host in a row after which an open report is closed. */
  static final int IDLE_LINES = 1000;

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
      HostState st = hosts.computeIfAbsent(line.host().orElse(""), h -> new HostState());
      boolean wasOpen = st.isOpen();
      handle(st, line);
      countOpen(wasOpen, st.isOpen());
      if (st.report != null && !st.report.isOpen()) {
        earliestPending = Math.min(earliestPending, st.report.lastLine());
      }
    } catch (RuntimeException e) {
      // A defect here must not cost the user the rest of the input.
      sink.problem(new Problem(line.source().file(), line.source().line(),
          "could not assemble this line into a report: " + e));
    }
  }

  /** True while some host has a report open whose every line matters. */
  public boolean inReport() {
    return openHosts > 0;
  }

  /** The reader has passed over every line before {@code lineNumber} without feeding it. */
  public void skippedTo(long lineNumber) {
    long passed = lineNumber - 1;
    if (lastFile == null || passed <= lastLine) {
      return;
    }
    lastLine = passed;
    handOverDistant(lastFile, passed);
    for (HostState st : hosts.values()) {
      boolean wasOpen = st.isOpen();
      if (st.alloc != null && passed - st.alloc.lastLine() > IDLE_LINES) {
        handOverAlloc(st);
      }
      if (st.report != null && st.report.isOpen() && passed - st.report.lastLine() > IDLE_LINES) {
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
        left.add(st.report.build());
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
          if (st.report.isOpen() && ++st.unknownRun >= IDLE_LINES) {
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
    if (!startsReport(line.message())) {
      return;
    }
    st.report = new OomReportBuilder(line, sink::problem);
    st.unknownRun = 0;
    st.report.accept(line);
  }

  /** True for the lines a report can begin with when the ones before it are missing. */
  static boolean startsReport(String message) {
    String m = message.strip();
    if (OomHeaderParser.trigger(m).isPresent() || OomSummaryParser.isSummary(m)) {
      return true;
    }
    if (m.startsWith("Task in ")) {
      return MemcgBlockParser.parse(m, false).isPresent();
    }
    return KillLineParser.parse(m)
        .map(k -> !(k instanceof KillLine.Reaped || k instanceof KillLine.UnableToReap
            || k instanceof KillLine.SharingMemory || k instanceof KillLine.MmPinned))
        .orElse(false);
  }

  private void handOverReport(HostState st) {
    OomReportBuilder report = st.report;
    st.report = null;
    report.cutShort();
    sink.report(report.build());
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
