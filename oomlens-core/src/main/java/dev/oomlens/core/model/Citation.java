package dev.oomlens.core.model;

/**
 * A piece of evidence a finding quotes: a line of a log, a value of a kernel file, a window of a
 * time series, or a field of an object. Every fact a finding states traces to one of these.
 *
 * <p>Renderers print {@link #describe()} for people and each record's fields for machines.
 */
public sealed interface Citation permits SourceLine, FileValue, SeriesWindow, ObjectField {
  /** The citation in one line, for people: where the fact is and what it says. */
  String describe();
}
