/**
 * Memory over time, as pure algorithms: a stretch of a series as a reader hands it over ({@link
 * dev.oomlens.core.series.Series}), a bounded per-workload accumulator ({@link
 * dev.oomlens.core.series.MemoryProfile}), the robust trend ({@link
 * dev.oomlens.core.series.TheilSen}), the shape a workload's memory has ({@link
 * dev.oomlens.core.series.MemoryShape}) and the sizes that follow from it ({@link
 * dev.oomlens.core.series.Sizing}). No I/O: readers in oomlens-metrics feed it.
 */
package dev.oomlens.core.series;
