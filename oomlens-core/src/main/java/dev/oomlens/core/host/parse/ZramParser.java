package dev.oomlens.core.host.parse;

import dev.oomlens.core.host.ZramDevice;
import dev.oomlens.core.model.SourceLine;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/*
 * Follows Documentation/admin-guide/blockdev/zram.rst, "Stats":
 *   disksize        the uncompressed size of the device, in bytes (0 until configured)
 *   comp_algorithm  the algorithms the kernel offers with the one in use in brackets:
 *                   "lzo [lzo-rle] lz4 zstd"
 *   mm_stat         orig_data_size compr_data_size mem_used_total mem_limit mem_used_max
 *                   same_pages pages_compacted huge_pages [huge_pages_since], in bytes except
 *                   the page counts; the first five fields have been there since mm_stat was
 *                   added in 4.1, later kernels append more.
 * Older kernels (before 4.1) have one file per statistic instead of mm_stat; those are not read,
 * and the statistics stay empty. Checked on 6.1 (Debian 12 cloud) and 6.18.
 */

/** Parses the files of one zram device under {@code /sys/block/zramN}. */
public final class ZramParser {
  private ZramParser() {}

  /** The first five fields of {@code mm_stat}, in bytes. */
  public record MmStat(
      long origDataBytes,
      long comprDataBytes,
      long memUsedTotalBytes,
      long memLimitBytes,
      long memUsedMaxBytes,
      SourceLine source) {}

  /** {@code disksize}: one number, bytes. */
  public static long parseDiskSize(String text, String path) throws ParseException {
    List<String> f = TextLines.fields(firstLine(text, path));
    if (f.size() != 1) {
      throw new ParseException(path, 1, "expected one number");
    }
    long size = TextLines.number(f.get(0), path, 1, "disksize");
    if (size < 0) {
      throw new ParseException(path, 1, "disksize is negative: " + size);
    }
    return size;
  }

  /** {@code comp_algorithm}: the bracketed algorithm, or the only one listed. */
  public static Optional<String> parseAlgorithm(String text, String path) throws ParseException {
    List<String> f = TextLines.fields(firstLine(text, path));
    for (String a : f) {
      if (a.length() > 2 && a.startsWith("[") && a.endsWith("]")) {
        return Optional.of(a.substring(1, a.length() - 1));
      }
    }
    if (f.size() == 1 && !f.get(0).contains("[") && !f.get(0).contains("]")) {
      return Optional.of(f.get(0));
    }
    throw new ParseException(path, 1, "no algorithm in brackets");
  }

  /** {@code mm_stat}: at least five numbers. */
  public static MmStat parseMmStat(String text, String path) throws ParseException {
    String line = firstLine(text, path);
    List<String> f = TextLines.fields(line);
    if (f.size() < 5) {
      throw new ParseException(path, 1, "expected at least 5 fields, got " + f.size());
    }
    long[] v = new long[5];
    String[] names = {
      "orig_data_size", "compr_data_size", "mem_used_total", "mem_limit", "mem_used_max"
    };
    for (int i = 0; i < 5; i++) {
      v[i] = TextLines.number(f.get(i), path, 1, names[i]);
    }
    return new MmStat(v[0], v[1], v[2], v[3], v[4], new SourceLine(path, 1, line));
  }

  /**
   * One device from what its files gave; {@code mmStat} empty when the kernel has no mm_stat.
   *
   * @param source the line to cite for the device: mm_stat's, else disksize's
   */
  public static ZramDevice device(
      String name,
      long diskSizeBytes,
      Optional<String> algorithm,
      Optional<MmStat> mmStat,
      SourceLine source) {
    return new ZramDevice(
        name,
        diskSizeBytes,
        algorithm,
        mmStat.map(m -> OptionalLong.of(m.origDataBytes())).orElse(OptionalLong.empty()),
        mmStat.map(m -> OptionalLong.of(m.comprDataBytes())).orElse(OptionalLong.empty()),
        mmStat.map(m -> OptionalLong.of(m.memUsedTotalBytes())).orElse(OptionalLong.empty()),
        mmStat.map(m -> OptionalLong.of(m.memLimitBytes())).orElse(OptionalLong.empty()),
        mmStat.map(MmStat::source).orElse(source));
  }

  private static String firstLine(String text, String path) throws ParseException {
    List<String> lines = TextLines.of(text);
    if (lines.isEmpty() || lines.get(0).isBlank()) {
      throw new ParseException(path, lines.isEmpty() ? 0 : 1, "empty");
    }
    return lines.get(0);
  }
}
