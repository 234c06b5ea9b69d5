package dev.oomlens.core.host;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.model.FileValue;
import dev.oomlens.core.model.SourceLine;

/** One row of {@code /proc/swaps}. */
public record SwapDevice(
    String filename, String type, long sizeKb, long usedKb, int priority, SourceLine source) {
  public SwapDevice {
    requireNonNull(filename, "filename");
    requireNonNull(type, "type");
    requireNonNull(source, "source");
  }

  /** This row as a citation: {@code /proc/swaps /dev/zram0: partition 1048572 524288 100}. */
  public FileValue cite() {
    return FileValue.of(source, filename);
  }

  public boolean isZram() {
    return filename.startsWith("/dev/zram");
  }
}
