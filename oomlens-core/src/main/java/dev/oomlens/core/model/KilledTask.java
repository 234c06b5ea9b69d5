package dev.oomlens.core.model;

import static java.util.Objects.requireNonNull;

import java.util.OptionalLong;

/**
 * One member of a group kill: a {@code Killed process} line after {@code Tasks in X are going to be
 * killed}.
 *
 * @param anonRssBytes its anonymous RSS at the kill, in bytes (the line prints kB)
 */
public record KilledTask(long pid, String comm, OptionalLong anonRssBytes, SourceLine source) {
  public KilledTask {
    requireNonNull(comm, "comm");
    requireNonNull(anonRssBytes, "anonRssBytes");
    requireNonNull(source, "source");
  }
}
