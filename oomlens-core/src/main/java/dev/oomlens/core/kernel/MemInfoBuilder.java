package dev.oomlens.core.kernel;

import dev.oomlens.core.model.HostMemory;
import dev.oomlens.core.model.KiB;
import dev.oomlens.core.model.SourceLine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Gathers the lines of one {@code show_mem} block into a {@link HostMemory}, in bytes: kB values as
 * they are read, page counts when the block is built with the report's page size.
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
  private OptionalLong freeSwapBytes = OptionalLong.empty();
  private SourceLine freeSwapSource;
  private OptionalLong totalSwapBytes = OptionalLong.empty();
  private SourceLine totalSwapSource;
  private final List<HostMemory.SlabEntry> slab = new ArrayList<>();
  private final List<HostMemory.FreeArea> freeAreas = new ArrayList<>();

  /** Takes the line if it belongs to the block; false leaves it to others. */
  boolean accept(String message, SourceLine line) {
    if (inSlab) {
      Optional<MemInfoParser.SlabRow> row = MemInfoParser.slabRow(message);
      if (row.isPresent()) {
        MemInfoParser.SlabRow r = row.get();
        slab.add(
            new HostMemory.SlabEntry(
                r.name(), KiB.toBytes(r.usedKb()), KiB.toBytes(r.totalKb()), line));
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
        c.pages()
            .forEach(
                (k, v) -> {
                  if (counters.putIfAbsent(k, v) == null) {
                    counterLines.put(k, line);
                  }
                });
      }
      case MemInfoParser.Zone z ->
          zones.add(
              new HostMemory.ZoneMemory(
                  z.node(),
                  z.zone(),
                  bytes(z.freeKb()),
                  bytes(z.minKb()),
                  bytes(z.lowKb()),
                  bytes(z.highKb()),
                  bytes(z.presentKb()),
                  bytes(z.managedKb()),
                  line));
      case MemInfoParser.Hugepages h ->
          hugepages.add(
              new HostMemory.Hugepages(
                  h.node(), h.total(), h.free(), h.surp(), KiB.toBytes(h.sizeKb()), line));
      case MemInfoParser.Pages p -> {
        if (pages.putIfAbsent(p.what(), p.pages()) == null) {
          pageLines.put(p.what(), line);
        }
      }
      case MemInfoParser.Swap s -> {
        if (s.total()) {
          totalSwapBytes = OptionalLong.of(KiB.toBytes(s.kb()));
          totalSwapSource = line;
        } else {
          freeSwapBytes = OptionalLong.of(KiB.toBytes(s.kb()));
          freeSwapSource = line;
        }
      }
      case MemInfoParser.Buddy b ->
          freeAreas.add(new HostMemory.FreeArea(b.node(), b.zone(), b.blocks(), line));
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

  /**
   * The page size the block implies: its zones' present memory (kB) against {@code N pages RAM} (4,
   * 8, 16 or 64 KiB within 10%); empty when it does not print both.
   */
  OptionalLong pageSizeBytes() {
    Long ram = pages.get("pages RAM");
    if (ram == null || ram <= 0) {
      return OptionalLong.empty();
    }
    long presentBytes = 0;
    for (HostMemory.ZoneMemory z : zones) {
      presentBytes += z.presentBytes().orElse(0);
    }
    if (presentBytes == 0) {
      return OptionalLong.empty();
    }
    double kbPerPage = presentBytes / 1024.0 / ram;
    for (long candidateKb : new long[] {4, 8, 16, 64}) {
      if (Math.abs(kbPerPage - candidateKb) / candidateKb < 0.1) {
        return OptionalLong.of(candidateKb * 1024);
      }
    }
    return OptionalLong.empty();
  }

  /** The block, its page counts converted at {@code pageSizeBytes}. */
  Optional<HostMemory> build(long pageSizeBytes) {
    if (source == null) {
      return Optional.empty();
    }
    Map<String, Long> counterBytes = new LinkedHashMap<>();
    counters.forEach((k, v) -> counterBytes.put(k, v * pageSizeBytes));
    return Optional.of(
        new HostMemory(
            counterBytes,
            zones,
            hugepages,
            page("total pagecache pages", pageSizeBytes),
            page("pages in swap cache", pageSizeBytes),
            freeSwapBytes,
            totalSwapBytes,
            page("pages RAM", pageSizeBytes),
            page("pages reserved", pageSizeBytes),
            page("pages cma reserved", pageSizeBytes),
            page("pages HighMem/MovableOnly", pageSizeBytes),
            page("pages hwpoisoned", pageSizeBytes),
            slab,
            source,
            counterLines,
            pageLines,
            Optional.ofNullable(freeSwapSource),
            Optional.ofNullable(totalSwapSource),
            freeAreas));
  }

  private OptionalLong page(String what, long pageSizeBytes) {
    Long v = pages.get(what);
    return v == null ? OptionalLong.empty() : OptionalLong.of(v * pageSizeBytes);
  }

  private static OptionalLong bytes(OptionalLong kb) {
    return kb.isPresent() ? OptionalLong.of(KiB.toBytes(kb.getAsLong())) : OptionalLong.empty();
  }
}
