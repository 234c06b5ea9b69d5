package dev.oomlens.core.kernel;

import dev.oomlens.core.model.LogLine;

/**
 * Assembles OOM-killer reports and page allocation failures from framed kernel log lines, one
 * state machine per host, and hands each finished event to a {@link KernelLogSink}.
 *
 * <p>Contract with the reader: while {@link #inReport()} is false, the reader passes only lines that
 * contain {@code oom}, {@code ill} or {@code failure} (case-sensitive); every line that can begin an
 * event, or attach to a report already assembled (reaper, group-kill members), contains one of them.
 */
public final class ReportAssembler {
  private final KernelLogSink sink;

  public ReportAssembler(KernelLogSink sink) {
    this.sink = sink;
  }

  /** Feeds the next logical line of the input. */
  public void accept(LogLine line) {
    throw new UnsupportedOperationException("ReportAssembler is being written");
  }

  /** True while some host has a report open whose every line matters. */
  public boolean inReport() {
    return false;
  }

  /** The reader has passed over every line before {@code lineNumber} without feeding it. */
  public void skippedTo(long lineNumber) {}

  /** The input ended: hands over every report still open, marking cut-short ones incomplete. */
  public void finish() {}
}
