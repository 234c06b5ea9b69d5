package dev.oomlens.core.model;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/*
 * Kubernetes' quantity suffixes (k8s.io/apimachinery resource.Quantity): k, M, G, T, P, E are
 * powers of 1000, Ki, Mi, Gi, Ti, Pi, Ei powers of 1024, an exponent (1e9) is a power of ten, and a
 * plain number is bytes. Those are the sizes people paste from pod specs, and the ones oomlens
 * prints in its fixes, so every option reads them the same way. Two habits from elsewhere are taken
 * too because they are unambiguous: a trailing B after a suffix (4GiB, 4GB) and a fraction (1.5Gi).
 * What Kubernetes reads differently from what people usually mean is refused with the likely
 * intent: lowercase m is milli (512m is half a byte), and K, g, mi, gi are no suffix at all.
 */

/**
 * Reads sizes written as Kubernetes quantities ({@code 512Mi}, {@code 4G}, {@code 1.5Gi}) into
 * bytes.
 */
public final class Quantity {
  private static final Pattern QUANTITY =
      Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(?:[eE]([0-9]{1,2}))?\\s*([A-Za-z]*)");

  private Quantity() {}

  /**
   * The bytes {@code text} stands for.
   *
   * @throws IllegalArgumentException with a sentence for the user when it is not a size above zero,
   *     or is too large
   */
  public static long parseBytes(String text) {
    String value = text.strip();
    Matcher m = QUANTITY.matcher(value);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a size: give bytes, or a"
              + " number with a Kubernetes suffix, such as 512Mi, 4Gi or 4G");
    }
    BigDecimal scale = scale(text, m.group(3));
    if (m.group(2) != null) {
      if (!m.group(3).isEmpty()) {
        throw new IllegalArgumentException("'" + text + "' has both an exponent and a suffix");
      }
      scale = BigDecimal.TEN.pow(Integer.parseInt(m.group(2)));
    }
    BigDecimal bytes = new BigDecimal(m.group(1)).multiply(scale).setScale(0, RoundingMode.CEILING);
    if (bytes.signum() <= 0) {
      throw new IllegalArgumentException("'" + text + "' is not a size above zero");
    }
    if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new IllegalArgumentException("'" + text + "' is too large");
    }
    return bytes.longValueExact();
  }

  private static BigDecimal scale(String text, String suffix) {
    String unit =
        suffix.endsWith("B") && suffix.length() > 1
            ? suffix.substring(0, suffix.length() - 1)
            : suffix;
    return switch (unit) {
      case "" -> BigDecimal.ONE;
      case "k" -> BigDecimal.valueOf(1_000L);
      case "M" -> BigDecimal.valueOf(1_000_000L);
      case "G" -> BigDecimal.valueOf(1_000_000_000L);
      case "T" -> BigDecimal.valueOf(1_000_000_000_000L);
      case "P" -> BigDecimal.valueOf(1_000_000_000_000_000L);
      case "E" -> BigDecimal.valueOf(1_000_000_000_000_000_000L);
      case "Ki" -> BigDecimal.valueOf(1L << 10);
      case "Mi" -> BigDecimal.valueOf(1L << 20);
      case "Gi" -> BigDecimal.valueOf(1L << 30);
      case "Ti" -> BigDecimal.valueOf(1L << 40);
      case "Pi" -> BigDecimal.valueOf(1L << 50);
      case "Ei" -> BigDecimal.valueOf(1L << 60);
      default -> throw new IllegalArgumentException(unknown(text, suffix));
    };
  }

  private static String unknown(String text, String suffix) {
    String number = text.strip().substring(0, text.strip().length() - suffix.length()).strip();
    String lower = suffix.toLowerCase(Locale.ROOT);
    String hint;
    if (suffix.equals("m")) {
      hint = "in Kubernetes m is milli; for mebibytes write " + number + "Mi";
    } else if (suffix.equals("K") || suffix.equals("KB")) {
      hint = "Kubernetes writes kilo as k (1000) and kibi as Ki (1024)";
    } else if (lower.matches("[kmgtpe]i?b?")) {
      // The JVM's and ls' habits: k, m, g in any case mean powers of 1024.
      hint =
          "suffixes are Kubernetes': k, M, G, T (powers of 1000) and Ki, Mi, Gi, Ti (powers"
              + " of 1024); did you mean "
              + number
              + lower.substring(0, 1).toUpperCase(Locale.ROOT)
              + "i?";
    } else {
      hint =
          "suffixes are Kubernetes': k, M, G, T (powers of 1000) and Ki, Mi, Gi, Ti (powers"
              + " of 1024)";
    }
    return "'" + text + "' is not a size: " + hint;
  }

  /** {@code 768Mi}: bytes as a Kubernetes quantity in whole mebibytes, rounded up. */
  public static String mebibytes(long bytes) {
    return Math.ceilDiv(bytes, 1L << 20) + "Mi";
  }
}
