package dev.oomlens.core.host.parse;

import dev.oomlens.core.host.KeyedValues;

/*
 * Follows Documentation/filesystems/proc.rst ("vmstat": "detailed virtual memory statistics from
 * the kernel") and mm/vmstat.c vmstat_show(), which prints "%s %lu\n" per counter. The set of
 * counters changes with every kernel and config: oom_kill exists since 4.13, the
 * workingset_refault_anon/_file split since 5.9 (workingset_refault before), pswpin/pswpout only
 * with CONFIG_SWAP; so no counter is required, but every line must have the "name number" shape.
 * Checked on 3.10 (RHEL 7 shape), 6.1 (Debian 12 cloud) and 6.18.
 */

/** Parses {@code /proc/vmstat}: one counter per line, values as printed (counts or pages). */
public final class VmstatParser {
  private VmstatParser() {}

  public static KeyedValues parse(String text, String path) throws ParseException {
    KeyedValues v = KeyValueLines.parse(text, path);
    if (v.values().isEmpty()) {
      throw new ParseException(path, 0, "no counters");
    }
    return v;
  }
}
