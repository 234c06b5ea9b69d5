package dev.oomlens.core.finding;

import java.util.Locale;

/** How much a finding matters, lowest first; {@code --fail-on} compares against it. */
public enum Severity {
  INFO,
  LOW,
  MEDIUM,
  HIGH,
  CRITICAL;

  /** The lower-case name used in JSON and on the command line. */
  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean atLeast(Severity other) {
    return compareTo(other) >= 0;
  }
}
