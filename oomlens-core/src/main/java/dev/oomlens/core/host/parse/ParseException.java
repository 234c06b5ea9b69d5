package dev.oomlens.core.host.parse;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.model.Problem;

/**
 * A kernel file whose required content is missing or malformed, with the line at fault. Parsers
 * throw it instead of skipping what they cannot read; readers turn it into a {@link Problem}.
 */
public final class ParseException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String path;
  private final long line;
  private final String reason;

  /**
   * @param line 1-based line number, or 0 when the fault concerns the file as a whole (a required
   *     line that is not there)
   */
  public ParseException(String path, long line, String reason) {
    super(line == 0 ? path + ": " + reason : path + ":" + line + ": " + reason);
    this.path = requireNonNull(path, "path");
    this.line = Math.max(0, line);
    this.reason = requireNonNull(reason, "reason");
  }

  public String path() {
    return path;
  }

  public long line() {
    return line;
  }

  public String reason() {
    return reason;
  }

  /** The same fault as a {@link Problem}, for a reader's result. */
  public Problem toProblem() {
    return new Problem(path, line, reason);
  }
}
