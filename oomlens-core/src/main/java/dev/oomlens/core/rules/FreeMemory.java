package dev.oomlens.core.rules;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.model.HostMemory;
import dev.oomlens.core.model.HostMemory.ZoneMemory;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.SourceLine;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/*
 * What the show_mem block says about free memory, from the point of view of the allocation that
 * failed. The page allocator checks each zone's free pages against its watermarks (min < low <
 * high); an allocation without __GFP_MOVABLE (bit 0x08 of the gfp mask since 2.6) cannot use
 * ZONE_MOVABLE, and free CMA pages serve only movable allocations, so neither counts as free for
 * it. For order > 0 a zone also needs a free block of 2^order pages: the buddy lines
 * ("Node 0 Normal: 3*4kB (UM) 2*8kB ... = 13316kB", HostMemory#freeAreas) show which block sizes
 * were free.
 */

/**
 * Free memory of a global, cpuset or mempolicy OOM report as the failed allocation saw it: per zone
 * against watermarks, and the largest free block per zone.
 *
 * @param zones the zones the allocation could use (ZONE_MOVABLE left out for non-movable ones)
 * @param usableFreeBytes free memory in those zones, free CMA taken off for non-movable allocations
 * @param cmaFreeBytes free CMA memory ({@code free_cma})
 * @param buddy the largest free block of each usable zone, when the buddy lines were printed
 */
public record FreeMemory(
    List<ZoneMemory> zones,
    long usableFreeBytes,
    long cmaFreeBytes,
    boolean movableAllocation,
    List<Buddy> buddy) {

  public FreeMemory {
    zones = List.copyOf(zones);
    buddy = List.copyOf(buddy);
  }

  /** One zone's buddy line: its largest free block, 0 when every list was empty. */
  public record Buddy(int node, String zone, long largestFreeBlockBytes, SourceLine source) {
    public Buddy {
      requireNonNull(zone, "zone");
      requireNonNull(source, "source");
    }
  }

  /**
   * True when the report shows memory that was free but in pieces too small for the allocation: the
   * OOM was fragmentation, not a shortage (FRAGMENTATION's case; shortage rules stay silent).
   */
  public static boolean showsFragmentation(OomReport report) {
    int order = report.order().orElse(0);
    return of(report).filter(f -> f.fragmented(order, report.pageSizeBytes())).isPresent();
  }

  /** The free memory of the report's show_mem block; empty when the report has none. */
  public static Optional<FreeMemory> of(OomReport report) {
    if (report.hostMemory().isEmpty()) {
      return Optional.empty();
    }
    HostMemory h = report.hostMemory().get();
    boolean movable =
        report.trigger().flatMap(t -> t.gfpMask()).map(FreeMemory::movable).orElse(true);
    List<ZoneMemory> usable = new ArrayList<>();
    long free = 0;
    for (ZoneMemory z : h.zones()) {
      if (!movable && z.zone().equals("Movable")) {
        continue;
      }
      usable.add(z);
      free += z.freeBytes().orElse(0);
    }
    long cmaBytes = h.counterBytes().getOrDefault("free_cma", 0L);
    if (!movable) {
      free = Math.max(0, free - cmaBytes);
    }
    List<Buddy> buddy = new ArrayList<>();
    for (HostMemory.FreeArea area : h.freeAreas()) {
      if (usable.stream().noneMatch(z -> z.node() == area.node() && z.zone().equals(area.zone()))) {
        continue;
      }
      long largest = 0;
      for (HostMemory.FreeBlocks b : area.blocks()) {
        if (b.count() > 0) {
          largest = Math.max(largest, b.sizeBytes());
        }
      }
      buddy.add(new Buddy(area.node(), area.zone(), largest, area.source()));
    }
    return Optional.of(new FreeMemory(usable, free, cmaBytes, movable, buddy));
  }

  /** True when the gfp mask allows ZONE_MOVABLE; unreadable masks count as movable. */
  static boolean movable(String gfpMask) {
    String hex = gfpMask.trim();
    int paren = hex.indexOf('(');
    if (paren >= 0) {
      String names = hex.substring(paren);
      if (names.contains("MOVABLE")) {
        return true;
      }
      hex = hex.substring(0, paren);
    }
    try {
      long bits = Long.parseLong(hex.startsWith("0x") ? hex.substring(2) : hex, 16);
      return (bits & 0x08) != 0;
    } catch (NumberFormatException e) {
      return true;
    }
  }

  /** Sum of a watermark over the usable zones; empty when a zone did not print it. */
  public OptionalLong sum(java.util.function.Function<ZoneMemory, OptionalLong> watermark) {
    long sum = 0;
    for (ZoneMemory z : zones) {
      OptionalLong v = watermark.apply(z);
      if (v.isEmpty()) {
        return OptionalLong.empty();
      }
      sum += v.getAsLong();
    }
    return zones.isEmpty() ? OptionalLong.empty() : OptionalLong.of(sum);
  }

  /** The usable zones whose free memory was under their low watermark (where reclaim starts). */
  public List<ZoneMemory> belowLow() {
    return zones.stream()
        .filter(
            z ->
                z.freeBytes().isPresent()
                    && z.lowBytes().isPresent()
                    && z.freeBytes().getAsLong() < z.lowBytes().getAsLong())
        .toList();
  }

  /** True when the usable zones held more than twice the sum of their high watermarks. */
  public boolean plentyFree() {
    OptionalLong high = sum(ZoneMemory::highBytes);
    return high.isPresent() && high.getAsLong() > 0 && usableFreeBytes > 2 * high.getAsLong();
  }

  /** True when the buddy lines were printed and no usable zone had a free block of this size. */
  public boolean noBlockOf(long blockBytes) {
    return !buddy.isEmpty() && buddy.stream().allMatch(b -> b.largestFreeBlockBytes() < blockBytes);
  }

  /**
   * True when an allocation of {@code order} failed for want of contiguous blocks rather than
   * memory: order above 0, plenty free, and no free block that large (or no buddy lines at all).
   */
  public boolean fragmented(int order, long pageBytes) {
    if (order < 1 || !plentyFree()) {
      return false;
    }
    return buddy.isEmpty() || noBlockOf(pageBytes << order);
  }

  /** One zone for reasoning text: {@code Normal (node 0) free 36692 kB, min 36784 kB ...}. */
  public static String describe(ZoneMemory z) {
    return z.zone()
        + " (node "
        + z.node()
        + ") free "
        + kb(z.freeBytes())
        + " kB, min "
        + kb(z.minBytes())
        + " kB, low "
        + kb(z.lowBytes())
        + " kB, high "
        + kb(z.highBytes())
        + " kB";
  }

  private static long kb(OptionalLong bytes) {
    return bytes.orElse(0) / 1024;
  }
}
