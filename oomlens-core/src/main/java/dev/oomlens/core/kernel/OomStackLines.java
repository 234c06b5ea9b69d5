package dev.oomlens.core.kernel;

import java.util.Set;

/*
 * The stack dump between the header and the memory sections of a report (lib/dump_stack.c,
 * arch/x86/kernel/dumpstack.c, arch/arm64/kernel/stacktrace.c): "Call Trace:" / "Call trace:",
 * 3.x raw stack words and "[<ffffffff816861ac>] dump_stack+0x19/0x1b" frames, 4.1x+ bare
 * "dump_stack+0x63/0x8b" frames (with "? " for unreliable ones and " [module]" suffixes),
 * "<TASK>"/"</TASK>"/"<IRQ>" markers, user registers ("RIP: 0033:0x...", "RAX: ... RBX: ...",
 * "Code: ..."), arm64 "pc : ", "lr : ", "x29: ..." lines.
 *
 * These lines carry nothing the report keeps, but they are the report's own: recognising them keeps
 * the "nothing recognised for 1000 lines" rule from closing a report in the middle of its stack.
 *
 * Read by hand, by the line's first character: every line of an open report that no other reader
 * took comes here. The readings are those of the patterns they replaced (kept in the test sources
 * as OomStackRegexLines, held to the same results by OomStackLinesPropertyTest).
 */
final class OomStackLines {
  private static final Set<String> MARKERS =
      Set.of(
          "Call Trace:",
          "Call trace:",
          "<TASK>",
          "</TASK>",
          "<IRQ>",
          "</IRQ>",
          "<NMI>",
          "</NMI>",
          "<SOFTIRQ>",
          "</SOFTIRQ>",
          "<EOI>",
          "Backtrace:",
          "Stack:");
  private static final String[] REGISTER_WORDS = {
    "Code: ", "RIP: ", "pc : ", "lr : ", "sp : ", "pstate: "
  };

  private OomStackLines() {}

  static boolean isStackLine(String message) {
    String m = message.strip();
    if (m.isEmpty()) {
      return false;
    }
    return isMarker(m) || isFrame(m) || isRegisters(m) || isStackWords(m);
  }

  /**
   * {@code "^(?:Call [Tt]race:|<(?:/?TASK|/?IRQ|/?NMI|/?SOFTIRQ|EOI)>|Backtrace:|Stack:|Modules
   * linked in:.*)$"}.
   */
  private static boolean isMarker(String m) {
    char c = m.charAt(0);
    if (c != 'C' && c != '<' && c != 'B' && c != 'S' && c != 'M') {
      return false;
    }
    return MARKERS.contains(m) || m.startsWith("Modules linked in:");
  }

  /**
   * {@code "^(?:\\[<[0-9a-fA-F]+>\\] )?(?:\\? )?[\\w.$]+\\+0x[0-9a-fA-F]+/0x[0-9a-fA-F]+(?:
   * \\[[\\w]+\\])?$"}.
   */
  private static boolean isFrame(String m) {
    int i = 0;
    if (m.startsWith("[<")) {
      int end = LineChars.hexEnd(m, 2);
      if (end == 2 || !m.startsWith(">] ", end)) {
        return false;
      }
      i = end + 3;
    }
    if (m.startsWith("? ", i)) {
      i += 2;
    }
    int symbolAt = i;
    while (i < m.length() && isSymbolChar(m.charAt(i))) {
      i++;
    }
    if (i == symbolAt || !m.startsWith("+0x", i)) {
      return false;
    }
    int offsetEnd = LineChars.hexEnd(m, i + 3);
    if (offsetEnd == i + 3 || !m.startsWith("/0x", offsetEnd)) {
      return false;
    }
    int sizeEnd = LineChars.hexEnd(m, offsetEnd + 3);
    if (sizeEnd == offsetEnd + 3) {
      return false;
    }
    if (sizeEnd == m.length()) {
      return true;
    }
    if (!m.startsWith(" [", sizeEnd) || !m.endsWith("]")) {
      return false;
    }
    int module = sizeEnd + 2;
    int moduleEnd = m.length() - 1;
    if (moduleEnd == module) {
      return false;
    }
    for (int k = module; k < moduleEnd; k++) {
      if (!LineChars.isWordChar(m.charAt(k))) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code "^(?:[A-Z][A-Z0-9]{1,5}: *[0-9a-fA-F]|Code: |RIP: |pc : |lr : |sp : |pstate: |x\\d+ ?:
   * )"} at the line's start.
   */
  private static boolean isRegisters(String m) {
    char c = m.charAt(0);
    if (c >= 'A' && c <= 'Z') {
      int end = 1;
      while (end < m.length() && end <= 6 && isUpperOrDigit(m.charAt(end))) {
        end++;
      }
      if (end >= 2 && end <= 6 && m.startsWith(":", end)) {
        int value = end + 1;
        while (value < m.length() && m.charAt(value) == ' ') {
          value++;
        }
        if (value < m.length() && LineChars.isHex(m.charAt(value))) {
          return true;
        }
      }
    }
    for (String word : REGISTER_WORDS) {
      if (m.startsWith(word)) {
        return true;
      }
    }
    if (c == 'x') {
      int end = LineChars.digitsEnd(m, 1);
      return end > 1 && (m.startsWith(": ", end) || m.startsWith(" : ", end));
    }
    return false;
  }

  /** {@code "^[0-9a-f]{8,16}(?:\\s+[0-9a-f]{8,16})*$"}. */
  private static boolean isStackWords(String m) {
    int i = 0;
    while (true) {
      int wordAt = i;
      while (i < m.length() && isLowerHex(m.charAt(i))) {
        i++;
      }
      int length = i - wordAt;
      if (length < 8 || length > 16) {
        return false;
      }
      if (i == m.length()) {
        return true;
      }
      int spaces = i;
      while (i < m.length() && LineChars.isSpace(m.charAt(i))) {
        i++;
      }
      if (i == spaces) {
        return false;
      }
    }
  }

  private static boolean isLowerHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  }

  private static boolean isUpperOrDigit(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }

  /** The characters of "[\\w.$]". */
  private static boolean isSymbolChar(char c) {
    return LineChars.isWordChar(c) || c == '.' || c == '$';
  }
}
