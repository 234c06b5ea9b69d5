package dev.oomlens.report.markdown;

import dev.oomlens.report.escape.Controls;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** CommonMark building blocks that stay intact whatever text the evidence holds. */
public final class Markdown {
  private static final Pattern BACKTICKS = Pattern.compile("`+");

  private Markdown() {}

  /**
   * {@code text} as inline code, with a fence longer than any backtick run inside it; a line break
   * or another hidden character in it is shown in its visible form, so the span stays on its line.
   * Padded when CommonMark would otherwise read a backtick or strip a space at an end.
   */
  public static String code(String text) {
    String oneLine = Controls.visible(text);
    if (oneLine.isEmpty()) {
      // An empty span would be a lone run of backticks, which pairs with the next one.
      return "` `";
    }
    String fence = "`".repeat(longestRun(oneLine) + 1);
    boolean pad =
        oneLine.startsWith("`")
            || oneLine.endsWith("`")
            || (oneLine.startsWith(" ") && oneLine.endsWith(" ") && !oneLine.isBlank());
    return fence + (pad ? " " : "") + oneLine + (pad ? " " : "") + fence;
  }

  /** A fenced block; the fence is longer than any backtick run in the content. */
  public static String fenced(String language, String content) {
    String body = content.endsWith("\n") ? content : content + "\n";
    String fence = "`".repeat(Math.max(3, longestRun(body) + 1));
    return fence + language + "\n" + body + fence + "\n";
  }

  /** A fenced block of lines. */
  static String fenced(String language, List<String> lines) {
    return fenced(language, String.join("\n", lines));
  }

  /**
   * Text for a table cell: one line (a line break shown in its visible form), every pipe escaped,
   * inside code spans too, as GFM tables read {@code \|} before any inline markup.
   */
  public static String cell(String text) {
    return Controls.visible(text).replace("|", "\\|");
  }

  /**
   * Prose from the evidence: characters Markdown would read as markup ({@code * < [ ] \ ` ~ & $},
   * an underscore at the edge of a word, and a leading {@code # > - +}) are escaped, so a process
   * named {@code <defunct>} prints as it is and no name turns into HTML, an entity, a link,
   * emphasis or a list; a line break or another hidden character is shown in its visible form.
   * Underscores inside words (oom_score_adj) are left alone: CommonMark never reads them as
   * emphasis there, and escaping them would make the raw text hard to read.
   */
  public static String text(String text) {
    StringBuilder s = new StringBuilder(text.length() + 8);
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      int next = i + Character.charCount(c);
      if (Controls.isHidden(c)) {
        Controls.appendVisible(s, c);
      } else {
        if (c == '*'
            || c == '<'
            || c == '['
            || c == ']'
            || c == '\\'
            || c == '`'
            || c == '~'
            || c == '&'
            || c == '$'
            || (c == '_'
                && !(i > 0
                    && next < text.length()
                    && Character.isLetterOrDigit(text.codePointBefore(i))
                    && Character.isLetterOrDigit(text.codePointAt(next))))
            || ((c == '#' || c == '>' || c == '-' || c == '+') && i == 0)) {
          s.append('\\');
        }
        s.appendCodePoint(c);
      }
      i = next;
    }
    return s.toString();
  }

  /** A table row of already formatted cells. */
  public static String row(List<String> cells) {
    return "| " + String.join(" | ", cells) + " |\n";
  }

  /** The separator under a table's header. */
  public static String separator(int columns) {
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
