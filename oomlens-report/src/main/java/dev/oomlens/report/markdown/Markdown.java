package dev.oomlens.report.markdown;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** CommonMark building blocks that stay intact whatever text the evidence holds. */
final class Markdown {
  private static final Pattern BACKTICKS = Pattern.compile("`+");

  private Markdown() {}

  /** {@code text} as inline code, with a fence longer than any backtick run inside it. */
  static String code(String text) {
    String oneLine = text.replace('\n', ' ').replace('\r', ' ');
    String fence = "`".repeat(longestRun(oneLine) + 1);
    boolean pad = oneLine.startsWith("`") || oneLine.endsWith("`");
    return fence + (pad ? " " : "") + oneLine + (pad ? " " : "") + fence;
  }

  /** A fenced block; the fence is longer than any backtick run in the content. */
  static String fenced(String language, String content) {
    String body = content.endsWith("\n") ? content : content + "\n";
    String fence = "`".repeat(Math.max(3, longestRun(body) + 1));
    return fence + language + "\n" + body + fence + "\n";
  }

  /** A fenced block of lines. */
  static String fenced(String language, List<String> lines) {
    return fenced(language, String.join("\n", lines));
  }

  /** Text for a table cell: one line, pipes escaped. */
  static String cell(String text) {
    return text.replace("\r", "").replace("\n", " ").replace("|", "\\|");
  }

  /**
   * Prose from the evidence: characters Markdown would read as markup ({@code * < [ ] \ `} and a
   * leading {@code #} or {@code >}) are escaped, so a process named {@code <defunct>} prints as it
   * is. Underscores are left alone: inside words (oom_score_adj) CommonMark never reads them as
   * emphasis, and escaping them would make the raw text hard to read.
   */
  static String text(String text) {
    StringBuilder s = new StringBuilder(text.length() + 8);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '*' || c == '<' || c == '[' || c == ']' || c == '\\' || c == '`'
          || ((c == '#' || c == '>') && i == 0)) {
        s.append('\\');
      }
      s.append(c);
    }
    return s.toString();
  }

  /** A table row of already formatted cells. */
  static String row(List<String> cells) {
    return "| " + String.join(" | ", cells) + " |\n";
  }

  /** The separator under a table's header. */
  static String separator(int columns) {
    return "|" + "---|".repeat(columns) + "\n";
  }

  private static int longestRun(String s) {
    int longest = 0;
    Matcher m = BACKTICKS.matcher(s);
    while (m.find()) {
      longest = Math.max(longest, m.end() - m.start());
    }
    return longest;
  }
}
