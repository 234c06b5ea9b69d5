/**
 * The root-cause engine: one {@link dev.oomlens.core.rules.Analyzer} per root cause, pure functions
 * from an {@link dev.oomlens.core.rules.EvidenceSet} to findings, listed in the {@link
 * dev.oomlens.core.rules.RuleRegistry}.
 */
package dev.oomlens.core.rules;
