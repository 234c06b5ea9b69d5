package dev.oomlens.core.rules.analyzers;

import static dev.oomlens.core.rules.Sizes.human;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.Citation;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.SeriesWindow;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.RuleInfo;
import dev.oomlens.core.rules.Sizes;
import dev.oomlens.core.series.MemoryProfile;
import dev.oomlens.core.series.MemoryShape;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/*
 * A leak shows across kills, never in one: the same workload (see KillSeries) killed again and
 * again with its size at the kill rising every time (3 kills or more, +10% overall), or killed
 * again after its limit was raised. One report cannot tell a leak from a spike, since a memcg
 * always dies at its limit.
 *
 * The fix is in the application. Raising the limit only buys time, and the finding shows how
 * much: a linear leak refills a limit L in about the interval P between kills (an upper bound on
 * the rate: the workload's baseline after a restart is not known), so a limit k x L dies every
 * k x P; for host OOMs the rate is the victim's growth between kills. Seed 004 pattern A.
 *
 * Memory over time shows a leak directly, without a kill: the lowest working set of each time
 * bucket rising steadily inside every container life (see MemoryShape). Then the rate is measured,
 * and the time each limit lasts is that limit over the rate (seed 004's arithmetic: 128 MiB/h fills
 * 512Mi in 4 h, 1Gi in 8 h, 2Gi in 16 h), counted from empty: a workload's start-up size shortens
 * each by the same amount.
 */

/** LEAK: the workload's size at kill grows from kill to kill; the fix is in the code. */
public final class LeakAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
          "LEAK",
          "The workload grows from kill to kill: a leak, which a higher limit only delays",
          Severity.HIGH,
          RuleInfo.Scope.WORKLOAD,
          Layer.APPLICATION);

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    List<Finding> out = new ArrayList<>();
    List<SeriesFacts.MemoryShapeOf> seriesLeaks =
        SeriesFacts.ofShape(evidence, MemoryShape.Shape.LEAK);
    // One leak, one finding: a container whose series shows the leak and whose kills grew too is
    // told once, by the series (the rate and lifetimes), citing the kills beside the window.
    java.util.Map<SeriesFacts.MemoryShapeOf, KillSeries> killsOf = new java.util.HashMap<>();
    for (KillSeries s : KillSeries.of(evidence)) {
      if (s.showsGrowth()) {
        Optional<SeriesFacts.MemoryShapeOf> same =
            seriesLeaks.stream().filter(m -> sameContainer(s, m.profile())).findFirst();
        if (same.isPresent()) {
          killsOf.putIfAbsent(same.get(), s);
        } else {
          out.add(finding(s));
        }
      }
    }
    for (SeriesFacts.MemoryShapeOf m : seriesLeaks) {
      out.add(seriesFinding(m, Optional.ofNullable(killsOf.get(m))));
    }
    return out;
  }

  /** Whether the kills are of a container of the profile: its ID in one of the lives' cgroups. */
  private static boolean sameContainer(KillSeries s, MemoryProfile p) {
    return s.kills().stream()
        .map(k -> k.report().workload().containerId().orElse(""))
        .filter(id -> id.length() >= 12)
        .anyMatch(id -> p.livesById().stream().anyMatch(l -> l.contains(id)));
  }

  private static final String RESTART_COUNTER = "kube_pod_container_status_restarts_total";

  /*
   * The restart counter where it stepped (its value after each step, as read): the growth the
   * finding reports is sustained across these restarts, which is what tells a leak from a
   * workload that simply got busier.
   */
  private static SeriesWindow restartCounter(MemoryProfile p) {
    List<SeriesWindow.Sample> steps = new ArrayList<>();
    for (MemoryProfile.RestartStep r : p.restartSteps()) {
      steps.add(new SeriesWindow.Sample(Instant.ofEpochMilli(r.atMillis()), r.counter()));
      if (steps.size() == SeriesFacts.CITED_POINTS) {
        break;
      }
    }
    Instant from = p.from().orElse(Instant.EPOCH);
    return new SeriesWindow(p.restartQuery(), p.restartLabels(), from, p.to().orElse(from), steps);
  }

  /** The limits whose lifetime a series leak finding gives: the limit, 2x and 4x it. */
  static long[] limitsToShow(MemoryShape s) {
    long base = s.limitBytes().orElse(Long.highestOneBit(Math.max(s.peakBytes(), Sizes.MIB)) * 2);
    return new long[] {base, 2 * base, 4 * base};
  }

  /** {@code 512 MiB -> 4.0 h, 1 GiB -> 8.0 h, 2 GiB -> 16.0 h} at the measured rate. */
  static String lifetimes(MemoryShape s) {
    List<String> parts = new ArrayList<>();
    for (long l : limitsToShow(s)) {
      parts.add(round(l) + " \u2192 " + duration(s.hoursTo(l) * 3600));
    }
    return String.join(", ", parts);
  }

  private static String round(long bytes) {
    return bytes % Sizes.GIB == 0
        ? bytes / Sizes.GIB + " GiB"
        : bytes % Sizes.MIB == 0 ? bytes / Sizes.MIB + " MiB" : human(bytes);
  }

  private Finding seriesFinding(SeriesFacts.MemoryShapeOf m, Optional<KillSeries> kills) {
    MemoryShape s = m.shape();
    long rate = (long) s.slopeBytesPerHour();
    StringBuilder why = new StringBuilder();
    why.append("Over ")
        .append(SeriesFacts.span(s))
        .append(" the lowest working set of ")
        .append(m.name())
        .append(" in each time bucket rose by ")
        .append(human(rate))
        .append(" per hour (Theil-Sen over the bucket minima, ")
        .append(SeriesFacts.percent(s.risingShare(), 1))
        .append(" of pairs rising");
    long restarts = s.restarts().orElse(0);
    if (restarts > 0) {
      why.append(", across ")
          .append(restarts)
          .append(restarts == 1 ? " restart" : " restarts")
          .append(" counted by ")
          .append(RESTART_COUNTER)
          .append(": it grew again after every restart");
    } else if (s.lives() > 1) {
      why.append(", across ")
          .append(s.lives())
          .append(" container lives: it grew again after " + "every restart");
    }
    why.append("). GC cycles and spikes do not move the lowest level; held memory does. ")
        .append(SeriesFacts.levels(s))
        .append(". ");
    if (s.limitBytes().isPresent()) {
      long limit = s.limitBytes().getAsLong();
      why.append("From empty it fills its ")
          .append(round(limit))
          .append(" limit in ")
          .append(duration(s.hoursTo(limit) * 3600))
          .append(". ");
    }
    why.append("At this rate a limit lasts: ").append(lifetimes(s)).append(". ");
    List<Citation> cited = new ArrayList<>(List.of(SeriesFacts.window(m.profile(), true)));
    if (restarts > 0) {
      cited.add(restartCounter(m.profile()));
    }
    kills.ifPresent(
        k -> {
          List<KillSeries.Kill> all = k.kills();
          why.append("The kernel's kills agree: killed ")
              .append(all.size())
              .append(" times, holding ")
              .append(human(all.get(0).anonBytes()))
              .append(" at the first and ")
              .append(human(all.get(all.size() - 1).anonBytes()))
              .append(" at the last. ");
          cited.addAll(killLines(k));
        });
    why.append("Raising the limit is not the fix: it only moves the next kill further out.");
    MemoryProfile.Id id = m.profile().id();
    String container = id.pod().isEmpty() ? "<c>" : id.container();
    String comm = id.container();
    List<Fix> fixes =
        List.of(
            new Fix(
                Layer.APPLICATION,
                "Find what keeps growing and fix it in the code: take two "
                    + "snapshots of the live process some time apart and compare them; the fastest "
                    + "growing owner is the leak.",
                Optional.of(profileSnippet(comm))),
            new Fix(
                Layer.APPLICATION,
                "Until it is fixed, alert on the growth rate instead of the "
                    + "level, so the next kill is seen coming.",
                Optional.of(
                    "# PromQL: bytes per hour, and hours left before the limit\n"
                        + "deriv(container_memory_working_set_bytes{container=\""
                        + container
                        + "\"}[1h]) * 3600\n"
                        + "(container_spec_memory_limit_bytes - container_memory_working_set_bytes)\n"
                        + "  / deriv(container_memory_working_set_bytes[1h]) / 3600")));
    return new Finding(
        INFO.code(),
        Severity.HIGH,
        s.risingShare() >= 0.9 ? Confidence.HIGH : Confidence.MEDIUM,
        m.name() + " grows " + human(rate) + " per hour: a leak",
        why.toString(),
        cited,
        fixes);
  }

  private Finding finding(KillSeries s) {
    List<KillSeries.Kill> kills = s.kills();
    KillSeries.Kill first = kills.get(0);
    KillSeries.Kill last = kills.get(kills.size() - 1);
    int raisedAt = s.limitRaisedAt();
    StringBuilder why = new StringBuilder();
    why.append(s.memcg() ? "The memory cgroup " : "The process ")
        .append(s.workload())
        .append(" was killed ")
        .append(kills.size())
        .append(" times (kills less than a minute " + "apart counted once). Its ")
        .append(s.memcg() ? "anonymous memory" : "anon-rss")
        .append(" at each kill: ");
    List<String> sizes = new ArrayList<>();
    for (KillSeries.Kill k : kills) {
      String limit = k.limitBytes().isPresent() ? " of " + human(k.limitBytes().getAsLong()) : "";
      String at =
          k.seconds().isPresent() && first.seconds().isPresent()
              ? " at +" + duration(k.seconds().getAsDouble() - first.seconds().getAsDouble())
              : "";
      sizes.add(human(k.anonBytes()) + limit + at);
    }
    why.append(String.join(", ", sizes)).append(". ");
    if (raisedAt > 0) {
      why.append("The limit was raised from ")
          .append(human(kills.get(raisedAt - 1).limitBytes().getAsLong()))
          .append(" to ")
          .append(human(kills.get(raisedAt).limitBytes().getAsLong()))
          .append(" and the workload grew into it again. ");
    } else {
      why.append("It rose at every kill, ")
          .append(human(last.anonBytes() - first.anonBytes()))
          .append(" in all. ");
    }
    why.append(
        "Growth from kill to kill is a leak (memory held and never released), not a " + "spike. ");
    why.append(timeBought(s));
    why.append("Raising the limit is not the fix: it only moves the next kill further out.");

    String comm = last.report().victim().map(v -> v.comm()).orElse("");
    List<Fix> fixes =
        List.of(
            new Fix(
                Layer.APPLICATION,
                "Find what keeps growing and fix it in the code: take two "
                    + "snapshots of the live process some time apart and compare them; the fastest "
                    + "growing owner is the leak.",
                Optional.of(profileSnippet(comm))),
            new Fix(
                Layer.APPLICATION,
                "Until it is fixed, watch the growth rate instead of the "
                    + "level, so the next kill is seen coming.",
                Optional.of(
                    "# PromQL: bytes per hour, and hours left before the limit\n"
                        + "deriv(container_memory_working_set_bytes{container=\"<c>\"}[1h]) * 3600\n"
                        + "(container_spec_memory_limit_bytes - container_memory_working_set_bytes)\n"
                        + "  / deriv(container_memory_working_set_bytes[1h]) / 3600")));
    String summary =
        (s.memcg() ? "Memory cgroup " : "Process ")
            + s.workload()
            + (raisedAt > 0 ? " grew into a raised limit" : " grew at every kill")
            + " ("
            + human(first.anonBytes())
            + " to "
            + human(last.anonBytes())
            + " over "
            + kills.size()
            + " kills): a leak";
    Confidence conf = raisedAt > 0 || kills.size() >= 4 ? Confidence.HIGH : Confidence.MEDIUM;
    return new Finding(
        INFO.code(), Severity.HIGH, conf, summary, why.toString(), killLines(s), fixes);
  }

  /** What each kill shows of the growth: the cgroup's usage, its anon count, the victim. */
  private static List<SourceLine> killLines(KillSeries s) {
    List<SourceLine> ev = new ArrayList<>();
    for (KillSeries.Kill k : s.kills()) {
      OomReport r = k.report();
      r.memcg().ifPresent(m -> ev.add(m.source()));
      ChargeBreakdown.of(r).ifPresent(b -> ev.addAll(b.cite("anon")));
      r.victim().ifPresent(v -> ev.add(v.source()));
    }
    return SourceLines.distinct(ev);
  }

  private static String timeBought(KillSeries s) {
    if (!s.timed() || s.kills().size() < 2) {
      return "";
    }
    List<KillSeries.Kill> k = s.kills();
    double span = k.get(k.size() - 1).seconds().getAsDouble() - k.get(0).seconds().getAsDouble();
    if (span <= 0) {
      return "";
    }
    if (s.memcg() && k.get(k.size() - 1).limitBytes().isPresent()) {
      long limit = k.get(k.size() - 1).limitBytes().getAsLong();
      double period = span / (k.size() - 1);
      return String.format(
          Locale.ROOT,
          "It died every %s on average, so it grows by up to %s "
              + "in that time (at most %s per hour). Growing linearly, a %s limit would die about "
              + "every %s, a %s limit every %s (a little later, by its start-up size), and die "
              + "all the same. ",
          duration(period),
          human(limit),
          human((long) (limit / (period / 3600))),
          human(2 * limit),
          duration(2 * period),
          human(4 * limit),
          duration(4 * period));
    }
    long grown = k.get(k.size() - 1).anonBytes() - k.get(0).anonBytes();
    if (grown <= 0) {
      return "";
    }
    double perHour = grown / (span / 3600);
    return String.format(
        Locale.ROOT,
        "It grew %s in %s, %s per hour: every extra GiB of " + "memory buys about %s. ",
        human(grown),
        duration(span),
        human((long) perHour),
        duration(Sizes.GIB / perHour * 3600));
  }

  static String duration(double seconds) {
    if (seconds < 120) {
      return String.format(Locale.ROOT, "%.0f s", seconds);
    }
    if (seconds < 2 * 3600) {
      return String.format(Locale.ROOT, "%.0f min", seconds / 60);
    }
    if (seconds < 2 * 86400) {
      return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
    }
    return String.format(Locale.ROOT, "%.1f days", seconds / 86400);
  }

  private static String profileSnippet(String comm) {
    if (comm.equals("java") || comm.contains("Thread") || comm.contains("CompilerThre")) {
      return "jcmd <pid> GC.heap_dump /tmp/heap-1.hprof   # heap; compare two in Eclipse MAT\n"
          + "# off-heap: start with -XX:NativeMemoryTracking=summary, then\n"
          + "jcmd <pid> VM.native_memory baseline\n"
          + "jcmd <pid> VM.native_memory summary.diff";
    }
    if (comm.startsWith("python")) {
      return "import tracemalloc; tracemalloc.start(25)\n"
          + "s1 = tracemalloc.take_snapshot()  # ... later:\n"
          + "for st in tracemalloc.take_snapshot().compare_to(s1, 'traceback')[:10]: print(st)";
    }
    if (comm.equals("node")) {
      return "node --heapsnapshot-signal=SIGUSR2 app.js   # kill -USR2 <pid>, twice, compare";
    }
    return "heaptrack -p <pid>          # native allocations by call stack\n"
        + "grep -E 'Rss|Anonymous' /proc/<pid>/smaps_rollup   # twice, some time apart";
  }
}
