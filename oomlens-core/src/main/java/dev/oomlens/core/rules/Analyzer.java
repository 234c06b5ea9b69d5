package dev.oomlens.core.rules;

import dev.oomlens.core.finding.Finding;
import java.util.List;

/**
 * One root cause: decides from the evidence whether it applies and, when it does, says why with the
 * lines it relied on and the fixes. Pure: no I/O, no clock, no globals. Adding a root cause means
 * adding one analyzer (and its tests and docs/rules page), touching nothing else but the registry.
 */
public interface Analyzer {
  /** The stable code, summary and documentation of this rule. */
  RuleInfo info();

  /** Findings for this root cause; empty when the evidence does not show it. */
  List<Finding> analyze(EvidenceSet evidence);
}
