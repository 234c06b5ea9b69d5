package dev.oomlens.core.kernel;

import dev.oomlens.core.model.LogLine;
import dev.oomlens.core.model.SourceLine;
import java.util.function.Consumer;

/**
 * Takes the framing off log lines: raw dmesg, dmesg -T, /dev/kmsg records, syslog and journal
 * formats, or none. One instance per input: it remembers the previous record so continuation lines
 * inherit its host and time.
 */
public final class LineFramer {
  private final ReaderOptions options;

  public LineFramer(ReaderOptions options) {
    this.options = options;
  }

  /**
   * Frames one physical line, handing {@code out} one {@link LogLine} per logical line: several for
   * records whose newlines were escaped ({@code #012}, {@code \x0a}), none for lines that hold no
   * message (kmsg {@code KEY=value} dictionary lines, empty lines).
   */
  public void frame(SourceLine line, Consumer<LogLine> out) {
    throw new UnsupportedOperationException("LineFramer is being written");
  }
}
