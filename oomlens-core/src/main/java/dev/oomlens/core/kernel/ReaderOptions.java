package dev.oomlens.core.kernel;

import java.time.LocalDate;

/**
 * Settings of a kernel-log read.
 *
 * @param referenceDate the date yearless timestamps (RFC 3164 syslog, journalctl {@code short}) are
 *     placed before: such a timestamp gets the latest year that does not put it after this date
 */
public record ReaderOptions(LocalDate referenceDate) {
  public ReaderOptions {
    java.util.Objects.requireNonNull(referenceDate, "referenceDate");
  }
}
