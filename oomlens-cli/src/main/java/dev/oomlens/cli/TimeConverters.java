package dev.oomlens.cli;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/*
 * Why a class of converters rather than picocli's built-in ones: picocli's LocalDate and Integer
 * conversions end in its own words or the JDK's exception text ("Text '2024-13-45' could not be
 * parsed: Invalid value for MonthOfYear..."). Each converter here fails with one sentence about
 * the value, which ErrorHandlers prints after the option's name. Times and durations (--since,
 * --until) belong here too when they come, so all of them are read and refused alike.
 */

/** Command-line converters for dates and years, each refusing a bad value in one plain sentence. */
final class TimeConverters {
  /** The earliest date a log can hold: nothing Linux writes is dated before the epoch. */
  static final LocalDate EARLIEST = LocalDate.of(1970, 1, 1);

  /** The latest date a four-digit year can write, which every log framing assumes. */
  static final LocalDate LATEST = LocalDate.of(9999, 12, 31);

  private TimeConverters() {}

  /**
   * A value a converter refused, saying why about the value alone; the option's name is put in
   * front of it when it is printed ({@code oomlens: --year: 'abc' is not a year...}).
   */
  static final class BadValue extends TypeConversionException {
    private static final long serialVersionUID = 1L;

    BadValue(String message) {
      super(message);
    }
  }

  /** {@code YYYY-MM-DD}, a real calendar date from 1970 to 9999. */
  static final class DateConverter implements ITypeConverter<LocalDate> {
    @Override
    public LocalDate convert(String value) {
      LocalDate date;
      try {
        // ISO_LOCAL_DATE resolves strictly: 2024-02-30 is refused, not moved to March 1.
        date = LocalDate.parse(value.strip());
      } catch (DateTimeParseException e) {
        throw new BadValue("'" + value + "' is not a date; give YYYY-MM-DD, e.g. 2024-03-01");
      }
      if (date.isBefore(EARLIEST) || date.isAfter(LATEST)) {
        throw new BadValue("'" + value + "' is not between " + EARLIEST + " and " + LATEST);
      }
      return date;
    }
  }

  /** A year from 1970 to 9999. */
  static final class YearConverter implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      String digits = value.strip();
      if (!digits.matches("[+-]?\\d{1,30}")) {
        throw new BadValue("'" + value + "' is not a year; give four digits, e.g. 2024");
      }
      boolean inRange = digits.matches("\\+?\\d{4}")
          && Integer.parseInt(digits) >= EARLIEST.getYear()
          && Integer.parseInt(digits) <= LATEST.getYear();
      if (!inRange) {
        throw new BadValue("'" + value + "' is not a year between " + EARLIEST.getYear() + " and "
            + LATEST.getYear());
      }
      return Integer.parseInt(digits);
    }
  }
}
