package dev.oomlens.cli;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A point in time as the command line gives it: ISO 8601 ({@code 2026-02-08T12:19:00Z}, {@code
 * 2026-02-08T12:19}, {@code 2026-02-08}) or a duration before now ({@code 90s}, {@code 30m},
 * {@code 6h}, {@code 7d}, {@code 2w}). Times without an offset are in this machine's zone.
 */
sealed interface TimeArgument {
  /** The instant it stands for, with {@code clock} as now and as the zone of local times. */
  Instant resolve(Clock clock);

  /** A time with an offset. */
  record At(Instant instant) implements TimeArgument {
    @Override
    public Instant resolve(Clock clock) {
      return instant;
    }
  }

  /** A local date-time (a date alone is its midnight). */
  record Local(LocalDateTime time) implements TimeArgument {
    @Override
    public Instant resolve(Clock clock) {
      return time.atZone(clock.getZone()).toInstant();
    }
  }

  /** That long before now. */
  record Ago(Duration duration) implements TimeArgument {
    @Override
    public Instant resolve(Clock clock) {
      return clock.instant().minus(duration);
    }
  }

  /** Reads {@code --since} and {@code --until}. */
  final class Converter implements ITypeConverter<TimeArgument> {
    private static final Pattern AGO = Pattern.compile("(\\d{1,9})\\s*([smhdw])");

    @Override
    public TimeArgument convert(String value) {
      String v = value.strip();
      Matcher m = AGO.matcher(v.toLowerCase(Locale.ROOT));
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          case "d" -> Duration.ofDays(n);
          default -> Duration.ofDays(7 * n);
        };
        return new Ago(d);
      }
      try {
        return new At(OffsetDateTime.parse(v).toInstant());
      } catch (DateTimeParseException e) {
        // not with an offset; try the local forms
      }
      try {
        return new Local(LocalDateTime.parse(v));
      } catch (DateTimeParseException e) {
        // not a local date-time either
      }
      try {
        return new Local(LocalDate.parse(v).atStartOfDay());
      } catch (DateTimeParseException e) {
        throw new TypeConversionException("'" + value + "' is not a time: give an ISO 8601 time"
            + " (2026-02-08T12:19:00Z, 2026-02-08T12:19, 2026-02-08) or how long ago (30m, 6h,"
            + " 7d, 2w)");
      }
    }
  }
}
