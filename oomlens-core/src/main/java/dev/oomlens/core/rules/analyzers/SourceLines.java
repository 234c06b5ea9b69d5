package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.SourceLine;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/*
 * Counters are kept in the evidence records without the line each one came from, so the lines a
 * finding quotes are found again in the report's own lines. The patterns are anchored on the
 * kernel's separators: a stat key is preceded by start, blank, ';' (kmsg), ']' (dmesg) or '#012'
 * and followed by its value, so "shmem" never matches "total_shmem", "shmem_thp" or "shmem-rss".
 */

/** Finds, among a report's own lines, the ones that printed a given counter. */
final class SourceLines {
  private SourceLines() {}

  /** The first line of the report where {@code key value} or {@code key:value} was printed. */
  static Optional<SourceLine> statLine(OomReport report, String key) {
    Pattern p = Pattern.compile("(?<![\\w-])" + Pattern.quote(key) + "[ :]\\s*\\d");
    return first(report, p);
  }

  /** The first line of the report printing the Mem-Info counter {@code key:N} (pages, no kB). */
  static Optional<SourceLine> pagesCounterLine(OomReport report, String key) {
    Pattern p = Pattern.compile("(?<![\\w(-])" + Pattern.quote(key) + ":\\d+(?![\\dkKMG])");
    return first(report, p);
  }

  /** The first line matching {@code regex} anywhere in it. */
  static Optional<SourceLine> matching(OomReport report, String regex) {
    return first(report, Pattern.compile(regex));
  }

  /** Every line of the report matching {@code regex}. */
  static List<SourceLine> allMatching(OomReport report, String regex) {
    Pattern p = Pattern.compile(regex);
    List<SourceLine> out = new ArrayList<>();
    for (SourceLine l : report.lines()) {
      if (p.matcher(l.text()).find()) {
        out.add(l);
      }
    }
    return out;
  }

  private static Optional<SourceLine> first(OomReport report, Pattern p) {
    for (SourceLine l : report.lines()) {
      if (p.matcher(l.text()).find()) {
        return Optional.of(l);
      }
    }
    return Optional.empty();
  }

  /** Lines in the order given, each once (a joined rsyslog line may carry several counters). */
  static List<SourceLine> distinct(Collection<SourceLine> lines) {
    return List.copyOf(new LinkedHashSet<>(lines));
  }
}
