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
  private static final long MIN_GROWTH_BYTES = 1024 * 1024;

  public TaskGrowth {
    tracks = List.copyOf(tracks);
    growers = List.copyOf(growers);
  }

  /*
   * A sample keeps its table and the row's place in it, not the row: a report's table makes its
   * rows on each get (model.TaskTable), and the samples of a large incident's tracks are the most
   * the rules hold at once. A record's contract: equals, hashCode and toString of (reportIndex, row).
   */

  /** One row of one report's table. */
  public static final class Sample {
    private final int reportIndex;
    private final List<TaskRow> table;
    private final int rowIndex;

    Sample(int reportIndex, List<TaskRow> table, int rowIndex) {
      requireNonNull(table, "table");
      this.reportIndex = reportIndex;
      this.table = table;
      this.rowIndex = rowIndex;
    }

    public int reportIndex() {
      return reportIndex;
    }

    public TaskRow row() {
      return table.get(rowIndex);
    }

    @Override
    public boolean equals(Object o) {
      return o == this
          || (o instanceof Sample s && reportIndex == s.reportIndex && row().equals(s.row()));
    }

    @Override
    public int hashCode() {
      return 31 * Integer.hashCode(reportIndex) + row().hashCode();
    }

    @Override
    public String toString() {
      return "Sample[reportIndex=" + reportIndex + ", row=" + row() + "]";
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

    /** Held memory (rss + swap) in the last table minus the first, in bytes. */
    public long growthBytes() {
      return ReportFacts.heldBytes(last().row()) - ReportFacts.heldBytes(first().row());
    }

    /** True when this track holds {@code row} of report {@code reportIndex}. */
    public boolean holds(int reportIndex, TaskRow row) {
      return samples.stream().anyMatch(s -> s.reportIndex() == reportIndex && s.row().equals(row));
    }
  }

  /** Follows every task of the incident's tables. */
  public static TaskGrowth of(Incident incident) {
    List<OomReport> reports = incident.reports();
    Tracks tracks = new Tracks();
    for (int i = 0; i < reports.size(); i++) {
      List<TaskRow> rows = reports.get(i).tasks();
      if (rows.isEmpty()) {
        continue;
      }
      Map<String, Integer> matchedPerComm = new HashMap<>();
      List<Sample> unmatched = new ArrayList<>();
      for (int j = 0; j < rows.size(); j++) {
        TaskRow row = rows.get(j);
        Optional<TrackBuilder> byPid = tracks.firstOpenByPid(row, i);
        if (byPid.isPresent()) {
          byPid.get().add(new Sample(i, rows, j));
          byPid.get().matchedIn = i;
          matchedPerComm.merge(row.comm(), 1, Integer::sum);
        } else {
          unmatched.add(new Sample(i, rows, j));
        }
      }
      Map<String, Integer> rowsPerComm = new HashMap<>();
      unmatched.forEach(s -> rowsPerComm.merge(s.row().comm(), 1, Integer::sum));
      for (Sample sample : unmatched) {
        TaskRow row = sample.row();
        int openOfComm =
            tracks.byComm.getOrDefault(row.comm(), List.of()).size()
                - matchedPerComm.getOrDefault(row.comm(), 0);
        // A restarted task (new pid) is followed by name only when the name is unique on both
        // sides: one row and one open track.
        Optional<TrackBuilder> byComm =
            rowsPerComm.get(row.comm()) == 1 && openOfComm == 1
                ? tracks.firstOpen(tracks.byComm, row.comm(), i)
                : Optional.empty();
        if (byComm.isPresent()) {
          tracks.extend(byComm.get(), sample);
          byComm.get().matchedIn = i;
        } else {
          tracks.start(sample);
        }
      }
    }
    // The indexes go before the tracks are made, and each builder as its track is: the builders
    // of a large incident are the biggest thing the rules hold (docs/benchmarks.md, "Memory").
    List<TrackBuilder> built = tracks.all;
    tracks.byPid.clear();
    tracks.byComm.clear();
    List<Track> all = new ArrayList<>(built.size());
    for (int t = 0; t < built.size(); t++) {
      TrackBuilder b = built.set(t, null);
      all.add(new Track(b.first.row().comm(), b.samples()));
    }
    return new TaskGrowth(all, growers(all));
  }

  /*
   * Most tasks appear in one table only: a builder keeps its first sample in a field and a list
   * only from the second on, and the pid index holds a lone builder itself rather than a list of
   * one (about 300 bytes a row of the incident's tables before, 120 now).
   */

  /** A track being built, with its place among all tracks (the order matches are tried in). */
  private static final class TrackBuilder {
    final int order;
    final Sample first;

    /** The samples after the first; null while there are none. */
    ArrayList<Sample> more;

    /** The report whose table last matched a row to this track; -1 before any. */
    int matchedIn = -1;

    TrackBuilder(int order, Sample first) {
      this.order = order;
      this.first = first;
    }

    void add(Sample s) {
      if (more == null) {
        more = new ArrayList<>(2);
      }
      more.add(s);
    }

    TaskRow last() {
      return more == null ? first.row() : more.getLast().row();
    }

    List<Sample> samples() {
      if (more == null) {
        return List.of(first);
      }
      List<Sample> all = new ArrayList<>(more.size() + 1);
      all.add(first);
      all.addAll(more);
      return all;
    }
  }

  /*
   * Every track ever started stays a candidate for later tables, so tracks are indexed by the
   * pid of their last row (its name checked on lookup) and by their name alone: matching a table
   * is then proportional to its rows, not to all the rows seen before, which matters for
   * incidents of hundreds of kills.
   */
  private static final class Tracks {
    final List<TrackBuilder> all = new ArrayList<>();

    /** Under a pid, the one builder whose last row has it, or the list of them in order started. */
    final Map<Long, Object> byPid = new HashMap<>();

    final Map<String, List<TrackBuilder>> byComm = new HashMap<>();

    /**
     * The first track (in the order started) whose last row has the pid and name of {@code row} and
     * that is not yet matched in the table of report {@code reportIndex}.
     */
    Optional<TrackBuilder> firstOpenByPid(TaskRow row, int reportIndex) {
      for (TrackBuilder t : pidList(byPid.get(row.pid()))) {
        if (t.matchedIn != reportIndex && t.last().comm().equals(row.comm())) {
          return Optional.of(t);
        }
      }
      return Optional.empty();
    }

    /**
     * The first track (in the order started) named {@code comm} not yet matched in the table of
     * report {@code reportIndex}.
     */
    Optional<TrackBuilder> firstOpen(
        Map<String, List<TrackBuilder>> index, String comm, int reportIndex) {
      for (TrackBuilder t : index.getOrDefault(comm, List.of())) {
        if (t.matchedIn != reportIndex) {
          return Optional.of(t);
        }
      }
      return Optional.empty();
    }

    @SuppressWarnings("unchecked")
    private static List<TrackBuilder> pidList(Object entry) {
      if (entry == null) {
        return List.of();
      }
      return entry instanceof TrackBuilder t ? List.of(t) : (List<TrackBuilder>) entry;
    }

    void start(Sample first) {
      TrackBuilder t = new TrackBuilder(all.size(), first);
      all.add(t);
      insertByPid(first.row().pid(), t);
      insert(byComm.computeIfAbsent(first.row().comm(), k -> new ArrayList<>()), t);
    }

    /** Adds a sample with the same name and another pid: the track moves to its new pid key. */
    void extend(TrackBuilder t, Sample next) {
      long pid = t.last().pid();
      Object entry = byPid.get(pid);
      if (entry == t) {
        byPid.remove(pid);
      } else if (entry instanceof List<?> list) {
        // Builders are tasks, compared by identity (they have no equals of their own).
        list.removeIf(other -> other == t);
      }
      t.add(next);
      insertByPid(next.row().pid(), t);
    }

    @SuppressWarnings("unchecked")
    private void insertByPid(long pid, TrackBuilder t) {
      Object entry = byPid.get(pid);
      if (entry == null) {
        byPid.put(pid, t);
        return;
      }
      List<TrackBuilder> list;
      if (entry instanceof TrackBuilder lone) {
        list = new ArrayList<>(2);
        list.add(lone);
        byPid.put(pid, list);
      } else {
        list = (List<TrackBuilder>) entry;
      }
      insert(list, t);
    }

    private static void insert(List<TrackBuilder> list, TrackBuilder t) {
      int at = list.size();
      while (at > 0 && list.get(at - 1).order > t.order) {
        at--;
      }
      list.add(at, t);
    }
  }

  private static List<Track> growers(List<Track> tracks) {
    long most =
        tracks.stream()
            .filter(t -> t.samples().size() > 1)
            .mapToLong(Track::growthBytes)
            .max()
            .orElse(0);
    if (most < MIN_GROWTH_BYTES || most <= 0) {
      return List.of();
    }
    return tracks.stream()
        .filter(t -> t.samples().size() > 1 && t.growthBytes() * 2 >= most)
        .sorted(Comparator.comparingLong(Track::growthBytes).reversed())
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
      return victim.isPresent() && trigger.isPresent() && !victim.get().equals(trigger.get());
    }
  }

  /** Compares the victim to the trigger and to the table's largest task. */
  public static Comparison compare(OomReport report) {
    Optional<TaskRow> victim = report.victimRow();
    if (victim.isEmpty() && report.victim().isPresent()) {
      victim = ReportFacts.row(report, report.victim().get().pid());
    }
    Optional<TaskRow> trigger =
        report
            .trigger()
            .flatMap(
                t ->
                    t.pid().isPresent()
                        ? ReportFacts.row(report, t.pid().getAsLong())
                        : Optional.empty());
    Optional<TaskRow> largest =
        report.tasks().stream().max(Comparator.comparingLong(ReportFacts::heldBytes));
    return new Comparison(victim, trigger, largest);
  }
}
