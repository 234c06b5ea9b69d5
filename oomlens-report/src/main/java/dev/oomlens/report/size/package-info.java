/** The reports of {@code oomlens size}: a table, JSON and a ready-to-apply patch. */
package dev.oomlens.report.size;
