package dev.oomlens.cli;

import dev.oomlens.core.kernel.ReaderOptions;
import java.time.Clock;
import java.time.LocalDate;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * {@code --year} and {@code --reference-date}: the date yearless timestamps (RFC 3164 syslog,
 * journalctl short) are placed before. Default: today.
 */
final class DateOptions {
  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Choice choice;

  static final class Choice {
    @Option(
        names = "--year",
        paramLabel = "YYYY",
        converter = TimeConverters.YearConverter.class,
        description =
            "Year of yearless syslog timestamps (they are placed no later than"
                + " December 31 of it).")
    Integer year;

    @Option(
        names = "--reference-date",
        paramLabel = "YYYY-MM-DD",
        converter = TimeConverters.DateConverter.class,
        description =
            "Yearless syslog timestamps get the latest year that does not put them"
                + " after this date. Default: today.")
    LocalDate referenceDate;
  }

  ReaderOptions readerOptions(Clock clock) {
    if (choice != null && choice.year != null) {
      return new ReaderOptions(LocalDate.of(choice.year, 12, 31));
    }
    if (choice != null && choice.referenceDate != null) {
      return new ReaderOptions(choice.referenceDate);
    }
    return new ReaderOptions(LocalDate.now(clock));
  }
}
