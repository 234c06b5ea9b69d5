package dev.oomlens.core.kernel;

import dev.oomlens.core.model.AllocFailure;
import dev.oomlens.core.model.LogLine;
import dev.oomlens.core.model.LogTime;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.model.SourceRange;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Builds one {@link AllocFailure} from its {@code <kind> failure: order:N, mode:...} line and what
 * warn_alloc() prints after it: the cpuset line of older kernels, the stack dump and the {@code
 * show_mem} block.
 *
 * <p>The block ends at the first line of the host that is none of these once the stack or the
 * {@code show_mem} block has begun: show_mem may be suppressed (ratelimit, {@code __GFP_NOWARN}
 * siblings), and a later, unrelated {@code Mem-Info:} must not be taken for this one's.
 */
final class ReportAllocFailureBuilder {
  private final LogLine first;
  private final OomHeaderParser.AllocFailureLine failure;
  private final MemInfoBuilder memInfo = new MemInfoBuilder();
  private OptionalLong pid = OptionalLong.empty();
  private LogTime time;
  private long lastLine;
  private boolean begun;

  ReportAllocFailureBuilder(LogLine first, OomHeaderParser.AllocFailureLine failure) {
    this.first = first;
    this.failure = failure;
    this.time = first.time();
    this.lastLine = first.source().line();
  }

  /** Offers the next line of the host; false when the line is not part of the block. */
  boolean accept(LogLine line) {
    String m = line.message().strip();
    boolean taken;
    Optional<OomHeaderParser.CpuLine> cpu = OomHeaderParser.cpu(m);
    if (cpu.isPresent()) {
      if (pid.isEmpty()) {
        pid = OptionalLong.of(cpu.get().pid());
      }
      taken = true;
    } else if (OomHeaderParser.hardware(m).isPresent()
        || OomHeaderParser.isWorkqueue(m)
        || OomHeaderParser.cpuset(m).isPresent()) {
      taken = true;
    } else if (memInfo.accept(m, line.source())) {
      begun = true;
      taken = true;
    } else if (OomStackLines.isStackLine(m)) {
      begun = true;
      taken = true;
    } else {
      taken = false;
    }
    if (taken) {
      lastLine = Math.max(lastLine, line.source().line());
      if (!time.isKnown() && line.time().isKnown()) {
        time = line.time();
      }
    }
    return taken;
  }

  /** True once the stack or show_mem began: an unknown line now ends the block. */
  boolean begun() {
    return begun;
  }

  long lastLine() {
    return lastLine;
  }

  AllocFailure build() {
    SourceLine line = first.source();
    long pageSizeBytes = memInfo.pageSizeBytes().orElse(OomReportBuilder.DEFAULT_PAGE_BYTES);
    return new AllocFailure(
        new SourceRange(line.file(), line.line(), Math.max(line.line(), lastLine)),
        first.host(),
        time,
        failure.comm(),
        pid,
        failure.order(),
        failure.mode(),
        failure.kind(),
        memInfo.build(pageSizeBytes),
        line,
        pageSizeBytes);
  }
}
