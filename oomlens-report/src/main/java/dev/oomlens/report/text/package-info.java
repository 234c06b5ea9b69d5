/**
 * The terminal text report: {@link dev.oomlens.report.text.TextReportWriter} turns each OOM-killer
 * report into a few lines a person can read at a glance, every fact with the log line it came from,
 * and {@link dev.oomlens.report.text.Units} formats sizes and durations for it.
 */
package dev.oomlens.report.text;
