package dev.oomlens.cli;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;

/**
 * A point in time as the command line gives it: ISO 8601 ({@code 2026-02-08T12:19:00Z}, {@code
 * 2026-02-08T12:19}, {@code 2026-02-08}) or a duration before now ({@code 90s}, {@code 30m}, {@code
 * 6h}, {@code 7d}, {@code 2w}). Times without an offset are in this machine's zone.
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
}
