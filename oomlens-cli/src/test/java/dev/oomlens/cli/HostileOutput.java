package dev.oomlens.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.oomlens.report.escape.Controls;
import java.util.List;

/*
 * The list of characters is written out here, not taken from the code under test: C0 but '\n',
 * DEL, C1, the bidi embeddings, overrides, isolates and marks, the zero-width characters, the line
 * and paragraph separators, the byte order mark and the tag characters.
 *
 * The Markdown checks read the draft the way a CommonMark renderer with GFM tables would, as far
 * as structure goes: fenced blocks open with three or more backticks and close with a line of at
 * least as many; outside them, a backslash escapes the next character, a run of backticks opens a
 * code span that the next run of the same length closes, and in a table row a pipe splits cells
 * unless a backslash stands right before it.
 */

/** Checks on what oomlens printed from a report whose names are hostile. */
final class HostileOutput {
  private HostileOutput() {}

  /** True for a character no terminal-bound output of oomlens may hold. */
  static boolean forbidden(int c) {
    return (c < 0x20 && c != '\n')
        || c == 0x7f
        || (c >= 0x80 && c <= 0x9f)
        || c == 0x061c
        || (c >= 0x200b && c <= 0x200f)
        || (c >= 0x202a && c <= 0x202e)
        || (c >= 0x2066 && c <= 0x2069)
        || c == 0x2028
        || c == 0x2029
        || c == 0xfeff
        || (c >= 0xe0000 && c <= 0xe007f);
  }

  /** Fails when {@code text} (named {@code what} in the message) holds a forbidden character. */
  static void assertNoHiddenCharacters(String what, String text) {
    text.codePoints()
        .filter(HostileOutput::forbidden)
        .findFirst()
        .ifPresent(
            c -> {
              int at = text.indexOf(Character.toString(c));
              // Shown visibly: the test's own report must not act on the terminal either.
              fail(
                  "%s holds U+%04X at %d: ...%s...",
                  what,
                  c,
                  at,
                  Controls.visible(
                      text.substring(Math.max(0, at - 60), Math.min(text.length(), at + 20))));
            });
  }

  /**
   * Fails when the Markdown's structure is broken: a fence left open, a table row with another
   * number of cells than its header, or a {@code <}, {@code [} or {@code &} outside code that no
   * backslash escapes (raw HTML, an autolink, a link, an entity such as {@code &#x202e;}).
   */
  static void assertMarkdownIntact(String markdown) {
    List<String> lines = markdown.lines().toList();
    int fence = 0;
    int columns = -1;
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n);
      String stripped = line.stripLeading();
      int ticks = run(stripped, 0, '`');
      if (fence > 0) {
        if (ticks >= fence && stripped.substring(ticks).isBlank()) {
          fence = 0;
        }
        continue;
      }
      if (ticks >= 3 && stripped.indexOf('`', ticks) < 0) {
        fence = ticks;
        columns = -1;
        continue;
      }
      if (line.startsWith("|")) {
        int cells = cells(line);
        if (columns < 0) {
          columns = cells;
        } else {
          assertThat(cells)
              .as("cells of line %d: %s (header has %d)", n + 1, line, columns)
              .isEqualTo(columns);
        }
      } else {
        columns = -1;
      }
      String outside = outsideCode(line);
      for (int i = 0; i < outside.length(); i++) {
        char c = outside.charAt(i);
        if (c == '\\') {
          i++;
        } else if (c == '<' || c == '[' || c == '&') {
          fail("unescaped %s outside code in line %d: %s", c, n + 1, line);
        }
      }
    }
    assertThat(fence).as("a fenced block is still open at the end").isZero();
  }

  /** The cells of a table row: pipes without a backslash right before them, less the edges. */
  private static int cells(String row) {
    int pipes = 0;
    for (int i = 0; i < row.length(); i++) {
      if (row.charAt(i) == '|' && (i == 0 || row.charAt(i - 1) != '\\')) {
        pipes++;
      }
    }
    return pipes - 1;
  }

  /** {@code line} with its code spans (and their fences) left out. */
  private static String outsideCode(String line) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < line.length()) {
      char c = line.charAt(i);
      if (c == '\\' && i + 1 < line.length()) {
        out.append(c).append(line.charAt(i + 1));
        i += 2;
      } else if (c == '`') {
        int length = run(line, i, '`');
        int close = closing(line, i + length, length);
        if (close < 0) {
          out.append(line, i, i + length);
          i += length;
        } else {
          i = close + length;
        }
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  /** Where the next run of exactly {@code length} backticks starts at or after {@code from}. */
  private static int closing(String line, int from, int length) {
    int i = from;
    while (i < line.length()) {
      if (line.charAt(i) == '`') {
        int r = run(line, i, '`');
        if (r == length) {
          return i;
        }
        i += r;
      } else {
        i++;
      }
    }
    return -1;
  }

  private static int run(String s, int from, char c) {
    int i = from;
    while (i < s.length() && s.charAt(i) == c) {
      i++;
    }
    return i - from;
  }

  /** The tags the HTML renderer writes; a name from the input must never add another. */
  private static final java.util.Set<String> HTML_TAGS =
      java.util.Set.of(
          "!DOCTYPE",
          "html",
          "head",
          "meta",
          "title",
          "style",
          "body",
          "h1",
          "h2",
          "h3",
          "p",
          "ol",
          "ul",
          "li",
          "div",
          "pre",
          "b",
          "table",
          "tr",
          "th",
          "td",
          "code",
          "svg",
          "path",
          "line",
          "text");

  /**
   * Fails when the HTML holds a tag the renderer does not write (an {@code <img>} or {@code
   * <script>} from a name), an {@code &} that starts no entity the renderer writes, or an attribute
   * value broken open by a quote.
   */
  static void assertHtmlIntact(String html) {
    java.util.regex.Matcher tag =
        java.util.regex.Pattern.compile("</?([!A-Za-z][A-Za-z0-9]*)").matcher(html);
    while (tag.find()) {
      assertThat(HTML_TAGS)
          .as(
              "tag at %d: %s",
              tag.start(),
              Controls.visible(
                  html.substring(tag.start(), Math.min(html.length(), tag.start() + 40))))
          .contains(tag.group(1));
    }
    java.util.regex.Matcher amp =
        java.util.regex.Pattern.compile("&(?!(lt|gt|amp|quot|#39);)").matcher(html);
    assertThat(amp.find()).as("a bare & in the HTML").isFalse();
    assertThat(html).doesNotContainPattern("<[a-z0-9]+ [^>]*\\s(on[a-z]+|src|href)=");
  }
}
