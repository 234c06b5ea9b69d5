package dev.oomlens.core.model;

import static java.util.Objects.requireNonNull;

/** The span of lines of one input that an event was assembled from, both ends inclusive. */
public record SourceRange(String file, long firstLine, long lastLine) {
  public SourceRange {
    requireNonNull(file, "file");
    if (firstLine < 1 || lastLine < firstLine) {
      throw new IllegalArgumentException("lines " + firstLine + ".." + lastLine);
    }
  }
}
