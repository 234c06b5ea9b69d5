package dev.oomlens.core.rules;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.TaskRow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/*
 * Following a task from one table to the next: by pid when the same pid with the same comm is
 * there (pids are reused, comms rarely at the same moment), else by comm when exactly one
 * unfollowed row and one open track carry it (a restarted worker gets a new pid). Memory held is
 * rss + swapents: a task whose pages went to swap still holds them.
 *
 * The grower is the task whose held memory rose most between its first and last table; tasks that
 * rose at least half as much are growers too (two sidecars can grow together). Rises below 1 MiB
 * are noise (page-table and stack churn), not growth.
 */

/**
 * How each task's memory moved across the task tables of one incident, and who grew.
 *
 * @param tracks every task seen, in order of first appearance
 * @param growers the tracks that grew most, largest rise first; empty when no task grew (or the
 *     incident has a single table)
 */
public record TaskGrowth(List<Track> tracks, List<Track> growers) {
  private static final long MIN_GROWTH_KB = 1024;

  public TaskGrowth {
    tracks = List.copyOf(tracks);
    growers = List.copyOf(growers);
  }

  /** One row of one report's table. */
  public record Sample(int reportIndex, TaskRow row) {
    public Sample {
      requireNonNull(row, "row");
    }
  }

  /** One task followed through the tables it appears in. */
  public record Track(String comm, List<Sample> samples) {
    public Track {
      requireNonNull(comm, "comm");
      samples = List.copyOf(samples);
    }

    public Sample first() {
      return samples.getFirst();
    }

    public Sample last() {
      return samples.getLast();
    }

    /** Held memory (rss + swap) in the last table minus the first, in pages. */
    public long growthPages() {
      return ReportFacts.heldPages(last().row()) - ReportFacts.heldPages(first().row());
    }

    /** True when this track holds {@code row} of report {@code reportIndex}. */
    public boolean holds(int reportIndex, TaskRow row) {
      return samples.stream().anyMatch(s -> s.reportIndex() == reportIndex && s.row() == row);
    }
  }

  /** Follows every task of the incident's tables. */
  public static TaskGrowth of(Incident incident) {
    List<OomReport> reports = incident.reports();
    List<List<Sample>> tracks = new ArrayList<>();
    for (int i = 0; i < reports.size(); i++) {
      List<TaskRow> rows = reports.get(i).tasks();
      if (rows.isEmpty()) {
        continue;
      }
      List<List<Sample>> open = new ArrayList<>(tracks);
      List<TaskRow> unmatched = new ArrayList<>();
      for (TaskRow row : rows) {
        List<Sample> byPid = null;
        for (List<Sample> t : open) {
          TaskRow last = t.getLast().row();
          if (last.pid() == row.pid() && last.comm().equals(row.comm())) {
            byPid = t;
            break;
          }
        }
        if (byPid != null) {
          byPid.add(new Sample(i, row));
          List<Sample> matched = byPid;
          open.removeIf(t -> t == matched);
        } else {
          unmatched.add(row);
        }
      }
      Map<String, Integer> rowsPerComm = new HashMap<>();
      unmatched.forEach(r -> rowsPerComm.merge(r.comm(), 1, Integer::sum));
      Map<String, Integer> tracksPerComm = new HashMap<>();
      open.forEach(t -> tracksPerComm.merge(t.getLast().row().comm(), 1, Integer::sum));
      for (TaskRow row : unmatched) {
        Optional<List<Sample>> byComm = Optional.empty();
        if (rowsPerComm.get(row.comm()) == 1 && tracksPerComm.getOrDefault(row.comm(), 0) == 1) {
          byComm = open.stream().filter(t -> t.getLast().row().comm().equals(row.comm()))
              .findFirst();
        }
        if (byComm.isPresent()) {
          List<Sample> matched = byComm.get();
          matched.add(new Sample(i, row));
          open.removeIf(t -> t == matched);
        } else {
          List<Sample> track = new ArrayList<>();
          track.add(new Sample(i, row));
          tracks.add(track);
        }
      }
    }
    List<Track> all = tracks.stream()
        .map(t -> new Track(t.getFirst().row().comm(), t))
        .toList();
    return new TaskGrowth(all, growers(all, reports));
  }

  private static List<Track> growers(List<Track> tracks, List<OomReport> reports) {
    long pageKb = reports.stream().mapToLong(ReportFacts::pageKb).max().orElse(4);
    long minPages = MIN_GROWTH_KB / pageKb;
    long most = tracks.stream().filter(t -> t.samples().size() > 1)
        .mapToLong(Track::growthPages).max().orElse(0);
    if (most < minPages || most <= 0) {
      return List.of();
    }
    return tracks.stream()
        .filter(t -> t.samples().size() > 1 && t.growthPages() * 2 >= most)
        .sorted(Comparator.comparingLong(Track::growthPages).reversed())
        .toList();
  }

  /** The track holding {@code row} of report {@code reportIndex}. */
  public Optional<Track> trackOf(int reportIndex, TaskRow row) {
    return tracks.stream().filter(t -> t.holds(reportIndex, row)).findFirst();
  }

  /** True when {@code row} of report {@code reportIndex} belongs to a grower. */
  public boolean isGrower(int reportIndex, TaskRow row) {
    return growers.stream().anyMatch(t -> t.holds(reportIndex, row));
  }

  /**
   * The victim, the trigger and the largest task of one table, side by side: who asked for the
   * page, who died, and who held the memory.
   */
  public record Comparison(
      Optional<TaskRow> victim, Optional<TaskRow> trigger, Optional<TaskRow> largest) {
    public Comparison {
      requireNonNull(victim, "victim");
      requireNonNull(trigger, "trigger");
      requireNonNull(largest, "largest");
    }

    /** True when the table shows both and they are different processes. */
    public boolean triggerIsNotVictim() {
      return victim.isPresent() && trigger.isPresent() && victim.get() != trigger.get();
    }
  }

  /** Compares the victim to the trigger and to the table's largest task. */
  public static Comparison compare(OomReport report) {
    Optional<TaskRow> victim = report.victimRow();
    if (victim.isEmpty() && report.victim().isPresent()) {
      victim = ReportFacts.row(report, report.victim().get().pid());
    }
    Optional<TaskRow> trigger = report.trigger().flatMap(t -> t.pid().isPresent()
        ? ReportFacts.row(report, t.pid().getAsLong())
        : Optional.empty());
    Optional<TaskRow> largest = report.tasks().stream()
        .max(Comparator.comparingLong(ReportFacts::heldPages));
    return new Comparison(victim, trigger, largest);
  }
}
