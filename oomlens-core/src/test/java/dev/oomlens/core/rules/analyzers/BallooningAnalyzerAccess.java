package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.rules.EvidenceSet;
import java.util.List;

/** The rules of this package that read clusters too, and its fixtures, for the cluster tests. */
public final class BallooningAnalyzerAccess {
  private BallooningAnalyzerAccess() {}

  public static List<Finding> run(EvidenceSet evidence) {
    return new BallooningAnalyzer().analyze(evidence);
  }

  /** NOT-OOM's findings. */
  public static List<Finding> notOom(EvidenceSet evidence) {
    return new NotOomAnalyzer().analyze(evidence);
  }

  /** The reports of a kernel log of the test resources (corpus/..., vmlab/...). */
  public static List<dev.oomlens.core.model.OomReport> reports(String name) {
    return HostTrees.reports(name);
  }
}
