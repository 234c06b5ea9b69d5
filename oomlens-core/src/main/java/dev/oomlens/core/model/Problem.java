package dev.oomlens.core.model;

import static java.util.Objects.requireNonNull;

/**
 * Something an input held that could not be read as it should, with the line at fault. Readers
 * return these beside what they could read instead of failing, so one damaged report never hides
 * the good ones around it.
 *
 * @param line 1-based line number, or 0 when the fault concerns the input as a whole
 * @param kind how much of the input the fault costs: a line, or the input's trustworthiness
 */
public record Problem(String file, long line, String message, Kind kind) {
  /** How far a problem reaches. */
  public enum Kind {
    /** One line (or one report) could not be read; the rest of the input stands. */
    LINE,
    /** The input could not be opened or read at all: nothing can be said about what it holds. */
    UNREADABLE,
    /**
     * The input is damaged (a compressed file cut short, a read that failed part-way): what was
     * read before stands, but what came after is unknown.
     */
    DAMAGED,
    /** The input is not a text log (a binary, a compressed format oomlens does not open). */
    NOT_TEXT;

    /** True when the input cannot be trusted to be whole: its absences prove nothing. */
    public boolean spoilsInput() {
      return this != LINE;
    }
  }

  public Problem {
    requireNonNull(file, "file");
    requireNonNull(message, "message");
    requireNonNull(kind, "kind");
    if (line < 0) {
      throw new IllegalArgumentException("line=" + line);
    }
  }

  /** A problem with one line (or report) of the input. */
  public Problem(String file, long line, String message) {
    this(file, line, message, Kind.LINE);
  }

  @Override
  public String toString() {
    return line == 0 ? file + ": " + message : file + ":" + line + ": " + message;
  }
}
