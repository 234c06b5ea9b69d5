package dev.oomlens.cli;

import dev.oomlens.core.kernel.ReaderOptions;
import java.time.Clock;
import java.time.LocalDate;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --year} and {@code --reference-date}: the date yearless timestamps (RFC 3164 syslog,
 * journalctl short) are placed before. Default: today.
 */
final class DateOptions {
  @Spec(Spec.Target.MIXEE) CommandSpec spec;

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Choice choice;

  static final class Choice {
    @Option(names = "--year", paramLabel = "YYYY",
        description = "Year of yearless syslog timestamps (they are placed no later than"
            + " December 31 of it).")
    Integer year;

    @Option(names = "--reference-date", paramLabel = "YYYY-MM-DD",
        description = "Yearless syslog timestamps get the latest year that does not put them"
            + " after this date. Default: today.")
    LocalDate referenceDate;
  }

  ReaderOptions readerOptions(Clock clock) {
    if (choice != null && choice.year != null) {
      int year = choice.year;
      if (year < 1970 || year > 9999) {
        throw new ParameterException(spec.commandLine(),
            "--year must be between 1970 and 9999, not " + year);
      }
      return new ReaderOptions(LocalDate.of(year, 12, 31));
    }
    if (choice != null && choice.referenceDate != null) {
      return new ReaderOptions(choice.referenceDate);
    }
    return new ReaderOptions(LocalDate.now(clock));
  }
}
