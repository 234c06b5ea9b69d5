package dev.oomlens.core.model;

/*
 * The kernel prints memory in kB (KiB) and pages; the evidence holds bytes, converted once, by the
 * readers. The one kB value the kernel prints that holds more bytes than a long is 3.x's "no
 * limit": RES_COUNTER_MAX >> 10 = 18014398509481983 kB (mm/memcontrol.c of 3.x printed res_counter
 * limits shifted by 10). It is kept as Long.MAX_VALUE bytes and given back as printed, so that a
 * value written in kB is the one the kernel wrote.
 */

/** Conversions between the kernel's kB (KiB) and the bytes the evidence holds. */
public final class KiB {
  /** The "no limit" of 3.x memory cgroups, in kB as printed: {@code ULLONG_MAX >> 10}. */
  public static final long UNLIMITED_3X_KB = 18014398509481983L;

  private KiB() {}

  /** {@code kb} kB in bytes; values past a long's range become {@link Long#MAX_VALUE}. */
  public static long toBytes(long kb) {
    return kb > Long.MAX_VALUE / 1024
        ? Long.MAX_VALUE
        : kb < Long.MIN_VALUE / 1024 ? Long.MIN_VALUE : kb * 1024;
  }

  /** The kB that {@code bytes} came from, as the kernel printed it. */
  public static long fromBytes(long bytes) {
    return bytes == Long.MAX_VALUE ? UNLIMITED_3X_KB : bytes / 1024;
  }
}
