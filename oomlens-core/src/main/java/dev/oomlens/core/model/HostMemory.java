package dev.oomlens.core.model;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The {@code show_mem} block of a global, cpuset or mempolicy OOM report (and of a page allocation
 * failure): the {@code Mem-Info:} counters, zones, hugepages and the swap and RAM totals.
 *
 * @param counterPages the {@code Mem-Info:} summary ({@code active_anon:N ... free_cma:N}), in pages,
 *     keys exactly as printed
 * @param pagecachePages {@code N total pagecache pages}
 * @param swapCachePages {@code N pages in swap cache}
 * @param ramPages {@code N pages RAM}
 * @param unreclaimableSlab the {@code Unreclaimable slab info:} rows, largest first as printed
 * @param source the {@code Mem-Info:} line (or the block's first line when that is missing)
 * @param counterLines the line each {@code counterPages} key was printed on
 * @param pageLines the {@code N <what>} lines ({@code N pages RAM}, {@code N total pagecache
 *     pages}, ...), keyed by what follows the number, as printed
 * @param freeSwapSource the {@code Free swap  = NkB} line, likewise {@code totalSwapSource}
 * @param freeAreas the buddy lists, one per zone line printed whole ({@code Node 0 Normal: 3*4kB
 *     (UM) 2*8kB ... = 13316kB}), in printed order
 */
public record HostMemory(
    Map<String, Long> counterPages,
    List<ZoneMemory> zones,
    List<Hugepages> hugepages,
    OptionalLong pagecachePages,
    OptionalLong swapCachePages,
    OptionalLong freeSwapKb,
    OptionalLong totalSwapKb,
    OptionalLong ramPages,
    OptionalLong reservedPages,
    OptionalLong cmaReservedPages,
    OptionalLong highmemPages,
    OptionalLong hwpoisonedPages,
    List<SlabEntry> unreclaimableSlab,
    SourceLine source,
    Map<String, SourceLine> counterLines,
    Map<String, SourceLine> pageLines,
    Optional<SourceLine> freeSwapSource,
    Optional<SourceLine> totalSwapSource,
    List<FreeArea> freeAreas) {
  public HostMemory {
    counterPages = Map.copyOf(counterPages);
    zones = List.copyOf(zones);
    hugepages = List.copyOf(hugepages);
    requireNonNull(pagecachePages, "pagecachePages");
    requireNonNull(swapCachePages, "swapCachePages");
    requireNonNull(freeSwapKb, "freeSwapKb");
    requireNonNull(totalSwapKb, "totalSwapKb");
    requireNonNull(ramPages, "ramPages");
    requireNonNull(reservedPages, "reservedPages");
    requireNonNull(cmaReservedPages, "cmaReservedPages");
    requireNonNull(highmemPages, "highmemPages");
    requireNonNull(hwpoisonedPages, "hwpoisonedPages");
    unreclaimableSlab = List.copyOf(unreclaimableSlab);
    requireNonNull(source, "source");
    counterLines = Map.copyOf(counterLines);
    pageLines = Map.copyOf(pageLines);
    requireNonNull(freeSwapSource, "freeSwapSource");
    requireNonNull(totalSwapSource, "totalSwapSource");
    freeAreas = List.copyOf(freeAreas);
  }

  /** The {@code N pages RAM} line. */
  public Optional<SourceLine> ramLine() {
    return Optional.ofNullable(pageLines.get("pages RAM"));
  }

  /**
   * One zone's buddy list ({@code Node 0 Normal: 3*4kB (UM) 2*8kB (M) ... = 13316kB},
   * mm/page_alloc.c show_free_areas()): how many free blocks of each size the zone had.
   */
  public record FreeArea(int node, String zone, List<FreeBlocks> blocks, SourceLine source) {
    public FreeArea {
      requireNonNull(zone, "zone");
      blocks = List.copyOf(blocks);
      requireNonNull(source, "source");
    }
  }

  /** {@code N*SkB}: {@code count} free blocks of {@code sizeKb} each. */
  public record FreeBlocks(long count, long sizeKb) {}

  /** One zone line: {@code Node 0 Normal free:12kB min:8kB low:10kB high:12kB ... present:..kB managed:..kB}. */
  public record ZoneMemory(
      int node,
      String zone,
      OptionalLong freeKb,
      OptionalLong minKb,
      OptionalLong lowKb,
      OptionalLong highKb,
      OptionalLong presentKb,
      OptionalLong managedKb,
      SourceLine source) {
    public ZoneMemory {
      requireNonNull(zone, "zone");
      requireNonNull(freeKb, "freeKb");
      requireNonNull(minKb, "minKb");
      requireNonNull(lowKb, "lowKb");
      requireNonNull(highKb, "highKb");
      requireNonNull(presentKb, "presentKb");
      requireNonNull(managedKb, "managedKb");
      requireNonNull(source, "source");
    }
  }

  /** {@code Node 0 hugepages_total=N hugepages_free=N hugepages_surp=N hugepages_size=2048kB}. */
  public record Hugepages(int node, long total, long free, long surp, long sizeKb, SourceLine source) {
    public Hugepages {
      requireNonNull(source, "source");
    }
  }

  /** One row of {@code Unreclaimable slab info:}: {@code name used total} (kB). */
  public record SlabEntry(String name, long usedKb, long totalKb, SourceLine source) {
    public SlabEntry {
      requireNonNull(name, "name");
      requireNonNull(source, "source");
    }
  }
}
