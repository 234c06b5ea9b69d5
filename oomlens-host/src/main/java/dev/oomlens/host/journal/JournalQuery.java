package dev.oomlens.host.journal;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What one run of journalctl reads, and the words its problems use: the kernel's messages ({@link
 * JournalReader}) or the records of the userspace OOM killers ({@link KillerJournalReader}).
 *
 * @param name what findings and problems cite for the output
 * @param arguments journalctl's arguments, after any {@code -D}
 * @param contents what is read, in words ("kernel messages"), for the problems
 * @param hint what the user can do instead when the journal cannot be read, ending each problem
 * @param whenEmpty the problem when the journal holds no such entry for this boot, or empty when
 *     that is a normal answer
 * @param maxEntries the {@code --lines} limit in {@code arguments}, if any: reaching it means the
 *     older entries were left out, which a problem says
 */
record JournalQuery(
    String name,
    List<String> arguments,
    String contents,
    String hint,
    Optional<String> whenEmpty,
    OptionalInt maxEntries) {
  JournalQuery {
    requireNonNull(name, "name");
    arguments = List.copyOf(arguments);
    requireNonNull(contents, "contents");
    requireNonNull(hint, "hint");
    requireNonNull(whenEmpty, "whenEmpty");
    requireNonNull(maxEntries, "maxEntries");
  }

  /**
   * This query run on the journal files in {@code dir} ({@code journalctl -D dir}): named so that
   * what it reads is never taken for this machine's journal.
   */
  JournalQuery inDirectory(Path dir) {
    return new JournalQuery(
        name.replaceFirst("^journalctl", "journalctl -D " + dir),
        arguments,
        contents,
        "read that host's logs another way (--kernel-log FILE)",
        whenEmpty,
        maxEntries);
  }
}
