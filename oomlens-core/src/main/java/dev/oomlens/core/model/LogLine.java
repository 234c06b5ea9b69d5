package dev.oomlens.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * One logical log line with its framing taken apart.
 *
 * @param source the physical line (for rsyslog {@code #012}-joined or kmsg {@code \x0a}-escaped
 *     records, the one physical line every logical line came from)
 * @param framing how the line was wrapped
 * @param host the host the framing names; empty for framings without one
 * @param tag the syslog tag ({@code kernel}, {@code systemd}, {@code earlyoom}...); empty for
 *     framings that carry only kernel messages
 * @param time when it was written, as far as the framing tells
 * @param continuation true for a line that continues the previous record instead of starting one:
 *     indented dmesg lines without a timestamp, kmsg records flagged {@code c}
 * @param message the kernel's text with the framing removed; leading indentation of continuation
 *     lines removed, trailing white space removed
 */
public record LogLine(
    SourceLine source,
    Framing framing,
    Optional<String> host,
    Optional<String> tag,
    LogTime time,
    boolean continuation,
    String message) {
  public LogLine {
    requireNonNull(source, "source");
    requireNonNull(framing, "framing");
    requireNonNull(host, "host");
    requireNonNull(tag, "tag");
    requireNonNull(time, "time");
    requireNonNull(message, "message");
  }

  /** True when the line can be part of a kernel report: its tag is {@code kernel} or absent. */
  public boolean isKernel() {
    return tag.isEmpty() || tag.get().equals("kernel");
  }
}
