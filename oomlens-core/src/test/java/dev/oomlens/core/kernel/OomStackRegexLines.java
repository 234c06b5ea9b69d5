package dev.oomlens.core.kernel;

import java.util.regex.Pattern;

/**
 * The stack-dump line test as it was, by regular expressions: the reference {@link OomStackLines}'
 * hand-written test is held to (OomStackLinesPropertyTest) and benchmarked beside (oomlens-bench's
 * ReportLineParsersBenchmark).
 */
final class OomStackRegexLines {
  private static final Pattern FRAME =
      Pattern.compile(
          "^(?:\\[<[0-9a-fA-F]+>\\] )?(?:\\? )?[\\w.$]+\\+0x[0-9a-fA-F]+/0x[0-9a-fA-F]+(?: \\[[\\w]+\\])?$",
          Pattern.DOTALL);
  private static final Pattern STACK_WORDS =
      Pattern.compile("^[0-9a-f]{8,16}(?:\\s+[0-9a-f]{8,16})*$");
  private static final Pattern REGISTERS =
      Pattern.compile(
          "^(?:[A-Z][A-Z0-9]{1,5}: *[0-9a-fA-F]|Code: |RIP: |pc : |lr : |sp : |pstate: |x\\d+ ?: )");
  private static final Pattern MARKER =
      Pattern.compile(
          "^(?:Call [Tt]race:|<(?:/?TASK|/?IRQ|/?NMI|/?SOFTIRQ|EOI)>|Backtrace:|Stack:|Modules linked in:.*)$",
          Pattern.DOTALL);

  private OomStackRegexLines() {}

  static boolean isStackLine(String message) {
    String m = message.strip();
    if (m.isEmpty()) {
      return false;
    }
    return MARKER.matcher(m).matches()
        || FRAME.matcher(m).matches()
        || REGISTERS.matcher(m).lookingAt()
        || STACK_WORDS.matcher(m).matches();
  }
}
