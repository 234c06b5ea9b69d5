package dev.oomlens.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a size such as {@code 4G}, {@code 4096M}, {@code 4GiB} or {@code 4294967296} (bytes) into
 * bytes. K, M, G and T are powers of 1024, as VM sizes are given to QEMU, libvirt and KubeVirt.
 */
final class SizeConverter implements ITypeConverter<Long> {
  private static final Pattern SIZE =
      Pattern.compile("(\\d{1,15})(?:\\.(\\d{1,3}))?\\s*([KMGT]?)(?:I?B)?");

  @Override
  public Long convert(String value) {
    return parse(value);
  }

  static long parse(String value) {
    Matcher m = SIZE.matcher(value.strip().toUpperCase(Locale.ROOT));
    if (!m.matches() || (m.group(2) != null && m.group(3).isEmpty())) {
      throw new TypeConversionException("'" + value + "' is not a size: give a number with"
          + " K, M, G or T (powers of 1024), such as 4G or 4096M");
    }
    int shift = switch (m.group(3)) {
      case "K" -> 10;
      case "M" -> 20;
      case "G" -> 30;
      case "T" -> 40;
      default -> 0;
    };
    long whole = Long.parseLong(m.group(1));
    if (whole > (Long.MAX_VALUE >> shift) - 1) {
      throw new TypeConversionException("'" + value + "' is too large");
    }
    long bytes = whole << shift;
    if (m.group(2) != null) {
      String digits = m.group(2);
      bytes += (Long.parseLong(digits) << shift) / (long) Math.pow(10, digits.length());
    }
    if (bytes <= 0) {
      throw new TypeConversionException("'" + value + "' is not a size above zero");
    }
    return bytes;
  }
}
