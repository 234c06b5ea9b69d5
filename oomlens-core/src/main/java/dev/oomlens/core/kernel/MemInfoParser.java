package dev.oomlens.core.kernel;

import dev.oomlens.core.model.HostMemory;
import dev.oomlens.core.model.KiB;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/*
 * The show_mem() block (lib/show_mem.c, mm/show_mem.c since 6.4, mm/page_alloc.c
 * show_free_areas()/__show_free_areas()), line by line:
 *
 *   "Mem-Info:"
 *   3.x       "Node 0 DMA per-cpu:" / "CPU    0: hi:  186, btch:  31 usd:  86" (pagesets)
 *             "active_anon:%lu inactive_anon:%lu isolated_anon:%lu" and its continuation lines
 *             " active_file:%lu ..." up to " free:%lu free_pcp:%lu free_cma:%lu" (pages)
 *   4.8+      "Node %d active_anon:%lukB ... all_unreclaimable? %s" (per node)
 *             "Node %d %s free:%lukB [boost:%lukB ]min:%lukB low:%lukB high:%lukB ... present:%lukB
 *              managed:%lukB ..." (per zone; 3.x adds "pages_scanned:%lu all_unreclaimable? %s")
 *             "lowmem_reserve[]: %ld %ld ..."
 *             "Node %d %s: %lu*%lukB (%s) ... = %lukB" (buddy lists, show_free_areas())
 *             "Node %d hugepages_total=%u hugepages_free=%u hugepages_surp=%u hugepages_size=%lukB"
 *             "%ld total pagecache pages", "%lu pages in swap cache",
 *             "Swap cache stats: add %lu, delete %lu, find %lu/%lu" (until about 6.0),
 *             "Free swap  = %ldkB", "Total swap = %ldkB", "%lu pages RAM",
 *             "%lu pages HighMem/MovableOnly", "%lu pages reserved", "%lu pages cma reserved",
 *             "%lu pages hwpoisoned"
 *   4.15+     "Unreclaimable slab info:" / "Name                      Used          Total" /
 *             "%-17s %10luKB %10luKB" (mm/slab_common.c dump_unreclaimable_slab)
 *   6.10+     "Memory allocations:" then "%s %llu %s:%u func:%s" rows (allocation profiling)
 *
 * Zone names are whatever the kernel built (DMA, DMA32, Normal, HighMem, Movable, Device); zone
 * and node lines differ in whether the word after the node number holds a ':'.
 *
 * Read by hand: every line of an open report that the readers before this one did not take comes
 * here, and a report prints dozens of these lines. The readings are those of the patterns they
 * replaced (kept in the test sources as MemInfoRegexParser, held to the same results by
 * MemInfoParserPropertyTest). The 6.10+ allocation-profiling rows keep their pattern: it is tried
 * only inside a "Memory allocations:" block.
 */
final class MemInfoParser {
  /*
   * The counters every report of a big log prints, kept until the rules have seen them all: one
   * instance of each name the kernel prints (show_free_areas) instead of one per report. A fixed
   * set, so an input of made-up names cannot grow it.
   */
  private static final Map<String, String> COUNTER_NAMES =
      byThemselves(
          "active_anon",
          "inactive_anon",
          "isolated_anon",
          "active_file",
          "inactive_file",
          "isolated_file",
          "unevictable",
          "dirty",
          "writeback",
          "unstable",
          "slab_reclaimable",
          "slab_unreclaimable",
          "mapped",
          "shmem",
          "pagetables",
          "sec_pagetables",
          "bounce",
          "kernel_misc_reclaimable",
          "free",
          "free_pcp",
          "free_cma");

  /** The words after the number of an {@code N <what>} line. */
  private static final Set<String> PAGES =
      Set.of(
          "total pagecache pages",
          "pages in swap cache",
          "pages RAM",
          "pages HighMem/MovableOnly",
          "pages reserved",
          "pages cma reserved",
          "pages hwpoisoned",
          "pages shared",
          "pages non-shared");

  private static final Pattern ALLOCATION_ROW =
      Pattern.compile(
          "^\\d+(?:\\.\\d+)? ?[KMGTP]?i?B\\s+\\d+\\s+\\S+:\\d+(?:\\s+func:\\S+)?.*$",
          Pattern.DOTALL);

  private MemInfoParser() {}

  /** One line of the block, as {@link #parse} reads it. */
  sealed interface Line {}

  /** {@code Mem-Info:}. */
  record Header() implements Line {}

  /** A line of {@code key:N} page counters. */
  record Counters(Map<String, Long> pages) implements Line {}

  /** A zone line, with the fields the model keeps; fields a cut line lost are empty. */
  record Zone(
      int node,
      String zone,
      OptionalLong freeKb,
      OptionalLong minKb,
      OptionalLong lowKb,
      OptionalLong highKb,
      OptionalLong presentKb,
      OptionalLong managedKb)
      implements Line {}

  /** {@code Node N hugepages_total=...}. */
  record Hugepages(int node, long total, long free, long surp, long sizeKb) implements Line {}

  /** {@code N <what> pages} lines, keyed by {@code what}. */
  record Pages(String what, long pages) implements Line {}

  /** {@code Free swap = NkB} or {@code Total swap = NkB}. */
  record Swap(boolean total, long kb) implements Line {}

  /** {@code Unreclaimable slab info:}. */
  record SlabHeader() implements Line {}

  /** A row of the unreclaimable slab table; only meaningful after {@link SlabHeader}. */
  record SlabRow(String name, long usedKb, long totalKb) implements Line {}

  /**
   * A buddy list printed whole: {@code Node N <zone>: <count>*<size>kB (<types>) ... = <total>kB}.
   * One cut before its total is an {@link Other}: its counts cannot be trusted.
   */
  record Buddy(int node, String zone, List<HostMemory.FreeBlocks> blocks) implements Line {}

  /** Lines that belong to the block but carry nothing the model keeps (pagesets, ...). */
  record Other() implements Line {}

  /** Reads one message (framing removed); empty when it is not a show_mem line. */
  static Optional<Line> parse(String message) {
    String m = message.strip();
    if (m.isEmpty()) {
      return Optional.empty();
    }
    if (m.equals("Mem-Info:")) {
      return Optional.of(new Header());
    }
    if (m.equals("Unreclaimable slab info:")) {
      return Optional.of(new SlabHeader());
    }
    if (m.startsWith("Node ")) {
      return node(m);
    }
    if (m.startsWith("lowmem_reserve[]:")
        || m.startsWith("Swap cache stats:")
        || m.equals("Memory allocations:")
        || (m.startsWith("Name") && isSlabColumns(m))
        || (m.startsWith("CPU") && isPageset(m))) {
      return Optional.of(new Other());
    }
    char first = m.charAt(0);
    if (first >= '0' && first <= '9') {
      return pages(m);
    }
    if (first == 'F' || first == 'T') {
      return swap(m);
    }
    if (first < 'a' || first > 'z' || m.indexOf(':') < 0) {
      return Optional.empty();
    }
    Optional<Map<String, Long>> counters = counters(m);
    if (counters.isPresent()) {
      return Optional.of(new Counters(counters.get()));
    }
    return Optional.empty();
  }

  /** {@code "^(\\d+) (<one of PAGES>)$"}. */
  private static Optional<Line> pages(String m) {
    int end = LineChars.digitsEnd(m, 0);
    if (!m.startsWith(" ", end)) {
      return Optional.empty();
    }
    String what = m.substring(end + 1);
    if (!PAGES.contains(what)) {
      return Optional.empty();
    }
    long n = LineChars.digits(m, 0, end);
    return n < 0 ? Optional.empty() : Optional.of(new Pages(what, n));
  }

  /** {@code "^(Free|Total) swap\\s+=\\s+(-?\\d+)kB$"}. */
  private static Optional<Line> swap(String m) {
    boolean total = m.startsWith("Total swap");
    if (!total && !m.startsWith("Free swap")) {
      return Optional.empty();
    }
    int at = total ? "Total swap".length() : "Free swap".length();
    int equals = LineChars.spacesEnd(m, at);
    if (equals == at || !m.startsWith("=", equals)) {
      return Optional.empty();
    }
    int number = LineChars.spacesEnd(m, equals + 1);
    if (number == equals + 1) {
      return Optional.empty();
    }
    int digitsAt = m.startsWith("-", number) ? number + 1 : number;
    int end = LineChars.digitsEnd(m, digitsAt);
    if (end == digitsAt || end + 2 != m.length() || !m.startsWith("kB", end)) {
      return Optional.empty();
    }
    OptionalLong n = signed(m, number, end);
    return n.isPresent() ? Optional.of(new Swap(total, n.getAsLong())) : Optional.empty();
  }

  /** The number {@code -?digits} at {@code s[from, to)} when it fits a long. */
  private static OptionalLong signed(String s, int from, int to) {
    boolean negative = s.charAt(from) == '-';
    long v = LineChars.digits(s, negative ? from + 1 : from, to);
    if (v >= 0) {
      return OptionalLong.of(negative ? -v : v);
    }
    // Long.MIN_VALUE: the one negative number whose digits do not fit a long.
    return negative ? KillLineParser.parseLong(s.substring(from, to)) : OptionalLong.empty();
  }

  /** {@code "^Name\\s+Used\\s+Total$"}. */
  private static boolean isSlabColumns(String m) {
    int used = LineChars.spacesEnd(m, "Name".length());
    if (used == "Name".length() || !m.startsWith("Used", used)) {
      return false;
    }
    int total = LineChars.spacesEnd(m, used + "Used".length());
    return total > used + "Used".length()
        && m.startsWith("Total", total)
        && total + "Total".length() == m.length();
  }

  /**
   * {@code "^CPU\\s+\\d+: hi:\\s*\\d+, btch:\\s*\\d+ usd:\\s*\\d+$"}, the 3.x pageset lines (the
   * pattern's other branch, "Node N zone per-cpu:", begins otherwise).
   */
  private static boolean isPageset(String m) {
    int cpu = LineChars.spacesEnd(m, "CPU".length());
    if (cpu == "CPU".length()) {
      return false;
    }
    int at = LineChars.digitsEnd(m, cpu);
    if (at == cpu) {
      return false;
    }
    for (String key : new String[] {": hi:", ", btch:", " usd:"}) {
      if (!m.startsWith(key, at)) {
        return false;
      }
      int n = LineChars.spacesEnd(m, at + key.length());
      at = LineChars.digitsEnd(m, n);
      if (at == n) {
        return false;
      }
    }
    return at == m.length();
  }

  /**
   * A row of the unreclaimable slab table, read only after its header: {@code
   * "^(\\S.*?)\\s+(\\d+)KB\\s+(\\d+)KB$"}, read from the end, the name up to the spaces before the
   * used column.
   */
  static Optional<SlabRow> slabRow(String message) {
    String m = message.strip();
    if (!m.endsWith("KB")) {
      return Optional.empty();
    }
    int totalEnd = m.length() - 2;
    int totalAt = digitsStart(m, totalEnd);
    int usedEnd = spacesStart(m, totalAt) - 2;
    if (totalAt == totalEnd
        || usedEnd + 2 == totalAt
        || usedEnd < 0
        || !m.startsWith("KB", usedEnd)) {
      return Optional.empty();
    }
    int usedAt = digitsStart(m, usedEnd);
    int nameEnd = Math.max(spacesStart(m, usedAt), 1);
    if (usedAt == usedEnd || nameEnd >= usedAt || LineChars.isSpace(m.charAt(0))) {
      return Optional.empty();
    }
    long used = LineChars.digits(m, usedAt, usedEnd);
    long total = LineChars.digits(m, totalAt, totalEnd);
    if (used < 0 || total < 0) {
      return Optional.empty();
    }
    return Optional.of(new SlabRow(m.substring(0, nameEnd), used, total));
  }

  /** The first index of the ASCII digits that end at {@code end}. */
  private static int digitsStart(String s, int end) {
    int i = end;
    while (i > 0 && s.charAt(i - 1) >= '0' && s.charAt(i - 1) <= '9') {
      i--;
    }
    return i;
  }

  /** The first index of the characters of "\\s" that end at {@code end}. */
  private static int spacesStart(String s, int end) {
    int i = end;
    while (i > 0 && LineChars.isSpace(s.charAt(i - 1))) {
      i--;
    }
    return i;
  }

  /** A row of the 6.10+ {@code Memory allocations:} table. */
  static boolean isAllocationRow(String message) {
    return ALLOCATION_ROW.matcher(message.strip()).matches();
  }

  private static Map<String, String> byThemselves(String... names) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String n : names) {
      out.put(n, n);
    }
    return Map.copyOf(out);
  }

  /** Words of {@code "[a-z_]+:\\d+"} parted by "\\s+", the whole line; empty if any is not. */
  private static Optional<Map<String, Long>> counters(String m) {
    Map<String, Long> out = new LinkedHashMap<>();
    int at = 0;
    while (at < m.length()) {
      int colon = at;
      while (colon < m.length() && isCounterNameChar(m.charAt(colon))) {
        colon++;
      }
      if (colon == at || !m.startsWith(":", colon)) {
        return Optional.empty();
      }
      int end = LineChars.digitsEnd(m, colon + 1);
      long v = LineChars.digits(m, colon + 1, end);
      if (v < 0 || (end < m.length() && !LineChars.isSpace(m.charAt(end)))) {
        return Optional.empty();
      }
      String name = m.substring(at, colon);
      out.put(COUNTER_NAMES.getOrDefault(name, name), v);
      at = LineChars.spacesEnd(m, end);
    }
    return Optional.of(out);
  }

  private static boolean isCounterNameChar(char c) {
    return (c >= 'a' && c <= 'z') || c == '_';
  }

  private static Optional<Line> node(String m) {
    // "^Node (\\d+) (\\S+)(?: (.*))?$"
    int numberAt = "Node ".length();
    int numberEnd = LineChars.digitsEnd(m, numberAt);
    if (numberEnd == numberAt || !m.startsWith(" ", numberEnd)) {
      return Optional.empty();
    }
    int wordAt = numberEnd + 1;
    int wordEnd = wordAt;
    while (wordEnd < m.length() && !LineChars.isSpace(m.charAt(wordEnd))) {
      wordEnd++;
    }
    if (wordEnd == wordAt || (wordEnd < m.length() && m.charAt(wordEnd) != ' ')) {
      return Optional.empty();
    }
    long number = LineChars.digits(m, numberAt, numberEnd);
    if (number < 0 || number > Integer.MAX_VALUE) {
      return Optional.empty();
    }
    int node = (int) number;
    String word = m.substring(wordAt, wordEnd);
    String rest = wordEnd < m.length() ? m.substring(wordEnd + 1) : "";
    if (word.startsWith("hugepages_total=")) {
      return Optional.of(hugepages(node, m, wordAt));
    }
    if (word.endsWith(":") && !rest.startsWith("per-cpu:")) {
      for (int at = 0; at >= 0; at = m.indexOf("Node ", at + 1)) {
        Optional<Line> buddy = buddyAt(m, at, node);
        if (buddy.isPresent()) {
          return buddy;
        }
      }
    }
    if (word.contains(":") || rest.startsWith("per-cpu:")) {
      // Per-node counters ("Node 0 active_anon:..."), or a buddy list cut short.
      return Optional.of(new Other());
    }
    if (!rest.startsWith("free:")) {
      return Optional.empty();
    }
    return Optional.of(zone(node, word, rest));
  }

  private static final String[] HUGEPAGE_KEYS = {
    "hugepages_total=", " hugepages_free=", " hugepages_surp=", " hugepages_size="
  };

  /**
   * {@code "^hugepages_total=(\\d+) hugepages_free=(\\d+) hugepages_surp=(\\d+)
   * hugepages_size=(\\d+)kB$"} from {@code at}; {@link Other} when it does not read.
   */
  private static Line hugepages(int node, String m, int at) {
    long[] values = new long[HUGEPAGE_KEYS.length];
    int i = at;
    for (int k = 0; k < HUGEPAGE_KEYS.length; k++) {
      if (!m.startsWith(HUGEPAGE_KEYS[k], i)) {
        return new Other();
      }
      int from = i + HUGEPAGE_KEYS[k].length();
      i = LineChars.digitsEnd(m, from);
      values[k] = LineChars.digits(m, from, i);
      if (i == from) {
        return new Other();
      }
    }
    if (i + 2 != m.length() || !m.startsWith("kB", i)) {
      return new Other();
    }
    for (long v : values) {
      if (v < 0) {
        return new Other();
      }
    }
    return new Hugepages(node, values[0], values[1], values[2], values[3]);
  }

  /**
   * {@code "Node (\\d+) (\\w+): ((?:\\d+\\*\\d+kB (?:\\([A-Z]+\\) )?)+)= \\d+kB"} at {@code at}
   * (the pattern was searched for, so it may begin after the line's own "Node N"): a {@link Buddy}
   * of {@code node}, the line's own number, or {@link Other} when a count does not fit a long;
   * empty when the pattern does not read there.
   */
  private static Optional<Line> buddyAt(String m, int at, int node) {
    int numberAt = at + "Node ".length();
    if (!m.startsWith("Node ", at)) {
      return Optional.empty();
    }
    int numberEnd = LineChars.digitsEnd(m, numberAt);
    if (numberEnd == numberAt || !m.startsWith(" ", numberEnd)) {
      return Optional.empty();
    }
    int zoneAt = numberEnd + 1;
    int zoneEnd = zoneAt;
    while (zoneEnd < m.length() && LineChars.isWordChar(m.charAt(zoneEnd))) {
      zoneEnd++;
    }
    if (zoneEnd == zoneAt || !m.startsWith(": ", zoneEnd)) {
      return Optional.empty();
    }
    List<HostMemory.FreeBlocks> blocks = new ArrayList<>();
    boolean tooBig = false;
    int i = zoneEnd + 2;
    while (true) {
      int countEnd = LineChars.digitsEnd(m, i);
      if (countEnd == i || !m.startsWith("*", countEnd)) {
        break;
      }
      int sizeEnd = LineChars.digitsEnd(m, countEnd + 1);
      if (sizeEnd == countEnd + 1 || !m.startsWith("kB ", sizeEnd)) {
        break;
      }
      long count = LineChars.digits(m, i, countEnd);
      long size = LineChars.digits(m, countEnd + 1, sizeEnd);
      if (count < 0 || size < 0) {
        tooBig = true;
      } else {
        blocks.add(new HostMemory.FreeBlocks(count, KiB.toBytes(size)));
      }
      i = sizeEnd + "kB ".length();
      if (m.startsWith("(", i)) {
        int types = i + 1;
        while (types < m.length() && m.charAt(types) >= 'A' && m.charAt(types) <= 'Z') {
          types++;
        }
        if (types > i + 1 && m.startsWith(") ", types)) {
          i = types + 2;
        }
      }
    }
    if (i == zoneEnd + 2 || !m.startsWith("= ", i)) {
      return Optional.empty();
    }
    int totalEnd = LineChars.digitsEnd(m, i + 2);
    if (totalEnd == i + 2 || !m.startsWith("kB", totalEnd)) {
      return Optional.empty();
    }
    return Optional.of(
        tooBig ? new Other() : new Buddy(node, m.substring(zoneAt, zoneEnd), blocks));
  }

  private static final String[] ZONE_KEYS = {"free", "min", "low", "high", "present", "managed"};

  /**
   * The zone line's {@code "([a-z_()]+): ?(\\d+)kB"} fields, searched for left to right, the first
   * of each name that fits a long.
   */
  private static Zone zone(int node, String word, String rest) {
    long[] kb = new long[ZONE_KEYS.length];
    Arrays.fill(kb, -1);
    int i = 0;
    while (i < rest.length()) {
      if (!isZoneKeyChar(rest.charAt(i))) {
        i++;
        continue;
      }
      int keyAt = i;
      while (i < rest.length() && isZoneKeyChar(rest.charAt(i))) {
        i++;
      }
      int keyEnd = i;
      if (!rest.startsWith(":", keyEnd)) {
        continue;
      }
      int from = rest.startsWith(" ", keyEnd + 1) ? keyEnd + 2 : keyEnd + 1;
      int end = LineChars.digitsEnd(rest, from);
      if (end == from || !rest.startsWith("kB", end)) {
        continue;
      }
      long v = LineChars.digits(rest, from, end);
      i = end + 2;
      for (int k = 0; k < ZONE_KEYS.length && v >= 0; k++) {
        if (kb[k] < 0
            && keyEnd - keyAt == ZONE_KEYS[k].length()
            && rest.startsWith(ZONE_KEYS[k], keyAt)) {
          kb[k] = v;
        }
      }
    }
    return new Zone(
        node,
        word,
        field(kb[0]),
        field(kb[1]),
        field(kb[2]),
        field(kb[3]),
        field(kb[4]),
        field(kb[5]));
  }

  private static boolean isZoneKeyChar(char c) {
    return (c >= 'a' && c <= 'z') || c == '_' || c == '(' || c == ')';
  }

  private static OptionalLong field(long kb) {
    return kb < 0 ? OptionalLong.empty() : OptionalLong.of(kb);
  }
}
