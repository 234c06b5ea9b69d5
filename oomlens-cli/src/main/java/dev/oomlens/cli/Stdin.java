package dev.oomlens.cli;

import java.io.PrintWriter;
import java.util.List;

/** Standard input as an input: when it is a terminal, reading it waits for the user. */
final class Stdin {
  private Stdin() {}

  /**
   * Tells the user that {@code -} is about to wait for them, when it is among {@code files} and
   * standard input is a terminal: a command that silently waits looks hung.
   */
  static void sayWaitingIfTerminal(List<String> files, Environment env, PrintWriter err) {
    if (files.contains("-") && env.stdinIsTerminal().getAsBoolean()) {
      err.println(
          "oomlens: reading the kernel log from standard input (a terminal): paste it,"
              + " then press Ctrl-D; or give a file, or pipe one in: dmesg | oomlens diagnose -");
      err.flush();
    }
  }
}
