package dev.oomlens.core.rules;

import dev.oomlens.core.model.LogTime;
import dev.oomlens.core.model.OomReport;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/*
 * An incident is one episode of running out in one place: the reports of one host and one
 * oom_memcg (or, for host-wide OOMs, of the host) whose times are at most GAP apart from the
 * previous report of the same place. Ten minutes covers a workload being restarted and killed
 * again (a crash loop backs off to 5 minutes) without joining kills of separate days.
 *
 * Time difference: the kernel's monotonic clock when both reports carry it (a smaller value means
 * a reboot in between, so a new incident), else the wall clock. When neither tells, two reports
 * join only when they are consecutive reports of the same input with nothing else in between.
 */

/** Groups OOM reports into {@link Incident}s: same host, same cgroup, close in time. */
public final class IncidentBuilder {
  /** Reports further apart than this start a new incident. */
  public static final Duration GAP = Duration.ofMinutes(10);

  private IncidentBuilder() {}

  /** The incidents of {@code reports}, in the order of their first report. */
  public static List<Incident> group(List<OomReport> reports) {
    Map<String, Open> open = new HashMap<>();
    Map<String, Integer> counters = new HashMap<>();
    Map<String, String> lastPlaceOfInput = new HashMap<>();
    List<Open> all = new ArrayList<>();
    for (OomReport report : reports) {
      String place = place(report);
      String input = report.source().file();
      Open current = open.get(place);
      boolean consecutive = place.equals(lastPlaceOfInput.get(input));
      if (current == null || !joins(current.last(), report, consecutive)) {
        int n = counters.merge(place, 1, Integer::sum);
        current =
            new Open(report.host(), cgroupOf(report), label(report) + "#" + n, new ArrayList<>());
        open.put(place, current);
        all.add(current);
      }
      current.reports().add(report);
      lastPlaceOfInput.put(input, place);
    }
    List<Incident> out = new ArrayList<>();
    for (Open o : all) {
      out.add(new Incident(o.id(), o.host(), o.cgroup(), o.reports()));
    }
    return out;
  }

  /** The seconds between two times, when the logs tell; negative when {@code b} is earlier. */
  public static OptionalDouble secondsBetween(LogTime a, LogTime b) {
    if (a.monotonicSeconds().isPresent() && b.monotonicSeconds().isPresent()) {
      return OptionalDouble.of(
          b.monotonicSeconds().getAsDouble() - a.monotonicSeconds().getAsDouble());
    }
    if (a.wallclock().isPresent() && b.wallclock().isPresent()) {
      Optional<LocalDateTime> ta = wall(a.wallclock().get());
      Optional<LocalDateTime> tb = wall(b.wallclock().get());
      if (ta.isPresent() && tb.isPresent()) {
        return OptionalDouble.of(Duration.between(ta.get(), tb.get()).toMillis() / 1000.0);
      }
    }
    return OptionalDouble.empty();
  }

  private static boolean joins(OomReport previous, OomReport next, boolean consecutive) {
    OptionalDouble seconds = secondsBetween(previous.time(), next.time());
    if (seconds.isPresent()) {
      return seconds.getAsDouble() >= 0 && seconds.getAsDouble() <= GAP.toSeconds();
    }
    return consecutive && previous.source().file().equals(next.source().file());
  }

  private static Optional<LocalDateTime> wall(String text) {
    try {
      return Optional.of(OffsetDateTime.parse(text).toLocalDateTime());
    } catch (DateTimeParseException e) {
      try {
        return Optional.of(LocalDateTime.parse(text));
      } catch (DateTimeParseException e2) {
        return Optional.empty();
      }
    }
  }

  /** The key of the place a report ran out in: host and cgroup, or host and scope. */
  private static String place(OomReport report) {
    return report.host().orElse("") + "\u0000" + label(report);
  }

  private static Optional<String> cgroupOf(OomReport report) {
    return report.oomMemcg();
  }

  private static String label(OomReport report) {
    String host = report.host().orElse("-");
    if (report.oomMemcg().isPresent()) {
      return host + "/" + trimSlash(report.oomMemcg().get());
    }
    String scope =
        report.scope().map(s -> s.name().toLowerCase(java.util.Locale.ROOT)).orElse("global");
    return host + "/" + scope;
  }

  private static String trimSlash(String path) {
    return path.startsWith("/") ? path.substring(1) : path;
  }

  private record Open(
      Optional<String> host, Optional<String> cgroup, String id, List<OomReport> reports) {
    OomReport last() {
      return reports.getLast();
    }
  }
}
