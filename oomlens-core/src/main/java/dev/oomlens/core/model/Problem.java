package dev.oomlens.core.model;

import static java.util.Objects.requireNonNull;

/**
 * Something an input held that could not be read as it should, with the line at fault. Readers
 * return these beside what they could read instead of failing, so one damaged report never hides
 * the good ones around it.
 *
 * @param line 1-based line number, or 0 when the fault concerns the input as a whole
 */
public record Problem(String file, long line, String message) {
  public Problem {
    requireNonNull(file, "file");
    requireNonNull(message, "message");
    if (line < 0) {
      throw new IllegalArgumentException("line=" + line);
    }
  }

  @Override
  public String toString() {
    return line == 0 ? file + ": " + message : file + ":" + line + ": " + message;
  }
}
