package dev.oomlens.core.host.parse;

import dev.oomlens.core.cgroup.CgroupPaths;
import dev.oomlens.core.host.CgroupMemory;
import dev.oomlens.core.host.KeyedValues;
import dev.oomlens.core.host.PressureStall;
import dev.oomlens.core.model.Problem;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/*
 * Follows Documentation/admin-guide/cgroup-v2.rst, "Memory Interface Files":
 *   memory.current, memory.peak (5.19+), memory.swap.current   one number, bytes
 *   memory.max, memory.high, memory.swap.max                   bytes, or "max" for no limit
 *   memory.stat        flat keyed, "anon 123" (bytes, except the event counters such as pgfault)
 *   memory.events      flat keyed: low high max oom oom_kill, oom_group_kill since 6.0; counts are
 *                      hierarchical (memory.events.local has the cgroup's own)
 *   memory.pressure    PSI format, see PressureParser
 *   memory.oom.group   "0" or "1" (4.19+): the OOM killer kills the whole cgroup
 * The root cgroup has none of the limit files. Checked on 6.1 (Debian 12 cloud) and 6.18.
 */

/** Parses the memory controller's files of one cgroup v2 directory. */
public final class CgroupV2MemoryParser {
  private CgroupV2MemoryParser() {}

  /** {@code memory.max}, {@code memory.high}, {@code memory.swap.max}: empty for {@code max}. */
  public static OptionalLong parseLimit(String text, String path) throws ParseException {
    String line = CgroupValues.single(text, path).trim();
    if (line.equals("max")) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(CgroupValues.number(text, path));
  }

  /** {@code memory.current}, {@code memory.peak}, {@code memory.swap.current}. */
  public static OptionalLong parseBytes(String text, String path) throws ParseException {
    return OptionalLong.of(CgroupValues.number(text, path));
  }

  /** {@code memory.stat}. */
  public static KeyedValues parseStat(String text, String path) throws ParseException {
    return KeyValueLines.parse(text, path);
  }

  /** {@code memory.events}. */
  public static KeyedValues parseEvents(String text, String path) throws ParseException {
    return KeyValueLines.parse(text, path);
  }

  /** {@code memory.oom.group}. */
  public static boolean parseOomGroup(String text, String path) throws ParseException {
    String v = CgroupValues.single(text, path).trim();
    return switch (v) {
      case "0" -> false;
      case "1" -> true;
      default -> throw new ParseException(path, 1, "expected 0 or 1, got '" + v + "'");
    };
  }

  /**
   * The cgroup the files describe. Never throws: a malformed file is added to {@code problems} and
   * its fields stay empty, so one bad file does not hide the rest.
   */
  public static CgroupMemory parse(CgroupFiles dir, List<Problem> problems) {
    OptionalLong limit =
        CgroupValues.readLong(dir, "memory.max", CgroupV2MemoryParser::parseLimit, problems);
    OptionalLong high =
        CgroupValues.readLong(dir, "memory.high", CgroupV2MemoryParser::parseLimit, problems);
    OptionalLong current =
        CgroupValues.readLong(dir, "memory.current", CgroupV2MemoryParser::parseBytes, problems);
    OptionalLong peak =
        CgroupValues.readLong(dir, "memory.peak", CgroupV2MemoryParser::parseBytes, problems);
    OptionalLong swapMax =
        CgroupValues.readLong(dir, "memory.swap.max", CgroupV2MemoryParser::parseLimit, problems);
    OptionalLong swapCurrent =
        CgroupValues.readLong(
            dir, "memory.swap.current", CgroupV2MemoryParser::parseBytes, problems);
    Optional<KeyedValues> stat =
        CgroupValues.read(dir, "memory.stat", CgroupV2MemoryParser::parseStat, problems);
    Optional<KeyedValues> events =
        CgroupValues.read(dir, "memory.events", CgroupV2MemoryParser::parseEvents, problems);
    Optional<PressureStall> pressure =
        CgroupValues.read(dir, "memory.pressure", PressureParser::parse, problems);
    Optional<Boolean> oomGroup =
        CgroupValues.read(dir, "memory.oom.group", CgroupV2MemoryParser::parseOomGroup, problems);
    return new CgroupMemory(
        dir.cgroupPath(),
        2,
        limit,
        high,
        current,
        peak,
        swapMax,
        swapCurrent,
        OptionalLong.empty(),
        OptionalLong.empty(),
        OptionalLong.empty(),
        stat,
        events,
        pressure,
        oomGroup,
        CgroupPaths.decode(dir.cgroupPath()),
        CgroupValues.source(dir, "memory.max", "memory.current", "memory.events", "memory.stat"));
  }
}
