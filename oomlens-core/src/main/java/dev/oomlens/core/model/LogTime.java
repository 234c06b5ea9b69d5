package dev.oomlens.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * When a line was written, as far as its framing tells.
 *
 * @param monotonicSeconds seconds since boot, from the kernel's own timestamp ({@code [
 *     3981.080995]} or a /dev/kmsg record's microseconds); empty when the framing carries none
 * @param wallclock ISO-8601 local date-time as the log printed it ({@code 2026-02-03T19:57:08},
 *     with an offset when the framing had one); empty when the framing carries none
 * @param yearInferred true when the framing printed no year (RFC 3164 syslog, journalctl short) and
 *     the year in {@code wallclock} was supplied by the reader's reference date
 */
public record LogTime(
    OptionalDouble monotonicSeconds, Optional<String> wallclock, boolean yearInferred) {
  public static final LogTime UNKNOWN =
      new LogTime(OptionalDouble.empty(), Optional.empty(), false);

  public LogTime {
    requireNonNull(monotonicSeconds, "monotonicSeconds");
    requireNonNull(wallclock, "wallclock");
  }

  public boolean isKnown() {
    return monotonicSeconds.isPresent() || wallclock.isPresent();
  }
}
