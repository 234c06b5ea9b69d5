/**
 * The Markdown renderer: a post-mortem draft (background, root cause, fix, timeline, hosts, metrics
 * to monitor with their PromQL, verification, success criteria, fallbacks) filled from the evidence
 * and the findings, for a ticket or a wiki page.
 */
package dev.oomlens.report.markdown;
