package dev.oomlens.cli;

import dev.oomlens.core.model.Quantity;
import picocli.CommandLine.ITypeConverter;

/**
 * Reads a size option as a Kubernetes quantity ({@code 512Mi}, {@code 4Gi}, {@code 4G}, plain
 * bytes) into bytes: the one size parser of every option.
 */
final class SizeConverter implements ITypeConverter<Long> {
  /** What every size option's help says about the values it takes. */
  static final String HELP =
      "Kubernetes quantities: Ki, Mi, Gi are powers of 1024, k, M, G of"
          + " 1000; plain numbers are bytes";

  @Override
  public Long convert(String value) {
    try {
      return Quantity.parseBytes(value);
    } catch (IllegalArgumentException e) {
      throw new BadValue(e.getMessage());
    }
  }
}
