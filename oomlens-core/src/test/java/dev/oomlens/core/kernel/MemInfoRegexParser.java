package dev.oomlens.core.kernel;

import dev.oomlens.core.kernel.MemInfoParser.Buddy;
import dev.oomlens.core.kernel.MemInfoParser.Counters;
import dev.oomlens.core.kernel.MemInfoParser.Header;
import dev.oomlens.core.kernel.MemInfoParser.Hugepages;
import dev.oomlens.core.kernel.MemInfoParser.Line;
import dev.oomlens.core.kernel.MemInfoParser.Other;
import dev.oomlens.core.kernel.MemInfoParser.Pages;
import dev.oomlens.core.kernel.MemInfoParser.SlabHeader;
import dev.oomlens.core.kernel.MemInfoParser.SlabRow;
import dev.oomlens.core.kernel.MemInfoParser.Swap;
import dev.oomlens.core.kernel.MemInfoParser.Zone;
import dev.oomlens.core.model.HostMemory;
import dev.oomlens.core.model.KiB;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The show_mem() block's reader as it was, by regular expressions: the reference {@link
 * MemInfoParser}'s hand-written reader is held to (MemInfoParserPropertyTest) and benchmarked
 * beside (oomlens-bench's ReportLineParsersBenchmark).
 */
final class MemInfoRegexParser {
  private static final Pattern COUNTER_TOKEN = Pattern.compile("[a-z_]+:\\d+");

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

  private static final Pattern NODE =
      Pattern.compile("^Node (\\d+) (\\S+)(?: (.*))?$", Pattern.DOTALL);
  private static final Pattern PER_CPU =
      Pattern.compile(
          "^(?:Node \\d+ \\w+ per-cpu:|CPU\\s+\\d+: hi:\\s*\\d+, btch:\\s*\\d+ usd:\\s*\\d+)$");
  private static final Pattern HUGEPAGES =
      Pattern.compile(
          "^hugepages_total=(\\d+) hugepages_free=(\\d+) hugepages_surp=(\\d+) hugepages_size=(\\d+)kB$");
  private static final Pattern PAGES =
      Pattern.compile(
          "^(\\d+) (total pagecache pages|pages in swap cache|pages RAM|pages HighMem/MovableOnly|pages reserved|pages cma reserved|pages hwpoisoned|pages shared|pages non-shared)$");
  private static final Pattern SWAP = Pattern.compile("^(Free|Total) swap\\s+=\\s+(-?\\d+)kB$");
  private static final Pattern SLAB_ROW =
      Pattern.compile("^(\\S.*?)\\s+(\\d+)KB\\s+(\\d+)KB$", Pattern.DOTALL);
  private static final Pattern SLAB_COLUMNS = Pattern.compile("^Name\\s+Used\\s+Total$");
  private static final Pattern KB_TOKEN = Pattern.compile("([a-z_()]+): ?(\\d+)kB");
  private static final Pattern BUDDY =
      Pattern.compile("Node (\\d+) (\\w+): ((?:\\d+\\*\\d+kB (?:\\([A-Z]+\\) )?)+)= \\d+kB");
  private static final Pattern BLOCK = Pattern.compile("(\\d+)\\*(\\d+)kB");

  private MemInfoRegexParser() {}

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
        || (m.startsWith("Name") && SLAB_COLUMNS.matcher(m).matches())
        || (m.startsWith("CPU") && PER_CPU.matcher(m).matches())) {
      return Optional.of(new Other());
    }
    char first = m.charAt(0);
    if (first >= '0' && first <= '9') {
      Matcher p = PAGES.matcher(m);
      if (p.matches()) {
        OptionalLong n = KillLineParser.parseLong(p.group(1));
        return n.isPresent() ? Optional.of(new Pages(p.group(2), n.getAsLong())) : Optional.empty();
      }
      return Optional.empty();
    }
    if (first == 'F' || first == 'T') {
      Matcher s = SWAP.matcher(m);
      if (s.matches()) {
        OptionalLong n = KillLineParser.parseLong(s.group(2));
        return n.isPresent()
            ? Optional.of(new Swap(s.group(1).equals("Total"), n.getAsLong()))
            : Optional.empty();
      }
      return Optional.empty();
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

  /** A row of the unreclaimable slab table, read only after its header. */
  static Optional<SlabRow> slabRow(String message) {
    Matcher r = SLAB_ROW.matcher(message.strip());
    if (!r.matches()) {
      return Optional.empty();
    }
    OptionalLong used = KillLineParser.parseLong(r.group(2));
    OptionalLong total = KillLineParser.parseLong(r.group(3));
    if (used.isEmpty() || total.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new SlabRow(r.group(1), used.getAsLong(), total.getAsLong()));
  }

  private static Map<String, String> byThemselves(String... names) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String n : names) {
      out.put(n, n);
    }
    return Map.copyOf(out);
  }

  private static Optional<Map<String, Long>> counters(String m) {
    String[] tokens = m.split("\\s+");
    Map<String, Long> out = new LinkedHashMap<>();
    for (String t : tokens) {
      if (!COUNTER_TOKEN.matcher(t).matches()) {
        return Optional.empty();
      }
      int colon = t.indexOf(':');
      OptionalLong v = KillLineParser.parseLong(t.substring(colon + 1));
      if (v.isEmpty()) {
        return Optional.empty();
      }
      String name = t.substring(0, colon);
      out.put(COUNTER_NAMES.getOrDefault(name, name), v.getAsLong());
    }
    return Optional.of(out);
  }

  private static Optional<Line> node(String m) {
    Matcher n = NODE.matcher(m);
    if (!n.matches()) {
      return Optional.empty();
    }
    int node;
    try {
      node = Integer.parseInt(n.group(1));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    String word = n.group(2);
    String rest = n.group(3) == null ? "" : n.group(3);
    if (word.startsWith("hugepages_total=")) {
      Matcher h = HUGEPAGES.matcher(word + " " + rest);
      if (h.matches()) {
        try {
          return Optional.of(
              new Hugepages(
                  node,
                  Long.parseLong(h.group(1)),
                  Long.parseLong(h.group(2)),
                  Long.parseLong(h.group(3)),
                  Long.parseLong(h.group(4))));
        } catch (NumberFormatException e) {
          return Optional.of(new Other());
        }
      }
      return Optional.of(new Other());
    }
    if (word.endsWith(":") && !rest.startsWith("per-cpu:")) {
      Matcher b = BUDDY.matcher(m);
      if (b.find()) {
        List<HostMemory.FreeBlocks> blocks = new ArrayList<>();
        Matcher block = BLOCK.matcher(b.group(3));
        while (block.find()) {
          OptionalLong count = KillLineParser.parseLong(block.group(1));
          OptionalLong size = KillLineParser.parseLong(block.group(2));
          if (count.isEmpty() || size.isEmpty()) {
            return Optional.of(new Other());
          }
          blocks.add(new HostMemory.FreeBlocks(count.getAsLong(), KiB.toBytes(size.getAsLong())));
        }
        return Optional.of(new Buddy(node, b.group(2), blocks));
      }
    }
    if (word.contains(":") || rest.startsWith("per-cpu:")) {
      // Per-node counters ("Node 0 active_anon:..."), or a buddy list cut short.
      return Optional.of(new Other());
    }
    if (!rest.startsWith("free:")) {
      return Optional.empty();
    }
    Map<String, Long> kb = new LinkedHashMap<>();
    Matcher t = KB_TOKEN.matcher(rest);
    while (t.find()) {
      OptionalLong v = KillLineParser.parseLong(t.group(2));
      if (v.isPresent()) {
        kb.putIfAbsent(t.group(1), v.getAsLong());
      }
    }
    return Optional.of(
        new Zone(
            node,
            word,
            get(kb, "free"),
            get(kb, "min"),
            get(kb, "low"),
            get(kb, "high"),
            get(kb, "present"),
            get(kb, "managed")));
  }

  private static OptionalLong get(Map<String, Long> kb, String key) {
    Long v = kb.get(key);
    return v == null ? OptionalLong.empty() : OptionalLong.of(v);
  }
}
