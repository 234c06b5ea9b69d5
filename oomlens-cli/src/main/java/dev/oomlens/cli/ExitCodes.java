package dev.oomlens.cli;

/**
 * The exit codes of every oomlens command, defined once here and listed in {@code --help}.
 *
 * <p>They follow {@code sysexits.h} where one fits: 70 is {@code EX_SOFTWARE}.
 */
public final class ExitCodes {
  /** Ran; every input was read, and no finding was at or above {@code --fail-on}. */
  public static final int OK = 0;

  /** Ran and found a finding at or above {@code --fail-on}. */
  public static final int FINDINGS = 1;

  /** The command line was wrong: unknown option, missing argument, bad value. */
  public static final int USAGE = 2;

  /** An input could not be read or parsed (or the output could not be written). */
  public static final int INPUT = 3;

  /** A bug in oomlens (an unexpected exception), or the JVM ran out of memory. */
  public static final int INTERNAL = 70;

  // The "Exit codes:" lines of --help, as picocli's "key:description" (constants, so the
  // @Command annotation can use them).
  static final String OK_HELP =
      OK + ":Ran; every input was read; no finding at or above" + " --fail-on.";
  static final String FINDINGS_HELP =
      FINDINGS + ":Ran and found a finding at or above" + " --fail-on.";
  static final String USAGE_HELP =
      USAGE + ":Usage error: unknown option, missing argument, bad value.";
  static final String INPUT_HELP =
      INPUT
          + ":An input could not be read or parsed (the message"
          + " names the file and line), or the output could not be written.";
  static final String INTERNAL_HELP =
      INTERNAL + ":Internal error: a bug in oomlens (please report it), or out of memory.";

  static final String SAVED_HELP =
      OK
          + ":Saved the host's files and its kernel log; anything"
          + " else that could not be read is said on standard error and in the manifest.";
  static final String SAVE_INPUT_HELP =
      INPUT
          + ":The host's meminfo or its kernel log could not"
          + " be read (what could be was saved, and the manifest says what could not), or DIR could"
          + " not be written.";

  private ExitCodes() {}
}
