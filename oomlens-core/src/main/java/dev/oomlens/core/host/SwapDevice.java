package dev.oomlens.core.host;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.model.SourceLine;

/** One row of {@code /proc/swaps}. */
public record SwapDevice(String filename, String type, long sizeKb, long usedKb, int priority,
    SourceLine source) {
  public SwapDevice {
    requireNonNull(filename, "filename");
    requireNonNull(type, "type");
    requireNonNull(source, "source");
  }

  public boolean isZram() {
    return filename.startsWith("/dev/zram");
  }
}
