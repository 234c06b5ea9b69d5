package dev.oomlens.core.model;

import static java.util.Objects.requireNonNull;

import java.util.AbstractList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.RandomAccess;

/**
 * The {@code show_mem} block of a global, cpuset or mempolicy OOM report (and of a page allocation
 * failure): the {@code Mem-Info:} counters, zones, hugepages and the swap and RAM totals.
 *
 * <p>Sizes in bytes: the kernel prints the {@code Mem-Info:} counters and the {@code N pages ...}
 * lines in pages, converted with the page size of the report ({@link OomReport#pageSizeBytes()},
 * {@link AllocFailure#pageSizeBytes()}), and the rest in kB.
 *
 * @param counterBytes the {@code Mem-Info:} summary ({@code active_anon:N ... free_cma:N}), keys
 *     exactly as printed
 * @param pagecacheBytes {@code N total pagecache pages}
 * @param swapCacheBytes {@code N pages in swap cache}
 * @param freeSwapBytes {@code Free swap = NkB}, likewise {@code totalSwapBytes}
 * @param ramBytes {@code N pages RAM}, likewise {@code reservedBytes}, {@code cmaReservedBytes},
 *     {@code highmemBytes} ({@code HighMem/MovableOnly}) and {@code hwpoisonedBytes}
 * @param unreclaimableSlab the {@code Unreclaimable slab info:} rows, largest first as printed
 * @param source the {@code Mem-Info:} line (or the block's first line when that is missing)
 * @param counterLines the line each {@code counterBytes} key was printed on
 * @param pageLines the {@code N <what>} lines ({@code N pages RAM}, {@code N total pagecache
 *     pages}, ...), keyed by what follows the number, as printed
 * @param freeSwapSource the {@code Free swap = NkB} line, likewise {@code totalSwapSource}
 * @param freeAreas the buddy lists, one per zone line printed whole ({@code Node 0 Normal: 3*4kB
 *     (UM) 2*8kB ... = 13316kB}), in printed order
 */
public record HostMemory(
    Map<String, Long> counterBytes,
    List<ZoneMemory> zones,
    List<Hugepages> hugepages,
    OptionalLong pagecacheBytes,
    OptionalLong swapCacheBytes,
    OptionalLong freeSwapBytes,
    OptionalLong totalSwapBytes,
    OptionalLong ramBytes,
    OptionalLong reservedBytes,
    OptionalLong cmaReservedBytes,
    OptionalLong highmemBytes,
    OptionalLong hwpoisonedBytes,
    List<SlabEntry> unreclaimableSlab,
    SourceLine source,
    Map<String, SourceLine> counterLines,
    Map<String, SourceLine> pageLines,
    Optional<SourceLine> freeSwapSource,
    Optional<SourceLine> totalSwapSource,
    List<FreeArea> freeAreas) {
  public HostMemory {
    counterBytes = Keyed.ofLongs(counterBytes);
    zones = List.copyOf(zones);
    hugepages = List.copyOf(hugepages);
    requireNonNull(pagecacheBytes, "pagecacheBytes");
    requireNonNull(swapCacheBytes, "swapCacheBytes");
    requireNonNull(freeSwapBytes, "freeSwapBytes");
    totalSwapBytes = Names.constant(requireNonNull(totalSwapBytes, "totalSwapBytes"));
    ramBytes = Names.constant(requireNonNull(ramBytes, "ramBytes"));
    reservedBytes = Names.constant(requireNonNull(reservedBytes, "reservedBytes"));
    cmaReservedBytes = Names.constant(requireNonNull(cmaReservedBytes, "cmaReservedBytes"));
    highmemBytes = Names.constant(requireNonNull(highmemBytes, "highmemBytes"));
    hwpoisonedBytes = Names.constant(requireNonNull(hwpoisonedBytes, "hwpoisonedBytes"));
    unreclaimableSlab = List.copyOf(unreclaimableSlab);
    requireNonNull(source, "source");
    counterLines = Keyed.of(counterLines);
    pageLines = Keyed.of(pageLines);
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
      zone = Names.of(zone);
      blocks = Blocks.of(blocks);
      requireNonNull(source, "source");
    }
  }

  /** {@code N*SkB}: {@code count} free blocks of {@code sizeBytes} each. */
  public record FreeBlocks(long count, long sizeBytes) {}

  /*
   * A zone's buddy list is kept with every report until the rules have seen them all: 16 a
   * report, 32 bytes a FreeBlocks and a slot in a list. Kept as pairs in one long[] instead, a
   * FreeBlocks made on each get.
   */
  private static final class Blocks extends AbstractList<FreeBlocks> implements RandomAccess {
    private final long[] pairs;

    private Blocks(long[] pairs) {
      this.pairs = pairs;
    }

    static List<FreeBlocks> of(List<FreeBlocks> blocks) {
      if (blocks instanceof Blocks b) {
        return b;
      }
      if (blocks.isEmpty()) {
        return List.of();
      }
      long[] pairs = new long[blocks.size() * 2];
      for (int i = 0; i < blocks.size(); i++) {
        FreeBlocks b = requireNonNull(blocks.get(i), "blocks");
        pairs[2 * i] = b.count();
        pairs[2 * i + 1] = b.sizeBytes();
      }
      return new Blocks(pairs);
    }

    @Override
    public FreeBlocks get(int index) {
      Objects.checkIndex(index, size());
      return new FreeBlocks(pairs[2 * index], pairs[2 * index + 1]);
    }

    @Override
    public int size() {
      return pairs.length / 2;
    }
  }

  /**
   * One zone line: {@code Node 0 Normal free:12kB min:8kB low:10kB high:12kB ... present:..kB
   * managed:..kB}, in bytes.
   */
  public record ZoneMemory(
      int node,
      String zone,
      OptionalLong freeBytes,
      OptionalLong minBytes,
      OptionalLong lowBytes,
      OptionalLong highBytes,
      OptionalLong presentBytes,
      OptionalLong managedBytes,
      SourceLine source) {
    public ZoneMemory {
      zone = Names.of(zone);
      requireNonNull(freeBytes, "freeBytes");
      minBytes = Names.constant(requireNonNull(minBytes, "minBytes"));
      lowBytes = Names.constant(requireNonNull(lowBytes, "lowBytes"));
      highBytes = Names.constant(requireNonNull(highBytes, "highBytes"));
      presentBytes = Names.constant(requireNonNull(presentBytes, "presentBytes"));
      managedBytes = Names.constant(requireNonNull(managedBytes, "managedBytes"));
      requireNonNull(source, "source");
    }
  }

  /**
   * {@code Node 0 hugepages_total=N hugepages_free=N hugepages_surp=N hugepages_size=2048kB}: the
   * pool's counts of huge pages, and their size in bytes.
   */
  public record Hugepages(
      int node, long total, long free, long surp, long sizeBytes, SourceLine source) {
    public Hugepages {
      requireNonNull(source, "source");
    }
  }

  /** One row of {@code Unreclaimable slab info:}: {@code name used total}, in bytes. */
  public record SlabEntry(String name, long usedBytes, long totalBytes, SourceLine source) {
    public SlabEntry {
      name = Names.of(name);
      requireNonNull(source, "source");
    }
  }
}
