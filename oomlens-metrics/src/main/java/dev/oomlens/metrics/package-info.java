/**
 * Series evidence at the edge: Prometheus's HTTP API (and what speaks it: Thanos, Mimir,
 * VictoriaMetrics), saved series files, and the success criteria of a fix checked against it. Each
 * reader hands {@link dev.oomlens.core.series.Series} to the core's profiles; nothing here decides
 * what the memory did.
 */
package dev.oomlens.metrics;
