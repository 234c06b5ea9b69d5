package dev.oomlens.report.markdown;

import dev.oomlens.core.host.KillerEvent;
import dev.oomlens.core.model.KilledTask;
import dev.oomlens.core.model.LogTime;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.model.Trigger;
import dev.oomlens.core.model.Victim;
import dev.oomlens.core.rules.ReportFacts;
import dev.oomlens.core.rules.Sizes;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/*
 * One clock for the whole table: wall-clock time when every event carries one, else seconds after
 * boot when every event carries those, else the order of the inputs (file, then line). Mixing
 * clocks would interleave events of different boots or hosts wrongly; input order never lies about
 * what a single log said first. Ties keep input order, so a report's trigger, kill and reaper
 * lines stay in the order the kernel printed them.
 */

/**
 * The events of the evidence on one time line: every report's trigger, kill and reaper line, and
 * every userspace killer's action.
 */
final class Timeline {
  /** One row of the timeline. */
  record Event(LogTime time, Optional<String> host, String text, SourceLine source) {}

  private Timeline() {}

  static List<Event> of(List<OomReport> reports, List<KillerEvent> killers) {
    List<Event> events = new ArrayList<>();
    for (OomReport r : reports) {
      addReport(events, r);
    }
    for (KillerEvent k : killers) {
      events.add(new Event(k.time(), k.host(), killer(k), k.source()));
    }
    Comparator<Event> byInput =
        Comparator.comparing((Event e) -> e.source().file())
            .thenComparingLong(e -> e.source().line());
    Comparator<Event> order;
    if (!events.isEmpty() && events.stream().allMatch(e -> epochSeconds(e.time()).isPresent())) {
      order =
          Comparator.comparingDouble((Event e) -> epochSeconds(e.time()).getAsDouble())
              .thenComparing(byInput);
    } else if (!events.isEmpty()
        && events.stream().allMatch(e -> e.time().monotonicSeconds().isPresent())) {
      order =
          Comparator.comparingDouble((Event e) -> e.time().monotonicSeconds().getAsDouble())
              .thenComparing(byInput);
    } else {
      order = byInput;
    }
    events.sort(order);
    return List.copyOf(events);
  }

  private static void addReport(List<Event> events, OomReport r) {
    String where = Facts.where(r);
    if (r.trigger().isPresent()) {
      Trigger t = r.trigger().get();
      String who =
          Markdown.code(t.comm())
              + t.pid().stream().mapToObj(p -> " (pid " + p + ")").findFirst().orElse("");
      String text =
          ReportFacts.isManual(r)
              ? "OOM killer invoked by hand (SysRq-f, order=-1) from " + who
              : who
                  + " invoked the OOM killer"
                  + t.order().stream().mapToObj(o -> ", order " + o).findFirst().orElse("")
                  + ": "
                  + MarkdownReport.ranOut(r);
      events.add(new Event(r.time(), r.host(), text, t.source()));
    }
    if (r.victim().isPresent()) {
      Victim v = r.victim().get();
      String group =
          r.groupKill()
              .map(
                  g ->
                      "; memory.oom.group killed all "
                          + g.killed().size()
                          + " tasks of "
                          + Markdown.code(g.cgroup()))
              .orElse("");
      events.add(
          new Event(
              r.time(),
              r.host(),
              "Kernel killed " + Facts.victim(r) + (where.isEmpty() ? "" : " in " + where) + group,
              v.source()));
    } else if (r.groupKill().isPresent()) {
      for (KilledTask k : r.groupKill().get().killed()) {
        events.add(
            new Event(
                r.time(),
                r.host(),
                "Kernel killed "
                    + Markdown.code(k.comm())
                    + " (pid "
                    + k.pid()
                    + k.anonRssBytes().stream()
                        .mapToObj(b -> ", anon RSS " + Sizes.bytes(b))
                        .findFirst()
                        .orElse("")
                    + ") with its group (memory.oom.group)",
                k.source()));
      }
    }
    r.panic()
        .ifPresent(
            p ->
                events.add(
                    new Event(
                        r.time(),
                        r.host(),
                        "Kernel panic: " + Markdown.text(p),
                        r.factLines().panic().orElse(r.lines().get(r.lines().size() - 1)))));
    if (r.reaped().isPresent()) {
      Optional<SourceLine> line = r.factLines().reaper();
      if (line.isPresent()) {
        String pid = r.victim().map(v -> " pid " + v.pid()).orElse("");
        events.add(
            new Event(
                r.time(),
                r.host(),
                r.reaped().get()
                    ? "oom_reaper reaped" + pid + ": its memory was given back"
                    : "oom_reaper could not reap"
                        + pid
                        + ": its memory may not have been freed at once",
                line.get()));
      }
    }
    if (r.trigger().isEmpty()
        && r.victim().isEmpty()
        && r.groupKill().isEmpty()
        && r.panic().isEmpty()
        && !r.lines().isEmpty()) {
      events.add(
          new Event(
              r.time(),
              r.host(),
              "OOM report (cut short): " + MarkdownReport.ranOut(r),
              r.lines().get(0)));
    }
  }

  private static String killer(KillerEvent k) {
    StringBuilder s = new StringBuilder(k.killer().jsonName()).append(": ");
    s.append(
        switch (k.action()) {
          case KILL -> "killed";
          case TERMINATE -> "asked to exit";
          case KILL_FAILED -> "failed to kill";
          case EVICT -> "evicted";
          case UNIT_KILLED_BY_OOMD -> "systemd-oomd killed processes of";
          case UNIT_OOM_KILL -> "the kernel's OOM killer killed a process of";
          case UNIT_OOM_RESULT -> "failed with result oom-kill:";
          case UNIT_SIGNAL_EXIT -> "main process died of a signal:";
        });
    List<String> who = new ArrayList<>();
    k.comm().ifPresent(c -> who.add(Markdown.code(c)));
    k.pid().ifPresent(p -> who.add("pid " + p));
    k.unit().ifPresent(u -> who.add(Markdown.code(u)));
    if (!who.isEmpty()) {
      s.append(' ').append(String.join(", ", who));
    }
    k.rssBytes().ifPresent(b -> s.append(", RSS ").append(Sizes.kb(b / 1024)));
    k.reason().ifPresent(r -> s.append(" (").append(Markdown.text(r)).append(')'));
    return s.toString();
  }

  /** Seconds since the epoch of a wall clock, read as UTC when it carries no offset. */
  static OptionalDouble epochSeconds(LogTime t) {
    if (t.wallclock().isEmpty()) {
      return OptionalDouble.empty();
    }
    String w = t.wallclock().get().replace(',', '.');
    try {
      OffsetDateTime o = OffsetDateTime.parse(w);
      return OptionalDouble.of(o.toEpochSecond() + o.getNano() / 1e9);
    } catch (DateTimeParseException notOffset) {
      try {
        LocalDateTime l = LocalDateTime.parse(w);
        return OptionalDouble.of(l.toEpochSecond(ZoneOffset.UTC) + l.getNano() / 1e9);
      } catch (DateTimeParseException notLocal) {
        return OptionalDouble.empty();
      }
    }
  }
}
