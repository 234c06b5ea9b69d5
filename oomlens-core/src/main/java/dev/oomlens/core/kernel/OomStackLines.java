package dev.oomlens.core.kernel;

import java.util.regex.Pattern;

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
 */
final class OomStackLines {
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

  private OomStackLines() {}

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
