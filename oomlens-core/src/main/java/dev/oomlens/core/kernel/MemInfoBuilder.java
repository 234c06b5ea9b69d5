package dev.oomlens.core.kernel;

import dev.oomlens.core.model.HostMemory;
import dev.oomlens.core.model.SourceLine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Gathers the lines of one {@code show_mem} block into a {@link HostMemory}.
 *
 * <p>The {@code key:N} counter lines and the slab and allocation tables are read only inside the
 * block (after {@code Mem-Info:}, a 3.x per-cpu line, or {@code Unreclaimable slab info:}): out of
 * it, such lines could be anything.
 */
final class MemInfoBuilder {
  private SourceLine source;
  private boolean inBlock;
  private boolean inSlab;
  private boolean inAllocations;
  private final Map<String, Long> counters = new LinkedHashMap<>();
  private final Map<String, SourceLine> counterLines = new LinkedHashMap<>();
  private final List<HostMemory.ZoneMemory> zones = new ArrayList<>();
  private final List<HostMemory.Hugepages> hugepages = new ArrayList<>();
  private final Map<String, Long> pages = new LinkedHashMap<>();
  private final Map<String, SourceLine> pageLines = new LinkedHashMap<>();
  private OptionalLong freeSwapKb = OptionalLong.empty();
  private SourceLine freeSwapSource;
  private OptionalLong totalSwapKb = OptionalLong.empty();
  private SourceLine totalSwapSource;
  private final List<HostMemory.SlabEntry> slab = new ArrayList<>();
  private final List<HostMemory.FreeArea> freeAreas = new ArrayList<>();

  /** Takes the line if it belongs to the block; false leaves it to others. */
  boolean accept(String message, SourceLine line) {
    if (inSlab) {
      Optional<MemInfoParser.SlabRow> row = MemInfoParser.slabRow(message);
      if (row.isPresent()) {
        MemInfoParser.SlabRow r = row.get();
        slab.add(new HostMemory.SlabEntry(r.name(), r.usedKb(), r.totalKb(), line));
        return true;
      }
    }
    if (inAllocations && MemInfoParser.isAllocationRow(message)) {
      return true;
    }
    Optional<MemInfoParser.Line> parsed = MemInfoParser.parse(message);
    if (parsed.isEmpty()) {
      inSlab = false;
      inAllocations = false;
      return false;
    }
    MemInfoParser.Line l = parsed.get();
    boolean slabColumns = l instanceof MemInfoParser.Other && message.strip().startsWith("Name");
    inSlab = l instanceof MemInfoParser.SlabHeader || (inSlab && slabColumns);
    inAllocations = message.strip().equals("Memory allocations:");
    switch (l) {
      case MemInfoParser.Header h -> {
        inBlock = true;
        if (source == null) {
          source = line;
        }
      }
      case MemInfoParser.Counters c -> {
        if (!inBlock) {
          return false;
        }
        c.pages().forEach((k, v) -> {
          if (counters.putIfAbsent(k, v) == null) {
            counterLines.put(k, line);
          }
        });
      }
      case MemInfoParser.Zone z -> zones.add(new HostMemory.ZoneMemory(z.node(), z.zone(),
          z.freeKb(), z.minKb(), z.lowKb(), z.highKb(), z.presentKb(), z.managedKb(), line));
      case MemInfoParser.Hugepages h -> hugepages.add(
          new HostMemory.Hugepages(h.node(), h.total(), h.free(), h.surp(), h.sizeKb(), line));
      case MemInfoParser.Pages p -> {
        if (pages.putIfAbsent(p.what(), p.pages()) == null) {
          pageLines.put(p.what(), line);
        }
      }
      case MemInfoParser.Swap s -> {
        if (s.total()) {
          totalSwapKb = OptionalLong.of(s.kb());
          totalSwapSource = line;
        } else {
          freeSwapKb = OptionalLong.of(s.kb());
          freeSwapSource = line;
        }
      }
      case MemInfoParser.Buddy b -> freeAreas.add(
          new HostMemory.FreeArea(b.node(), b.zone(), b.blocks(), line));
      case MemInfoParser.SlabHeader s -> {
        // The slab table can stand without Mem-Info (memcg-less kernels print it after it).
      }
      case MemInfoParser.SlabRow r -> {
        // Only read through slabRow() above.
      }
      case MemInfoParser.Other o -> {
        if (message.strip().contains("per-cpu:")) {
          inBlock = true;
        }
      }
    }
    if (source == null) {
      source = line;
    }
    return true;
  }

  /** True once any line of the block was taken. */
  boolean seen() {
    return source != null;
  }

  /** The block's first line. */
  Optional<SourceLine> firstLine() {
    return Optional.ofNullable(source);
  }

  Optional<HostMemory> build() {
    if (source == null) {
      return Optional.empty();
    }
    return Optional.of(new HostMemory(counters, zones, hugepages, page("total pagecache pages"),
        page("pages in swap cache"), freeSwapKb, totalSwapKb, page("pages RAM"),
        page("pages reserved"), page("pages cma reserved"), page("pages HighMem/MovableOnly"),
        page("pages hwpoisoned"), slab, source, counterLines, pageLines,
        Optional.ofNullable(freeSwapSource), Optional.ofNullable(totalSwapSource), freeAreas));
  }

  private OptionalLong page(String what) {
    Long v = pages.get(what);
    return v == null ? OptionalLong.empty() : OptionalLong.of(v);
  }
}
