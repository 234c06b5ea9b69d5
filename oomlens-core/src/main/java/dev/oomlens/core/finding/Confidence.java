package dev.oomlens.core.finding;

import java.util.Locale;

/**
 * How sure an analyzer is: HIGH when the kernel printed the fact outright (a constraint, a kill
 * line), MEDIUM when it follows from numbers in the evidence, LOW when it is the likeliest of
 * several readings.
 */
public enum Confidence {
  LOW,
  MEDIUM,
  HIGH;

  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
