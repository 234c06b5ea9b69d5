package dev.oomlens.cli;

import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;

/*
 * Why a class of converters rather than picocli's built-in ones: picocli's LocalDate and Integer
 * conversions end in its own words or the JDK's exception text ("Text '2024-13-45' could not be
 * parsed: Invalid value for MonthOfYear..."). Each converter here fails with one sentence about
 * the value, which ErrorHandlers prints after the option's name; times and durations (--since,
 * --until) are read and refused alike.
 */

/**
 * Command-line converters for dates, years and points in time, each refusing a bad value in one
 * plain sentence.
 */
final class TimeConverters {
  /** The earliest date a log can hold: nothing Linux writes is dated before the epoch. */
  static final LocalDate EARLIEST = LocalDate.of(1970, 1, 1);

  /** The latest date a four-digit year can write, which every log framing assumes. */
  static final LocalDate LATEST = LocalDate.of(9999, 12, 31);

  private TimeConverters() {}

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
      boolean inRange =
          digits.matches("\\+?\\d{4}")
              && Integer.parseInt(digits) >= EARLIEST.getYear()
              && Integer.parseInt(digits) <= LATEST.getYear();
      if (!inRange) {
        throw new BadValue(
            "'"
                + value
                + "' is not a year between "
                + EARLIEST.getYear()
                + " and "
                + LATEST.getYear());
      }
      return Integer.parseInt(digits);
    }
  }

  /** Reads {@code --since} and {@code --until}. */
  static final class TimeConverter implements ITypeConverter<TimeArgument> {
    private static final Pattern AGO = Pattern.compile("(\\d{1,9})\\s*([smhdw])");

    @Override
    public TimeArgument convert(String value) {
      String v = value.strip();
      Matcher m = AGO.matcher(v.toLowerCase(Locale.ROOT));
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        Duration d =
            switch (m.group(2)) {
              case "s" -> Duration.ofSeconds(n);
              case "m" -> Duration.ofMinutes(n);
              case "h" -> Duration.ofHours(n);
              case "d" -> Duration.ofDays(n);
              default -> Duration.ofDays(7 * n);
            };
        return new TimeArgument.Ago(d);
      }
      try {
        return new TimeArgument.At(OffsetDateTime.parse(v).toInstant());
      } catch (DateTimeParseException e) {
        // not with an offset; try the local forms
      }
      try {
        return new TimeArgument.Local(LocalDateTime.parse(v));
      } catch (DateTimeParseException e) {
        // not a local date-time either
      }
      try {
        return new TimeArgument.Local(LocalDate.parse(v).atStartOfDay());
      } catch (DateTimeParseException e) {
        throw new BadValue(
            "'"
                + value
                + "' is not a time: give an ISO 8601 time"
                + " (2026-02-08T12:19:00Z, 2026-02-08T12:19, 2026-02-08) or how long ago (30m, 6h,"
                + " 7d, 2w)");
      }
    }
  }
}
