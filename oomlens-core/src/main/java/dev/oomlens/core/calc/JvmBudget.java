package dev.oomlens.core.calc;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/*
 * The java-buildpack memory calculator (cloudfoundry/java-buildpack-memory-calculator v4,
 * calculator/calculator.go; defaults from paketo-buildpacks/libjvm helper/memory_calculator.go):
 *
 *   headroom  = total * headRoom% / 100                       (default 0)
 *   direct    = -XX:MaxDirectMemorySize   or 10M
 *   metaspace = -XX:MaxMetaspaceSize      or 5800 B * loadedClassCount + 14,000,000 B
 *   codecache = -XX:ReservedCodeCacheSize or 240M
 *   stack     = -Xss                      or 1M, times threadCount (Paketo: 250)
 *   heap      = total - (headroom + direct + metaspace + codecache + stack * threads)
 *
 * The calculator refuses when the regions alone exceed the total; here that is a budget whose
 * heap is not positive (fits() is false), so callers can say by how much it misses. Sizes are
 * binary (1G = 1024M), as the calculator parses them. What it does not model (GC structures, JIT
 * arenas, malloc arenas, mapped files) is why the heap it leaves is an upper bound.
 */

/**
 * A JVM memory budget within a total (a container limit): the heap that remains once direct memory,
 * metaspace, code cache and thread stacks are set aside, per the java-buildpack memory calculator.
 *
 * @param totalBytes the memory the whole JVM process must fit in
 * @param heapBytes {@code totalBytes} minus every other region; zero or negative when they do not
 *     fit
 */
public record JvmBudget(
    long totalBytes,
    long headroomBytes,
    long directBytes,
    long metaspaceBytes,
    long codeCacheBytes,
    long stackBytes,
    int threadCount,
    long heapBytes) {

  private static final long MIB = 1024L * 1024;

  /** The calculator's default for {@code -XX:MaxDirectMemorySize}. */
  public static final long DEFAULT_DIRECT_BYTES = 10 * MIB;

  /** The calculator's default for {@code -XX:ReservedCodeCacheSize}. */
  public static final long DEFAULT_CODE_CACHE_BYTES = 240 * MIB;

  /** The calculator's default for {@code -Xss}. */
  public static final long DEFAULT_STACK_BYTES = MIB;

  /** Paketo's default thread count ({@code BPL_JVM_THREAD_COUNT}). */
  public static final int DEFAULT_THREAD_COUNT = 250;

  public JvmBudget {
    if (totalBytes <= 0) {
      throw new IllegalArgumentException("totalBytes=" + totalBytes);
    }
    if (headroomBytes < 0
        || directBytes < 0
        || metaspaceBytes < 0
        || codeCacheBytes < 0
        || stackBytes < 0
        || threadCount < 0) {
      throw new IllegalArgumentException("regions must not be negative");
    }
  }

  /**
   * The regions a budget sets aside besides the heap.
   *
   * @param headroomPercent share of the total left to the rest of the process (0 to 99)
   */
  public record Regions(
      int headroomPercent,
      long directBytes,
      long metaspaceBytes,
      long codeCacheBytes,
      long stackBytes,
      int threadCount) {
    public Regions {
      if (headroomPercent < 0 || headroomPercent > 99) {
        throw new IllegalArgumentException("headroomPercent=" + headroomPercent);
      }
      if (directBytes < 0
          || metaspaceBytes < 0
          || codeCacheBytes < 0
          || stackBytes < 0
          || threadCount < 0) {
        throw new IllegalArgumentException("regions must not be negative");
      }
    }

    /** The calculator's defaults (direct 10M, code cache 240M, 1M stacks, 250 threads). */
    public static Regions defaults(long metaspaceBytes) {
      return new Regions(
          0,
          DEFAULT_DIRECT_BYTES,
          metaspaceBytes,
          DEFAULT_CODE_CACHE_BYTES,
          DEFAULT_STACK_BYTES,
          DEFAULT_THREAD_COUNT);
    }

    public Regions withThreadCount(int threads) {
      return new Regions(
          headroomPercent, directBytes, metaspaceBytes, codeCacheBytes, stackBytes, threads);
    }

    public Regions withCodeCacheBytes(long bytes) {
      return new Regions(
          headroomPercent, directBytes, metaspaceBytes, bytes, stackBytes, threadCount);
    }

    public Regions withStackBytes(long bytes) {
      return new Regions(
          headroomPercent, directBytes, metaspaceBytes, codeCacheBytes, bytes, threadCount);
    }
  }

  /** The calculator's metaspace estimate: 5800 bytes per loaded class plus 14,000,000 bytes. */
  public static long metaspaceForClasses(long loadedClassCount) {
    if (loadedClassCount < 0) {
      throw new IllegalArgumentException("loadedClassCount=" + loadedClassCount);
    }
    return 5800L * loadedClassCount + 14_000_000L;
  }

  /** Budgets a JVM in {@code totalBytes} with the given regions. */
  public static JvmBudget calculate(long totalBytes, Regions regions) {
    long headroom = totalBytes * regions.headroomPercent() / 100;
    long overhead =
        headroom
            + regions.directBytes()
            + regions.metaspaceBytes()
            + regions.codeCacheBytes()
            + regions.stackBytes() * regions.threadCount();
    return new JvmBudget(
        totalBytes,
        headroom,
        regions.directBytes(),
        regions.metaspaceBytes(),
        regions.codeCacheBytes(),
        regions.stackBytes(),
        regions.threadCount(),
        totalBytes - overhead);
  }

  /** Everything but the heap: headroom, direct memory, metaspace, code cache and stacks. */
  public long overheadBytes() {
    return headroomBytes + directBytes + metaspaceBytes + codeCacheBytes + stackBytes * threadCount;
  }

  /** True when the regions leave a positive heap. */
  public boolean fits() {
    return heapBytes > 0;
  }

  /**
   * The heap as a share of the total, rounded down to one decimal, for {@code -XX:MaxRAMPercentage}
   * (which the JVM applies to the container limit it detects).
   */
  public double maxRamPercentage() {
    if (!fits()) {
      return 0;
    }
    return Math.floor(heapBytes * 1000.0 / totalBytes) / 10.0;
  }

  /**
   * The flags that cap every region: {@code -XX:MaxRAMPercentage} for the heap (so it follows the
   * limit), then metaspace, code cache, direct memory and thread stack size. Caps are rounded up to
   * whole MiB (stacks to whole KiB) and the percentage down, so the heap never gets more than the
   * budget left it.
   *
   * @throws IllegalStateException when the regions leave no heap
   */
  public List<String> flags() {
    if (!fits()) {
      throw new IllegalStateException(
          "no heap left: regions exceed the total by " + (-heapBytes) + " bytes");
    }
    List<String> flags = new ArrayList<>();
    flags.add(String.format(Locale.ROOT, "-XX:MaxRAMPercentage=%.1f", maxRamPercentage()));
    flags.add("-XX:MaxMetaspaceSize=" + ceilMib(metaspaceBytes) + "M");
    flags.add("-XX:ReservedCodeCacheSize=" + ceilMib(codeCacheBytes) + "M");
    flags.add("-XX:MaxDirectMemorySize=" + ceilMib(directBytes) + "M");
    flags.add(
        stackBytes % MIB == 0
            ? "-Xss" + stackBytes / MIB + "M"
            : "-Xss" + Math.ceilDiv(stackBytes, 1024) + "K");
    return List.copyOf(flags);
  }

  /** The heap as an explicit {@code -Xmx} in whole MiB (rounded down). */
  public String xmxFlag() {
    if (!fits()) {
      throw new IllegalStateException("no heap left");
    }
    return "-Xmx" + heapBytes / MIB + "M";
  }

  private static long ceilMib(long bytes) {
    return Math.ceilDiv(bytes, MIB);
  }
}
