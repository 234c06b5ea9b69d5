package dev.oomlens.core.model;

import static java.util.Objects.requireNonNull;

import java.util.OptionalLong;

/** One member of a group kill: a {@code Killed process} line after {@code Tasks in X are going to be killed}. */
public record KilledTask(long pid, String comm, OptionalLong anonRssKb, SourceLine source) {
  public KilledTask {
    requireNonNull(comm, "comm");
    requireNonNull(anonRssKb, "anonRssKb");
    requireNonNull(source, "source");
  }
}
