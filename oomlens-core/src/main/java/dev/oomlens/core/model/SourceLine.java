package dev.oomlens.core.model;

import static java.util.Objects.requireNonNull;

/**
 * One physical line of an input, as it stands in the file: the evidence a finding quotes.
 *
 * @param file the input's name as the user gave it ({@code -} for standard input)
 * @param line 1-based line number in that input
 * @param text the whole line, framing included, without its line terminator
 */
public record SourceLine(String file, long line, String text) implements Citation {
  public SourceLine {
    requireNonNull(file, "file");
    requireNonNull(text, "text");
    if (line < 1) {
      throw new IllegalArgumentException("line=" + line);
    }
  }

  @Override
  public String describe() {
    return file + ":" + line + ": " + text;
  }

  @Override
  public String toString() {
    return describe();
  }
}
