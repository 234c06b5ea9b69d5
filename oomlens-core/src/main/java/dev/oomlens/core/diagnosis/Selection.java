package dev.oomlens.core.diagnosis;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.host.KillerEvent;
import dev.oomlens.core.model.AllocFailure;
import dev.oomlens.core.model.LogTime;
import dev.oomlens.core.model.OomReport;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/*
 * Times in logs come in three kinds. A wall clock with an offset (ISO syslog, journalctl -o
 * short-iso) is an instant. A wall clock without one (RFC 3164 syslog, dmesg -T) is local time of
 * the host that wrote it, which the log does not say: it is read in the zone given here (this
 * machine's, by default), and the docs say so. A time since boot alone (raw dmesg, /dev/kmsg) is an
 * instant only when the boot time is known: doctor on the live machine knows it (now minus
 * /proc/uptime); a saved raw dmesg does not, and its reports are kept, counted as unplaced, rather
 * than dropped as if they had happened outside the window.
 */

/**
 * Which part of the evidence to diagnose: a window of time and one workload. Reports and killer
 * records outside it are left out before the rules run, so findings, counts and fixes are about
 * what was selected only.
 *
 * @param since keep what happened at or after this instant
 * @param until keep what happened at or before this instant
 * @param zone the zone of wall-clock times that carry no offset
 * @param boot when the host booted, to place times since boot; empty when unknown
 */
public record Selection(
    Optional<Instant> since,
    Optional<Instant> until,
    Optional<WorkloadSelector> workload,
    ZoneId zone,
    Optional<Instant> boot) {
  /** Everything. */
  public static final Selection ALL =
      new Selection(
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          ZoneId.systemDefault(),
          Optional.empty());

  public Selection {
    requireNonNull(since, "since");
    requireNonNull(until, "until");
    requireNonNull(workload, "workload");
    requireNonNull(zone, "zone");
    requireNonNull(boot, "boot");
    if (since.isPresent() && until.isPresent() && until.get().isBefore(since.get())) {
      throw new IllegalArgumentException(
          "the window ends (" + until.get() + ") before it starts (" + since.get() + ")");
    }
  }

  /** True when nothing is left out. */
  public boolean all() {
    return since.isEmpty() && until.isEmpty() && workload.isEmpty();
  }

  /** {@code of pod UID X, since 2026-02-08T12:19:00Z}: what was selected, for sentences. */
  public String describe() {
    List<String> parts = new ArrayList<>();
    workload.ifPresent(w -> parts.add("of " + w.describe()));
    since.ifPresent(s -> parts.add("since " + s.truncatedTo(ChronoUnit.SECONDS)));
    until.ifPresent(u -> parts.add("until " + u.truncatedTo(ChronoUnit.SECONDS)));
    return String.join(", ", parts);
  }

  /** Whether a report is in the selection, out of it, or cannot be placed in the window. */
  public enum Verdict {
    IN,
    OUT,
    UNPLACED
  }

  public Verdict judge(OomReport r) {
    if (workload.isPresent() && !workload.get().matches(r)) {
      return Verdict.OUT;
    }
    return inWindow(r.time());
  }

  public Verdict judge(KillerEvent e) {
    if (workload.isPresent() && !workload.get().matches(e)) {
      return Verdict.OUT;
    }
    return inWindow(e.time());
  }

  /** Allocation failures belong to no workload: they are selected by time only. */
  public Verdict judge(AllocFailure f) {
    if (workload.isPresent()) {
      return Verdict.OUT;
    }
    return inWindow(f.time());
  }

  private Verdict inWindow(LogTime time) {
    if (since.isEmpty() && until.isEmpty()) {
      return Verdict.IN;
    }
    Optional<Instant> at = instant(time);
    if (at.isEmpty()) {
      return Verdict.UNPLACED;
    }
    boolean in =
        since.map(s -> !at.get().isBefore(s)).orElse(true)
            && until.map(u -> !at.get().isAfter(u)).orElse(true);
    return in ? Verdict.IN : Verdict.OUT;
  }

  /** The instant of a log time, when it can be told (see the note at the top). */
  public Optional<Instant> instant(LogTime time) {
    if (time.wallclock().isPresent()) {
      String w = time.wallclock().get();
      try {
        return Optional.of(OffsetDateTime.parse(w).toInstant());
      } catch (DateTimeParseException e) {
        try {
          return Optional.of(LocalDateTime.parse(w).atZone(zone).toInstant());
        } catch (DateTimeParseException e2) {
          return Optional.empty();
        }
      }
    }
    if (time.monotonicSeconds().isPresent() && boot.isPresent()) {
      return Optional.of(
          boot.get().plus(Duration.ofNanos((long) (time.monotonicSeconds().getAsDouble() * 1e9))));
    }
    return Optional.empty();
  }
}
