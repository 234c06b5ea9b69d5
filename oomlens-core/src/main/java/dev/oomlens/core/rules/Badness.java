package dev.oomlens.core.rules;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.model.Constraint;
import dev.oomlens.core.model.HostMemory;
import dev.oomlens.core.model.HostMemory.ZoneMemory;
import dev.oomlens.core.model.MemcgState;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.OomScope;
import dev.oomlens.core.model.TaskRow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/*
 * mm/oom_kill.c, oom_badness() (same arithmetic from 3.x to 6.x):
 *
 *   if (adj == OOM_SCORE_ADJ_MIN) return LONG_MIN;            // -1000: never chosen
 *   points = get_mm_rss(mm) + get_mm_counter(mm, MM_SWAPENTS) + mm_pgtables_bytes(mm) / PAGE_SIZE;
 *   adj *= totalpages / 1000;                                // integer division first
 *   points += adj;
 *
 * (before 4.14 the page-table term was nr_ptes [+ nr_pmds], in pages; 3.x-4.16 also took 3% off
 * for CAP_SYS_ADMIN tasks, which the report does not show, so root tasks may rank a little lower
 * there than computed here.) oom_evaluate_task() keeps the task whose points are >= the best so
 * far, so on a tie the later task in iteration order (the table's order) wins.
 *
 * totalpages (out_of_memory / constrained_alloc): for a memcg OOM mem_cgroup_get_max(), the
 * limit in pages (plus a swap allowance bounded by the host's swap, which a memcg report does not
 * print: taken as 0); for cpuset and mempolicy OOMs the present pages of the allowed nodes plus
 * swap; otherwise totalram_pages() + total_swap_pages, i.e. managed RAM (pages RAM - pages
 * reserved) plus Total swap.
 *
 * Pre-5.1 kernels printed score = points * 1000 / totalpages in the kill line, which lets the
 * recomputation be checked against the kernel's own number.
 */

/**
 * The kernel's OOM badness recomputed for every row of a report's task table, ranked as {@code
 * select_bad_process()} would rank them: why this victim was chosen and who comes next.
 *
 * @param totalPages the scale {@code oom_score_adj} is applied against
 * @param totalPagesBasis where {@code totalPages} came from, in words, for reasoning text
 * @param ranking every row, eligible ones first by points (highest first), then the {@code
 *     oom_score_adj -1000} rows the kernel never picks
 * @param victimRank 1-based rank of the victim among eligible rows; empty when the table does not
 *     list the victim (a thread, a child sacrificed by a pre-5.1 kernel, a cut table)
 */
public record Badness(
    long totalPages, String totalPagesBasis, List<Score> ranking, OptionalInt victimRank) {

  public Badness {
    requireNonNull(totalPagesBasis, "totalPagesBasis");
    ranking = List.copyOf(ranking);
    requireNonNull(victimRank, "victimRank");
  }

  /**
   * One row's badness.
   *
   * @param basePages rss + swapents + page tables, in pages (the unit of the kernel's arithmetic):
   *     the memory the kill would free
   * @param adjPages {@code oom_score_adj * (totalpages / 1000)}
   * @param eligible false for {@code oom_score_adj -1000}
   */
  public record Score(TaskRow row, long basePages, long adjPages, long points, boolean eligible) {
    public Score {
      requireNonNull(row, "row");
    }
  }

  /** The badness of every row of the report's table; empty without a table or a scale. */
  public static Optional<Badness> of(OomReport report) {
    if (report.tasks().isEmpty()) {
      return Optional.empty();
    }
    long pageBytes = report.pageSizeBytes();
    Optional<Scale> scale = scale(report, pageBytes);
    if (scale.isEmpty()) {
      return Optional.empty();
    }
    long total = scale.get().pages();
    List<Indexed> scored = new ArrayList<>();
    List<TaskRow> rows = report.tasks();
    for (int i = 0; i < rows.size(); i++) {
      scored.add(new Indexed(i, score(rows.get(i), total, pageBytes)));
    }
    scored.sort(
        Comparator.<Indexed>comparingInt(s -> s.score().eligible() ? 0 : 1)
            .thenComparing(Comparator.<Indexed>comparingLong(s -> s.score().points()).reversed())
            .thenComparing(Comparator.<Indexed>comparingInt(Indexed::index).reversed()));
    List<Score> ranking = scored.stream().map(Indexed::score).toList();
    OptionalInt rank = OptionalInt.empty();
    Optional<TaskRow> victimRow = report.victimRow();
    if (victimRow.isPresent()) {
      for (int i = 0; i < ranking.size(); i++) {
        if (ranking.get(i).row().equals(victimRow.get()) && ranking.get(i).eligible()) {
          rank = OptionalInt.of(i + 1);
        }
      }
    }
    return Optional.of(new Badness(total, scale.get().basis(), ranking, rank));
  }

  /** The badness of one row against {@code totalPages}, its sizes in pages of {@code pageBytes}. */
  public static Score score(TaskRow row, long totalPages, long pageBytes) {
    long pgtablesBytes =
        row.pgtablesBytes().isPresent()
            ? row.pgtablesBytes().getAsLong()
            : row.nrPtesBytes().orElse(0) + row.nrPmdsBytes().orElse(0);
    long base =
        row.rssBytes() / pageBytes
            + row.swapBytes().orElse(0) / pageBytes
            + pgtablesBytes / pageBytes;
    long adj = (long) row.oomScoreAdj() * (totalPages / 1000);
    return new Score(row, base, adj, base + adj, row.oomScoreAdj() != -1000);
  }

  /** The row the kernel would pick: the highest eligible score. */
  public Optional<Score> top() {
    return ranking.stream().filter(Score::eligible).findFirst();
  }

  /** The victim's score, when the table lists the victim. */
  public Optional<Score> victim(OomReport report) {
    Optional<TaskRow> row = report.victimRow();
    return row.flatMap(r -> ranking.stream().filter(s -> s.row().equals(r)).findFirst());
  }

  /** Who the kernel would pick after the victim: the best eligible row that is not it. */
  public Optional<Score> next(OomReport report) {
    Optional<TaskRow> row = report.victimRow();
    return ranking.stream()
        .filter(Score::eligible)
        .filter(s -> row.isEmpty() || !s.row().equals(row.get()))
        .findFirst();
  }

  /** The pre-5.1 printed score ({@code points * 1000 / totalpages}) this ranking gives a score. */
  public long printedScore(Score score) {
    return totalPages == 0 ? 0 : score.points() * 1000 / totalPages;
  }

  private record Indexed(int index, Score score) {}

  private record Scale(long pages, String basis) {}

  private static Optional<Scale> scale(OomReport report, long pageBytes) {
    if (report.scope().filter(s -> s == OomScope.MEMCG).isPresent()) {
      Optional<MemcgState> memcg = report.memcg();
      if (memcg.isEmpty() || MemcgState.isUnlimited(memcg.get().limitBytes())) {
        return Optional.empty();
      }
      long limitBytes = memcg.get().limitBytes();
      return Optional.of(
          new Scale(
              Math.max(1, limitBytes / pageBytes),
              "the memory cgroup's limit, " + limitBytes / 1024 + " kB"));
    }
    Optional<HostMemory> host = report.hostMemory();
    if (host.isEmpty()) {
      return Optional.empty();
    }
    HostMemory h = host.get();
    long swapPages = h.totalSwapBytes().orElse(0) / pageBytes;
    String swapWords =
        h.totalSwapBytes().isPresent()
            ? " + Total swap " + h.totalSwapBytes().getAsLong() / 1024 + " kB"
            : "";
    Optional<Constraint> c = report.constraint();
    boolean confined =
        c.filter(
                x ->
                    x.equals(Constraint.CONSTRAINT_CPUSET)
                        || x.equals(Constraint.CONSTRAINT_MEMORY_POLICY))
            .isPresent();
    if (confined) {
      Optional<Set<Integer>> nodes =
          c.get().equals(Constraint.CONSTRAINT_CPUSET)
              ? report.memsAllowed().flatMap(Badness::nodeList)
              : report.nodemask().flatMap(Badness::nodeList);
      if (nodes.isPresent()) {
        long presentBytes = 0;
        boolean all = true;
        for (ZoneMemory z : h.zones()) {
          if (nodes.get().contains(z.node())) {
            all &= z.presentBytes().isPresent();
            presentBytes += z.presentBytes().orElse(0);
          }
        }
        if (all && presentBytes > 0) {
          return Optional.of(
              new Scale(
                  presentBytes / pageBytes + swapPages,
                  "the present memory of nodes "
                      + nodes.get()
                      + ", "
                      + presentBytes / 1024
                      + " kB"
                      + swapWords));
        }
      }
    }
    if (h.ramBytes().isPresent() && h.reservedBytes().isPresent()) {
      long ramPages = h.ramBytes().getAsLong() / pageBytes;
      long reservedPages = h.reservedBytes().getAsLong() / pageBytes;
      return Optional.of(
          new Scale(
              ramPages - reservedPages + swapPages,
              "managed RAM ("
                  + ramPages
                  + " pages RAM - "
                  + reservedPages
                  + " reserved)"
                  + swapWords));
    }
    OptionalLong managedBytes = managedBytes(h);
    if (managedBytes.isPresent()) {
      return Optional.of(
          new Scale(
              managedBytes.getAsLong() / pageBytes + swapPages,
              "the zones' managed memory, " + managedBytes.getAsLong() / 1024 + " kB" + swapWords));
    }
    if (h.ramBytes().isPresent()) {
      long ramPages = h.ramBytes().getAsLong() / pageBytes;
      return Optional.of(new Scale(ramPages + swapPages, ramPages + " pages RAM" + swapWords));
    }
    return Optional.empty();
  }

  private static OptionalLong managedBytes(HostMemory h) {
    if (h.zones().isEmpty()) {
      return OptionalLong.empty();
    }
    long sum = 0;
    for (ZoneMemory z : h.zones()) {
      if (z.managedBytes().isEmpty()) {
        return OptionalLong.empty();
      }
      sum += z.managedBytes().getAsLong();
    }
    return OptionalLong.of(sum);
  }

  /** A kernel node list ({@code 0-1,4}); empty for {@code (null)} or anything unreadable. */
  static Optional<Set<Integer>> nodeList(String list) {
    Set<Integer> nodes = new TreeSet<>();
    if (list.isBlank()) {
      return Optional.empty();
    }
    for (String part : list.trim().split(",")) {
      String[] range = part.split("-");
      try {
        int from = Integer.parseInt(range[0].trim());
        int to = range.length > 1 ? Integer.parseInt(range[1].trim()) : from;
        if (to < from || to - from > 4096) {
          return Optional.empty();
        }
        for (int n = from; n <= to; n++) {
          nodes.add(n);
        }
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }
    return Optional.of(nodes);
  }
}
