package dev.oomlens.host.snapshot;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import dev.oomlens.core.model.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/*
 * Why a manifest: a snapshot is read later, elsewhere, by doctor --path.rootfs, which reads a file
 * that is not there as "the host has no such file" (no PSI, no zram, no killers' records). A
 * source the snapshot could not read must not become such an absence, so the manifest names it
 * with the reason; the problems met while reading a log that was saved (records lost from the
 * ring buffer, journalctl stopped at its limit) go with it, since the saved file cannot hold them.
 *
 * The format is text, one record per line, tab-separated, so it can be read with cut and grep:
 *
 *   # oomlens snapshot manifest 1
 *   read        PATH  SOURCE                saved as PATH, relative to the snapshot
 *   unreadable  PATH  SOURCE  WHY           nothing at PATH: SOURCE could not be read
 *   problem     PATH  LINE    KIND  TEXT    met reading the source saved as PATH; LINE of PATH,
 *                                           0 for the whole source; KIND a Problem.Kind name
 *
 * A host file neither listed nor present did not exist on the host. Lines starting with '#' and
 * records of an unknown kind are skipped, so later versions can add kinds.
 */

/**
 * The manifest of a snapshot directory ({@value #FILE_NAME}): each source the snapshot tried, the
 * file it was saved as, or why it could not be read, and the problems met while reading it.
 */
public final class SnapshotManifest {
  /** The manifest's file name, at the top of the snapshot directory. */
  public static final String FILE_NAME = "oomlens-manifest.txt";

  /** The first line, which tells a manifest from any other file of that name. */
  static final String MAGIC = "# oomlens snapshot manifest 1";

  /**
   * One source of the snapshot.
   *
   * @param path where it is (or would be) in the snapshot, relative, with {@code /} separators
   * @param source what was read, as it was named on the host ({@code /proc/meminfo}, {@code
   *     /dev/kmsg})
   * @param unreadable why it could not be read; empty when it was read and saved at {@code path}
   * @param problems met while reading it, each citing {@code path} and a line of it (0: the whole)
   */
  public record Entry(
      String path, String source, Optional<String> unreadable, List<Problem> problems) {
    public Entry {
      requireNonNull(path, "path");
      requireNonNull(source, "source");
      requireNonNull(unreadable, "unreadable");
      problems = List.copyOf(problems);
    }

    /** True when the source was read and saved at {@link #path()}. */
    public boolean read() {
      return unreadable.isEmpty();
    }
  }

  private final Map<String, Entry> entries;

  SnapshotManifest(List<Entry> entries) {
    Map<String, Entry> byPath = new LinkedHashMap<>();
    entries.forEach(e -> byPath.put(e.path(), e));
    this.entries = byPath;
  }

  /** Every source, in the order the snapshot tried them. */
  public List<Entry> entries() {
    return List.copyOf(entries.values());
  }

  /** The source at {@code path} (relative to the snapshot, {@code /} separators), if listed. */
  public Optional<Entry> entry(String path) {
    return Optional.ofNullable(entries.get(path));
  }

  /**
   * The manifest in {@code dir}, or empty when there is none (not a snapshot, or one written before
   * manifests were).
   *
   * @throws IOException when there is one but it cannot be read
   */
  public static Optional<SnapshotManifest> read(Path dir) throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(dir.resolve(FILE_NAME), UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    if (lines.isEmpty() || !lines.get(0).equals(MAGIC)) {
      return Optional.empty();
    }
    return Optional.of(parse(lines));
  }

  static SnapshotManifest parse(List<String> lines) {
    Map<String, Entry> entries = new LinkedHashMap<>();
    Map<String, List<Problem>> problems = new LinkedHashMap<>();
    for (String line : lines) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\t", -1);
      switch (f[0]) {
        case "read" -> {
          if (f.length >= 3) {
            entries.put(f[1], new Entry(f[1], f[2], Optional.empty(), List.of()));
          }
        }
        case "unreadable" -> {
          if (f.length >= 4) {
            entries.put(f[1], new Entry(f[1], f[2], Optional.of(f[3]), List.of()));
          }
        }
        case "problem" ->
            problem(f)
                .ifPresent(p -> problems.computeIfAbsent(f[1], k -> new ArrayList<>()).add(p));
        default -> {
          // A kind of record a later version writes.
        }
      }
    }
    List<Entry> out = new ArrayList<>();
    for (Entry e : entries.values()) {
      out.add(
          new Entry(
              e.path(), e.source(), e.unreadable(), problems.getOrDefault(e.path(), List.of())));
    }
    return new SnapshotManifest(out);
  }

  private static Optional<Problem> problem(String[] f) {
    if (f.length < 5) {
      return Optional.empty();
    }
    try {
      long line = Long.parseLong(f[2]);
      Problem.Kind kind = Problem.Kind.valueOf(f[3].toUpperCase(Locale.ROOT));
      return Optional.of(new Problem(f[1], line, f[4], kind));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The manifest as text, as written to {@value #FILE_NAME}. */
  String text() {
    StringBuilder out = new StringBuilder(MAGIC).append('\n');
    out.append("# Written by oomlens snapshot. One record per line, tab-separated:\n")
        .append("#   read PATH SOURCE: SOURCE was read and saved as PATH\n")
        .append("#   unreadable PATH SOURCE WHY: SOURCE could not be read; nothing is at PATH")
        .append(" and its absence proves nothing\n")
        .append("#   problem PATH LINE KIND MESSAGE: met reading the source saved as PATH\n")
        .append("# A host file neither listed nor in this directory did not exist on the host.\n");
    for (Entry e : entries.values()) {
      if (e.read()) {
        record(out, "read", e.path(), e.source());
      } else {
        record(out, "unreadable", e.path(), e.source(), e.unreadable().get());
      }
      for (Problem p : e.problems()) {
        record(
            out,
            "problem",
            e.path(),
            Long.toString(p.line()),
            p.kind().name().toLowerCase(Locale.ROOT),
            p.message());
      }
    }
    return out.toString();
  }

  private static void record(StringBuilder out, String... fields) {
    for (int i = 0; i < fields.length; i++) {
      if (i > 0) {
        out.append('\t');
      }
      // A field never holds the separators: a message with a tab or a newline keeps its words.
      out.append(fields[i].replace('\t', ' ').replace('\n', ' ').replace('\r', ' '));
    }
    out.append('\n');
  }
}
