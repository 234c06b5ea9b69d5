package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.Badness;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.Incident;
import dev.oomlens.core.rules.ReportFacts;
import dev.oomlens.core.rules.RuleInfo;
import dev.oomlens.core.rules.Sizes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/*
 * The kernel ranks by rss + swap + page tables + oom_score_adj * totalpages/1000 (Badness). When
 * the victim's adj is higher than that of a task holding more memory, and without the adj term
 * that task would have ranked first, the adj chose the victim. The kubelet sets adj by QoS class
 * (pkg/kubelet/qos/policy.go): Guaranteed -997, BestEffort 1000, Burstable
 * 1000 - 1000 * request / capacity clamped to 2..999; pause -998; kubelet and runtime -999.
 */

/** {@code QOS-ORDER}: oom_score_adj (QoS class) picked the victim over a bigger task. */
public final class QosOrderAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
          "QOS-ORDER",
          "oom_score_adj (Kubernetes QoS class) made the kernel kill a smaller task first",
          Severity.MEDIUM,
          RuleInfo.Scope.WORKLOAD,
          Layer.APPLICATION,
          Layer.CONTAINER_LIMIT,
          Layer.POD_SPEC);

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    List<Finding> out = new ArrayList<>();
    for (Incident incident : evidence.incidents()) {
      for (OomReport r : incident.reports()) {
        Optional<Finding> f = finding(r);
        if (f.isPresent()) {
          out.add(f.get());
          break;
        }
      }
    }
    return out;
  }

  private static Optional<Finding> finding(OomReport r) {
    Optional<Badness> badness = Badness.of(r);
    if (badness.isEmpty()) {
      return Optional.empty();
    }
    Badness b = badness.get();
    Optional<Badness.Score> victim = b.victim(r);
    if (victim.isEmpty() || !victim.get().eligible() || victim.get().row().oomScoreAdj() <= 0) {
      return Optional.empty();
    }
    Badness.Score v = victim.get();
    Optional<Badness.Score> bigger =
        b.ranking().stream()
            .filter(Badness.Score::eligible)
            .filter(s -> !s.row().equals(v.row()))
            .filter(s -> s.row().oomScoreAdj() < v.row().oomScoreAdj())
            .filter(s -> s.basePages() > v.basePages())
            .max(Comparator.comparingLong(Badness.Score::basePages));
    if (bigger.isEmpty()) {
      return Optional.empty();
    }
    Badness.Score y = bigger.get();
    long pageBytes = r.pageSizeBytes();
    StringBuilder why = new StringBuilder();
    why.append(ReportFacts.name(v.row()))
        .append(" had oom_score_adj ")
        .append(v.row().oomScoreAdj())
        .append(" (")
        .append(adjMeaning(v.row().oomScoreAdj()))
        .append(") and held ")
        .append(Sizes.bytes(v.basePages() * pageBytes))
        .append("; ")
        .append(ReportFacts.name(y.row()))
        .append(" had oom_score_adj ")
        .append(y.row().oomScoreAdj())
        .append(" (")
        .append(adjMeaning(y.row().oomScoreAdj()))
        .append(") and held more, ")
        .append(Sizes.bytes(y.basePages() * pageBytes))
        .append(".")
        .append(" Against ")
        .append(b.totalPagesBasis())
        .append(" (")
        .append(b.totalPages())
        .append(" pages) each adj point weighs ")
        .append(b.totalPages() / 1000)
        .append(" pages: the victim scored ")
        .append(v.points())
        .append(" (")
        .append(v.basePages())
        .append(" + ")
        .append(v.adjPages())
        .append("), ")
        .append(y.row().comm())
        .append(' ')
        .append(y.points())
        .append(" (")
        .append(y.basePages())
        .append(" + ")
        .append(y.adjPages())
        .append("). By memory alone ")
        .append(y.row().comm())
        .append(" would have been chosen.");
    b.next(r)
        .ifPresent(
            n ->
                why.append(" Next in line: ")
                    .append(ReportFacts.name(n.row()))
                    .append(" with ")
                    .append(n.points())
                    .append(" points."));
    List<SourceLine> cited =
        new ArrayList<>(
            ReportFacts.cite(
                ReportFacts.triggerLine(r),
                Optional.of(v.row().source()),
                Optional.of(y.row().source()),
                ReportFacts.killLine(r)));
    long victimMi = Sizes.ceilMi(v.basePages() * pageBytes / 1024);
    List<Fix> fixes = new ArrayList<>();
    if (r.workload().podUid().isPresent()
        || v.row().oomScoreAdj() == 1000
        || v.row().oomScoreAdj() >= 2 && v.row().oomScoreAdj() <= 999) {
      fixes.add(
          new Fix(
              Layer.POD_SPEC,
              "Give "
                  + v.row().comm()
                  + "'s container a memory"
                  + " request (and limit): requests = limits makes the pod Guaranteed (adj -997), a"
                  + " request alone lowers a Burstable adj (1000 - 1000 x request / node capacity).",
              Optional.of(
                  "resources:\n"
                      + "  requests:\n"
                      + "    memory: \""
                      + victimMi
                      + "Mi\"   # what it held when it was killed\n"
                      + "  limits:\n"
                      + "    memory: \""
                      + victimMi
                      + "Mi\"   # = requests: Guaranteed, adj -997\n")));
    }
    // Bounding the task that held the memory is VICTIM-NOT-GROWER's fix, with its number.
    fixes.add(
        new Fix(
            Layer.APPLICATION,
            "Outside Kubernetes, set the adj in the unit.",
            Optional.of(
                "# systemctl edit <unit running "
                    + v.row().comm()
                    + ">\n[Service]\n"
                    + "OOMScoreAdjust="
                    + Math.min(y.row().oomScoreAdj(), 0)
                    + "\n")));
    return Optional.of(
        new Finding(
            INFO.code(),
            Severity.MEDIUM,
            Confidence.HIGH,
            v.row().comm()
                + " (oom_score_adj "
                + v.row().oomScoreAdj()
                + ") was killed before "
                + y.row().comm()
                + " (oom_score_adj "
                + y.row().oomScoreAdj()
                + "), which held more",
            why.toString(),
            ReportFacts.sorted(cited),
            fixes));
  }

  /** What an oom_score_adj value means by kubelet convention. */
  static String adjMeaning(int adj) {
    if (adj == 1000) {
      return "BestEffort, or a process that raised its own";
    }
    if (adj >= 2 && adj <= 999) {
      return "Burstable range";
    }
    return switch (adj) {
      case -997 -> "Guaranteed";
      case -998 -> "pod sandbox";
      case -999 -> "kubelet or runtime";
      case 0 -> "default";
      default -> "set by hand";
    };
  }
}
