/**
 * The JSON renderer: {@link dev.oomlens.report.json.JsonReportWriter} streams kernel-log evidence
 * as one document whose schema, documented in {@code docs/json.md}, only ever grows by new keys.
 */
package dev.oomlens.report.json;
