package dev.oomlens.core.rules;

import java.util.regex.Pattern;

/*
 * Fix snippets are pasted into a shell by the operator, and the names in them (a unit, a
 * container ID, a cgroup path) come from a log that anyone able to name a process or a cgroup can
 * shape: a unit named "x;reboot.service" must reach systemctl as one word, not run a command. A
 * name made only of characters a shell never reads specially is left as it is, so the usual
 * snippet stays as people type it; anything else is single-quoted, with single quotes inside
 * written as '\''.
 */

/** Quotes names taken from the evidence for the shell commands of fix snippets. */
public final class Shell {
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9@%+=:,./_-]+");

  private Shell() {}

  /** {@code word} as one shell word: unchanged when plain, else single-quoted. */
  public static String quote(String word) {
    if (PLAIN.matcher(word).matches()) {
      return word;
    }
    return "'" + word.replace("'", "'\\''") + "'";
  }
}
