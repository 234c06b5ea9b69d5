/**
 * One analyzer per root cause, each a pure function from the evidence to findings with the lines it
 * relied on and the fixes at their layer. Each rule's page is docs/rules/CODE.md.
 */
package dev.oomlens.core.rules.analyzers;
