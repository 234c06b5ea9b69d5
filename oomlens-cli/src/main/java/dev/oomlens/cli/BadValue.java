package dev.oomlens.cli;

import picocli.CommandLine.TypeConversionException;

/**
 * A value a converter refused, saying why about the value alone; the option's name is put in front
 * of it when it is printed ({@code oomlens: --year: 'abc' is not a year...}).
 */
final class BadValue extends TypeConversionException {
  private static final long serialVersionUID = 1L;

  BadValue(String message) {
    super(message);
  }
}
