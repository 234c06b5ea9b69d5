package dev.oomlens.core.host.parse;

import dev.oomlens.core.cgroup.CgroupPaths;
import dev.oomlens.core.host.CgroupMemory;
import dev.oomlens.core.host.KeyedValues;
import dev.oomlens.core.model.Problem;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/*
 * Follows Documentation/admin-guide/cgroup-v1/memory.rst, "User Interface" and "memory.stat file":
 *   memory.limit_in_bytes, memory.memsw.limit_in_bytes   bytes; "unlimited" is printed as
 *       PAGE_COUNTER_MAX * PAGE_SIZE, i.e. LONG_MAX rounded down to a page (9223372036854771712
 *       with 4 KiB pages, 9223372036854710272 with 64 KiB pages)
 *   memory.usage_in_bytes, memory.max_usage_in_bytes, memory.memsw.usage_in_bytes, memory.failcnt
 *   memory.stat          flat keyed, bytes (cache rss rss_huge shmem mapped_file ... and the
 *                        hierarchical total_* lines)
 *   memory.oom_control   "oom_kill_disable 0", "under_oom 0", and "oom_kill N" since 4.13
 * memsw.* exist only with swap accounting (swapaccount=1). There is no memory.high, memory.peak
 * nor per-cgroup PSI in v1. Checked on 6.18 (this project's own capture) and 3.10 (RHEL 7 shape).
 */

/** Parses the files of one cgroup v1 memory controller directory. */
public final class CgroupV1MemoryParser {
  /** Values at or above this are the kernel's "unlimited", whatever the page size. */
  private static final long UNLIMITED_FROM = Long.MAX_VALUE - (1L << 20);

  private CgroupV1MemoryParser() {}

  /** {@code memory.limit_in_bytes}, {@code memory.memsw.limit_in_bytes}: empty for unlimited. */
  public static OptionalLong parseLimit(String text, String path) throws ParseException {
    long v = CgroupValues.number(text, path);
    return v >= UNLIMITED_FROM ? OptionalLong.empty() : OptionalLong.of(v);
  }

  /** A usage or count file: {@code memory.usage_in_bytes}, {@code memory.failcnt}, ... */
  public static OptionalLong parseNumber(String text, String path) throws ParseException {
    return OptionalLong.of(CgroupValues.number(text, path));
  }

  /** {@code memory.stat}. */
  public static KeyedValues parseStat(String text, String path) throws ParseException {
    return KeyValueLines.parse(text, path);
  }

  /** {@code memory.oom_control}; {@code under_oom} and {@code oom_kill_disable} are required. */
  public static KeyedValues parseOomControl(String text, String path) throws ParseException {
    KeyedValues v = KeyValueLines.parse(text, path);
    if (v.get("oom_kill_disable").isEmpty() || v.get("under_oom").isEmpty()) {
      throw new ParseException(path, 0, "no oom_kill_disable or under_oom line");
    }
    return v;
  }

  /**
   * The cgroup the files describe. Never throws: a malformed file is added to {@code problems} and
   * its fields stay empty.
   */
  public static CgroupMemory parse(CgroupFiles dir, List<Problem> problems) {
    OptionalLong limit =
        CgroupValues.readLong(
            dir, "memory.limit_in_bytes", CgroupV1MemoryParser::parseLimit, problems);
    OptionalLong usage =
        CgroupValues.readLong(
            dir, "memory.usage_in_bytes", CgroupV1MemoryParser::parseNumber, problems);
    OptionalLong maxUsage =
        CgroupValues.readLong(
            dir, "memory.max_usage_in_bytes", CgroupV1MemoryParser::parseNumber, problems);
    OptionalLong failcnt =
        CgroupValues.readLong(dir, "memory.failcnt", CgroupV1MemoryParser::parseNumber, problems);
    OptionalLong memswLimit =
        CgroupValues.readLong(
            dir, "memory.memsw.limit_in_bytes", CgroupV1MemoryParser::parseLimit, problems);
    OptionalLong memswUsage =
        CgroupValues.readLong(
            dir, "memory.memsw.usage_in_bytes", CgroupV1MemoryParser::parseNumber, problems);
    Optional<KeyedValues> stat =
        CgroupValues.read(dir, "memory.stat", CgroupV1MemoryParser::parseStat, problems);
    Optional<KeyedValues> oomControl =
        CgroupValues.read(
            dir, "memory.oom_control", CgroupV1MemoryParser::parseOomControl, problems);
    return new CgroupMemory(
        dir.cgroupPath(),
        1,
        limit,
        OptionalLong.empty(),
        usage,
        maxUsage,
        OptionalLong.empty(),
        OptionalLong.empty(),
        memswLimit,
        memswUsage,
        failcnt,
        stat,
        oomControl,
        Optional.empty(),
        Optional.empty(),
        CgroupPaths.decode(dir.cgroupPath()),
        CgroupValues.source(
            dir,
            "memory.limit_in_bytes",
            "memory.usage_in_bytes",
            "memory.oom_control",
            "memory.stat"));
  }
}
