package dev.oomlens.cli;

/**
 * The exit codes of every oomlens command, defined once here and listed in {@code --help}.
 *
 * <p>They follow {@code sysexits.h} where one fits: 70 is {@code EX_SOFTWARE}.
 */
public final class ExitCodes {
  /** Ran; every input was read (findings, once they exist, were below {@code --fail-on}). */
  public static final int OK = 0;

  /**
   * Ran and found findings at or above {@code --fail-on}. Reserved for the rule engine: no command
   * returns it yet, and {@code --help} lists it once {@code --fail-on} exists.
   */
  public static final int FINDINGS = 1;

  /** The command line was wrong: unknown option, missing argument, bad value. */
  public static final int USAGE = 2;

  /** An input could not be read or parsed (or the output could not be written). */
  public static final int INPUT = 3;

  /** A bug in oomlens: an unexpected exception. */
  public static final int INTERNAL = 70;

  // The "Exit codes:" lines of --help, as picocli's "key:description" (constants, so the
  // @Command annotation can use them).
  static final String OK_HELP = OK + ":Ran; every input was read.";
  static final String USAGE_HELP =
      USAGE + ":Usage error: unknown option, missing argument, bad value.";
  static final String INPUT_HELP = INPUT + ":An input could not be read or parsed (the message"
      + " names the file and line), or the output could not be written.";
  static final String INTERNAL_HELP = INTERNAL + ":Internal error: a bug in oomlens; please"
      + " report it.";

  private ExitCodes() {}
}
