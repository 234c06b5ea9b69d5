package dev.oomlens.core.calc;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.host.parse.ParseException;
import dev.oomlens.core.model.SourceLine;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/*
 * The text `jcmd <pid> VM.native_memory summary` prints (HotSpot
 * src/hotspot/share/nmt/memReporter.cpp, MemSummaryReporter::report and report_summary_of_type),
 * checked against JDK 11, 17 and 21 output:
 *
 *   12345:                                          <- jcmd's pid line
 *
 *   Native Memory Tracking:
 *
 *   Total: reserved=1456378KB, committed=166206KB
 *          malloc: 21218KB #54624                   <- 21+
 *          mmap:   reserved=1435160KB, committed=144988KB
 *
 *   -                 Java Heap (reserved=262144KB, committed=32768KB)
 *                               (mmap: reserved=262144KB, committed=32768KB)
 *
 *   -                     Class (reserved=1048853KB, committed=5909KB)
 *                               (classes #7373)
 *   ...
 *   -                    Thread (reserved=18536KB, committed=1012KB)
 *                               (thread #18)        <- "threads #18" since JDK 21
 *                               (stack: reserved=18480KB, committed=956KB)
 *
 * Every category line is "- <name> (reserved=<n><unit>, committed=<n><unit>)"; the unit is the
 * `scale=` the user asked for (KB by default, or B, MB, GB). JDK 22+ may append ", peak=..." and
 * summary.diff prints "+n"/"-n" deltas after the values; the first value of each pair is the
 * current one and is the one read. Categories come and go between releases (GCCardSet, Metaspace,
 * String Deduplication, Object Monitors...), so every one is kept under the name printed. The
 * Total line is required: without it the file is not an NMT summary (NMT off prints "Native
 * memory tracking is not enabled").
 */

/** Parses the output of {@code jcmd <pid> VM.native_memory summary} into its categories. */
public final class NmtSummaryParser {
  private static final Pattern AMOUNTS =
      Pattern.compile(
          "reserved=(\\d+)(B|KB|MB|GB)?(?:\\s*[+-]\\d+(?:B|KB|MB|GB)?)?,\\s*committed=(\\d+)"
              + "(B|KB|MB|GB)?");
  private static final Pattern CATEGORY = Pattern.compile("^-\\s+(.+?)\\s+\\((.*)\\)\\s*$");
  private static final Pattern TOTAL = Pattern.compile("^Total:\\s*(.*)$");
  private static final Pattern THREADS = Pattern.compile("^\\(threads? #(\\d+)\\)$");
  private static final Pattern CLASSES = Pattern.compile("^\\(classes #(\\d+)\\)$");

  private NmtSummaryParser() {}

  /** One NMT category (or the total): memory reserved and committed, in bytes. */
  public record Region(String name, long reservedBytes, long committedBytes, SourceLine source) {
    public Region {
      requireNonNull(name, "name");
      requireNonNull(source, "source");
    }
  }

  /**
   * One NMT summary.
   *
   * @param regions the categories in printed order, {@code Java Heap} included
   * @param threads the {@code (thread #N)} count of the Thread category, when printed
   * @param loadedClasses the {@code (classes #N)} count of the Class category, when printed
   */
  public record Summary(
      String path,
      Region total,
      List<Region> regions,
      OptionalLong threads,
      OptionalLong loadedClasses) {
    /** The name NMT gives the Java heap. */
    public static final String JAVA_HEAP = "Java Heap";

    public Summary {
      requireNonNull(path, "path");
      requireNonNull(total, "total");
      regions = List.copyOf(regions);
      requireNonNull(threads, "threads");
      requireNonNull(loadedClasses, "loadedClasses");
    }

    /** The category printed under {@code name} (as printed, case-insensitive). */
    public Optional<Region> region(String name) {
      return regions.stream().filter(r -> r.name().equalsIgnoreCase(name)).findFirst();
    }

    /** Everything committed outside the Java heap: the total minus the heap's committed part. */
    public long offHeapCommittedBytes() {
      return total.committedBytes() - region(JAVA_HEAP).map(Region::committedBytes).orElse(0L);
    }

    /** The category outside the heap with the most committed memory; ties go to the first. */
    public Optional<Region> largestOffHeap() {
      return regions.stream()
          .filter(r -> !r.name().equalsIgnoreCase(JAVA_HEAP))
          .max(
              Comparator.comparingLong(Region::committedBytes)
                  .thenComparing(Comparator.comparingInt(regions::indexOf).reversed()));
    }
  }

  /**
   * Parses one summary.
   *
   * @param path the file's name as the user gave it, for citations and problems
   * @throws ParseException when there is no {@code Total:} line, or a category line whose sizes
   *     cannot be read
   */
  public static Summary parse(String text, String path) throws ParseException {
    requireNonNull(text, "text");
    requireNonNull(path, "path");
    String[] lines = text.split("\r?\n", -1);
    Region total = null;
    List<Region> regions = new ArrayList<>();
    OptionalLong threads = OptionalLong.empty();
    OptionalLong classes = OptionalLong.empty();
    String lastCategory = "";
    for (int i = 0; i < lines.length; i++) {
      String raw = lines[i];
      String line = raw.strip();
      long number = i + 1L;
      Matcher m;
      if (line.contains("Native memory tracking is not enabled")) {
        throw new ParseException(
            path,
            number,
            "native memory tracking was not enabled in this"
                + " JVM: start it with -XX:NativeMemoryTracking=summary");
      }
      if ((m = TOTAL.matcher(line)).matches() && total == null) {
        total = region("Total", m.group(1), path, number, raw);
      } else if ((m = CATEGORY.matcher(line)).matches()) {
        lastCategory = m.group(1).strip();
        regions.add(region(lastCategory, m.group(2), path, number, raw));
      } else if ((m = THREADS.matcher(line)).matches() && lastCategory.equals("Thread")) {
        threads = OptionalLong.of(count(m.group(1), path, number));
      } else if ((m = CLASSES.matcher(line)).matches() && lastCategory.equals("Class")) {
        classes = OptionalLong.of(count(m.group(1), path, number));
      }
    }
    if (total == null) {
      throw new ParseException(
          path,
          0,
          "no 'Total: reserved=..., committed=...' line: not the"
              + " output of jcmd <pid> VM.native_memory summary");
    }
    return new Summary(path, total, regions, threads, classes);
  }

  private static Region region(String name, String amounts, String path, long number, String raw)
      throws ParseException {
    Matcher m = AMOUNTS.matcher(amounts);
    if (!m.find()) {
      throw new ParseException(
          path,
          number,
          "expected 'reserved=<size>, committed=<size>' for "
              + name
              + ", got '"
              + raw.strip()
              + "'");
    }
    long reserved = bytes(m.group(1), m.group(2), path, number);
    long committed = bytes(m.group(3), m.group(4), path, number);
    return new Region(name, reserved, committed, new SourceLine(path, number, raw));
  }

  private static long bytes(String digits, String unit, String path, long number)
      throws ParseException {
    long value = count(digits, path, number);
    long scale =
        switch (unit == null ? "KB" : unit.toUpperCase(Locale.ROOT)) {
          case "B" -> 1;
          case "MB" -> 1024L * 1024;
          case "GB" -> 1024L * 1024 * 1024;
          default -> 1024;
        };
    try {
      return Math.multiplyExact(value, scale);
    } catch (ArithmeticException e) {
      throw new ParseException(path, number, "size out of range: " + digits + unit);
    }
  }

  private static long count(String digits, String path, long number) throws ParseException {
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      throw new ParseException(path, number, "number out of range: " + digits);
    }
  }
}
