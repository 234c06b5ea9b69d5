package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.IncidentBuilder;
import dev.oomlens.core.rules.ReportFacts;
import dev.oomlens.core.rules.RuleInfo;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Function;

/*
 * "The same workload" is the same oom_memcg on the same host, or, since Kubernetes gives a
 * restarted container a new cgroup (new container id), the same victim comm on the same host.
 * Three kills make a pattern: one is an event, two may be the two halves of one spike.
 */

/** {@code REPEATED-OOM}: the same workload was killed three or more times in the input. */
public final class RepeatedOomAnalyzer implements Analyzer {
  /** Kills of one workload from which it is a pattern. */
  public static final int THRESHOLD = 3;

  private static final int MAX_CITED = 50;

  private static final RuleInfo INFO =
      RuleInfo.of(
          "REPEATED-OOM",
          "The same workload was OOM-killed again and again",
          Severity.HIGH,
          RuleInfo.Scope.WORKLOAD,
          Layer.APPLICATION,
          Layer.NODE);

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    List<OomReport> kills =
        evidence.reports().stream().filter(r -> r.victim().isPresent()).toList();
    List<Finding> out = new ArrayList<>();
    Set<OomReport> counted = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    group(kills, r -> r.oomMemcg().map(c -> "cgroup " + c).orElse(null), counted, out);
    List<OomReport> rest = kills.stream().filter(r -> !counted.contains(r)).toList();
    group(rest, r -> "process " + r.victim().orElseThrow().comm(), counted, out);
    return out;
  }

  private static void group(
      List<OomReport> reports,
      Function<OomReport, String> key,
      Set<OomReport> counted,
      List<Finding> out) {
    Map<String, List<OomReport>> groups = new LinkedHashMap<>();
    for (OomReport r : reports) {
      String k = key.apply(r);
      if (k != null) {
        groups.computeIfAbsent(r.host().orElse("") + "\u0000" + k, x -> new ArrayList<>()).add(r);
      }
    }
    for (Map.Entry<String, List<OomReport>> e : groups.entrySet()) {
      List<OomReport> g = e.getValue();
      if (g.size() >= THRESHOLD) {
        counted.addAll(g);
        out.add(finding(e.getKey().substring(e.getKey().indexOf('\u0000') + 1), g));
      }
    }
  }

  private static Finding finding(String workload, List<OomReport> g) {
    OomReport first = g.getFirst();
    OomReport last = g.getLast();
    OptionalDouble span = IncidentBuilder.secondsBetween(first.time(), last.time());
    String over =
        span.isPresent() && span.getAsDouble() >= 0 ? " over " + duration(span.getAsDouble()) : "";
    StringBuilder why =
        new StringBuilder("The kernel killed ")
            .append(workload)
            .append(first.host().map(h -> " on " + h).orElse(""))
            .append(' ')
            .append(g.size())
            .append(" times in the input")
            .append(over)
            .append(':');
    for (OomReport r : g) {
      why.append(' ')
          .append(r.victim().orElseThrow().comm())
          .append(" pid ")
          .append(r.victim().orElseThrow().pid())
          .append(
              r.time().monotonicSeconds().isPresent()
                  ? String.format(
                      Locale.ROOT, " at %.1f s", r.time().monotonicSeconds().getAsDouble())
                  : r.time().wallclock().map(w -> " at " + w).orElse(""))
          .append(';');
    }
    why.append(" A workload that is killed and restarted and killed again will not heal by")
        .append(" itself: each restart loses its work, and the cause (a limit below its need, or")
        .append(" a leak) stays.");
    if (span.isPresent() && g.size() > 1 && span.getAsDouble() > 0) {
      why.append(
          String.format(
              Locale.ROOT,
              " Mean time between kills: %s.",
              duration(span.getAsDouble() / (g.size() - 1))));
    }
    List<SourceLine> cited = new ArrayList<>();
    g.stream().limit(MAX_CITED).forEach(r -> ReportFacts.killLine(r).ifPresent(cited::add));
    return new Finding(
        INFO.code(),
        Severity.HIGH,
        Confidence.HIGH,
        workload + " was OOM-killed " + g.size() + " times" + over,
        why.toString(),
        ReportFacts.sorted(cited),
        List.of(
            new Fix(
                Layer.APPLICATION,
                "Compare the victim's size from one kill to the next: if"
                    + " it climbs, it is a leak (see LEAK) and only a code fix ends the loop; if it"
                    + " is the same each time, the limit is below what the workload needs.",
                java.util.Optional.empty()),
            new Fix(
                Layer.NODE,
                "Alert on the kill rate instead of waiting for the next one.",
                java.util.Optional.of(
                    "# Prometheus (cAdvisor / kube-state-metrics)\n"
                        + "increase(container_oom_events_total[1h]) > 2\n"))));
  }

  private static String duration(double seconds) {
    if (seconds < 120) {
      return String.format(Locale.ROOT, "%.1f s", seconds);
    }
    if (seconds < 7200) {
      return String.format(Locale.ROOT, "%.1f min", seconds / 60);
    }
    if (seconds < 172800) {
      return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
    }
    return String.format(Locale.ROOT, "%.1f days", seconds / 86400);
  }
}
