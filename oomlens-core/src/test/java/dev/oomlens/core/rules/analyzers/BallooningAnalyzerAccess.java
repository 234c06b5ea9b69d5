package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.rules.EvidenceSet;
import java.util.List;

/** BALLOONING's findings about cluster nodes, for the cluster rules' tests. */
public final class BallooningAnalyzerAccess {
  private BallooningAnalyzerAccess() {}

  public static List<Finding> run(EvidenceSet evidence) {
    return new BallooningAnalyzer().analyze(evidence);
  }
}
