package dev.oomlens.core.kernel;

import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.model.TaskRow;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/*
 * The task table of dump_tasks()/dump_task() (mm/oom_kill.c). The header names the columns, and
 * the header is what decides how rows are read:
 *
 *   3.8-3.x   "[ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name"
 *   4.0-4.13  "[ pid ]   uid  tgid total_vm      rss nr_ptes nr_pmds swapents oom_score_adj name"
 *   4.14-4.18 "[ pid ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name"
 *   4.19-6.7  "Tasks state (memory values in pages):" then "[  pid  ]   uid  tgid total_vm ..."
 *   6.8+      "...      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name"
 *   pre-3.8   "[ pid ]   uid  tgid total_vm      rss cpu oom_adj oom_score_adj name"
 *
 * Rows are "[%5d] %5d %5d %8lu %8lu ... %5hd %s" (or "[%7d]"): a pid or uid wider than its field
 * pushes the columns right, so rows are split on white space, and the name, which may hold spaces,
 * is everything after the last numeric column.
 *
 * When the header is missing (a filtered or cut capture), the layout is guessed from the number of
 * numeric columns: 7 (nr_ptes or pgtables_bytes, told apart by pgtables_bytes being whole pages),
 * 8 (nr_ptes nr_pmds) or 10 (6.8+).
 *
 * Rows are most of the lines of a report (a host OOM prints one per process), so they are read by
 * hand, one pass over the characters with no regular expression, no stripped copy and no boxed
 * number: the regular expressions they replaced were the largest part of the ordered thread's time
 * and of the JIT's work on a large log. They read a row as the regular expressions did (the test
 * sources keep those, TaskTableRegexParser, and a property test holds the two to the same results),
 * with one difference on purpose: a name may hold any character, where "(.*)$" refused a row whose
 * name held a line terminator (CR, U+0085, U+2028, U+2029; a comm is any 15 bytes). The header,
 * one line per report, keeps its regular expression.
 */
final class TaskTableParser {
  private static final Pattern HEADER = Pattern.compile("^\\[\\s*pid\\s*\\]\\s+(.*)$");

  private TaskTableParser() {}

  /** The columns after the pid, as the header names them ({@code name} last). */
  record Layout(List<String> columns, int[] index) {
    Layout(List<String> columns) {
      this(List.copyOf(columns), indexes(columns));
    }

    int numericColumns() {
      return columns.size() - 1;
    }

    private static int[] indexes(List<String> columns) {
      int[] index = new int[COLUMNS.size()];
      for (int i = 0; i < index.length; i++) {
        index[i] = columns.indexOf(COLUMNS.get(i));
      }
      return index;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Layout l && l.columns.equals(columns);
    }

    @Override
    public int hashCode() {
      return columns.hashCode();
    }

    @Override
    public String toString() {
      return "Layout" + columns;
    }
  }

  /** The columns the model keeps, in the order of {@link Layout#index}. */
  private static final List<String> COLUMNS =
      List.of(
          "uid",
          "tgid",
          "total_vm",
          "rss",
          "rss_anon",
          "rss_file",
          "rss_shmem",
          "pgtables_bytes",
          "nr_ptes",
          "nr_pmds",
          "swapents",
          "oom_score_adj");

  /** What one row line came to. */
  sealed interface RowResult {}

  /** A row read whole. */
  record Parsed(Row row) implements RowResult {}

  /**
   * A row as printed: memory columns in pages, except {@code pgtablesBytes}; {@link #toTaskRow}
   * converts it once the report's page size is known.
   */
  record Row(
      long pid,
      OptionalLong uid,
      OptionalLong tgid,
      long totalVmPages,
      long rssPages,
      OptionalLong rssAnonPages,
      OptionalLong rssFilePages,
      OptionalLong rssShmemPages,
      OptionalLong pgtablesBytes,
      OptionalLong nrPtesPages,
      OptionalLong nrPmdsPages,
      OptionalLong swapents,
      int oomScoreAdj,
      String comm,
      SourceLine source) {

    TaskRow toTaskRow(long pageSizeBytes, UnaryOperator<String> names) {
      return new TaskRow(
          pid,
          uid,
          tgid,
          totalVmPages * pageSizeBytes,
          rssPages * pageSizeBytes,
          times(rssAnonPages, pageSizeBytes),
          times(rssFilePages, pageSizeBytes),
          times(rssShmemPages, pageSizeBytes),
          pgtablesBytes,
          times(nrPtesPages, pageSizeBytes),
          times(nrPmdsPages, pageSizeBytes),
          times(swapents, pageSizeBytes),
          oomScoreAdj,
          names.apply(comm),
          source);
    }

    private static OptionalLong times(OptionalLong pages, long pageSizeBytes) {
      return pages.isPresent() ? present(pages.getAsLong() * pageSizeBytes) : OptionalLong.empty();
    }
  }

  /** A row cut short (the name or trailing columns missing): nothing trustworthy in it. */
  record Cut() implements RowResult {}

  /** A row whose numbers do not parse, with what was expected. */
  record Malformed(String message) implements RowResult {}

  static boolean isTitle(String message) {
    return message.strip().startsWith("Tasks state (memory values in pages)");
  }

  /** The layout a header line announces; empty when the line is no task-table header. */
  static Optional<Layout> header(String message) {
    // Every row comes through here first: turn it away before any copy or regular expression.
    int from = stripStart(message);
    int i = skipSpaces(message, from + 1, message.length());
    if (from >= message.length() || message.charAt(from) != '[' || !message.startsWith("pid", i)) {
      return Optional.empty();
    }
    Matcher h = HEADER.matcher(message.strip());
    if (!h.matches()) {
      return Optional.empty();
    }
    List<String> columns = List.of(h.group(1).strip().split("\\s+"));
    if (columns.size() < 3 || !columns.getLast().equals("name")) {
      return Optional.empty();
    }
    return Optional.of(new Layout(columns));
  }

  /** True when the line looks like a row ({@code [ 123] ...}), whether or not it reads well. */
  static boolean looksLikeRow(String message) {
    Bracket b = bracket(message);
    // 3.x stack frames "[<ffffffff81720d86>] dump_stack+0x45/0x56" are bracketed too.
    return b != null
        && !(b.to - b.from == 3 && message.startsWith("pid", b.from))
        && message.charAt(b.from) != '<';
  }

  /**
   * Where the parts of {@code [ TOKEN] REST} lie in a stripped message: the token in the brackets,
   * {@code [from, to)}, and the rest after the white space that follows them, {@code [rest, end)}.
   */
  private record Bracket(int from, int to, int rest, int end) {}

  /** The bracketed start of a row, or null when the message has none. */
  private static Bracket bracket(String m) {
    int begin = stripStart(m);
    int end = stripEnd(m, begin);
    if (begin >= end || m.charAt(begin) != '[') {
      return null;
    }
    int from = skipSpaces(m, begin + 1, end);
    int tokenEnd = skipNonSpaces(m, from, end);
    // The token runs to the first white space and must end in the closing bracket.
    if (tokenEnd - from < 2 || m.charAt(tokenEnd - 1) != ']' || tokenEnd >= end) {
      return null;
    }
    return new Bracket(from, tokenEnd - 1, skipSpaces(m, tokenEnd, end), end);
  }

  /**
   * Reads a row by {@code layout}, or by a layout guessed from the row itself when no header was
   * seen.
   */
  static RowResult row(String message, Optional<Layout> layout, SourceLine source) {
    Bracket b = bracket(message);
    if (b == null) {
      return new Malformed("expected a task-table row \"[pid] uid tgid total_vm rss ... name\"");
    }
    if (!isNumber(message, b.from, b.to)) {
      return new Malformed(
          "expected a pid in the brackets of a task-table row, found \""
              + message.substring(b.from, b.to)
              + "\"");
    }
    boolean pidFits = fitsLong(message, b.from, b.to);
    long pid = pidFits ? parseLong(message, b.from, b.to) : 0;
    Layout lay = layout.orElse(null);
    int wanted = lay == null ? Integer.MAX_VALUE : lay.numericColumns();
    long[] numbers = new long[lay == null ? 12 : Math.max(1, wanted)];
    int count = 0;
    int lastEnd = b.rest;
    String firstBad = null;
    int pos = b.rest;
    while (count < wanted) {
      int t = skipSpaces(message, pos, b.end);
      if (t >= b.end) {
        break;
      }
      int tEnd = skipNonSpaces(message, t, b.end);
      if (!isNumber(message, t, tEnd) || !fitsLong(message, t, tEnd)) {
        firstBad = message.substring(t, tEnd);
        break;
      }
      if (count == numbers.length) {
        numbers = Arrays.copyOf(numbers, count * 2);
      }
      numbers[count++] = parseLong(message, t, tEnd);
      lastEnd = tEnd;
      pos = tEnd;
    }
    if (lay == null) {
      lay = guess(numbers, count).orElse(null);
      if (lay == null) {
        return new Malformed(
            "expected a task-table row with 7, 8 or 10 numeric columns before "
                + "the name, found "
                + count);
      }
      if (count > lay.numericColumns()) {
        count = lay.numericColumns();
        lastEnd = endOfToken(message, b.rest, b.end, count);
      }
      firstBad = null;
    }
    if (!pidFits) {
      return new Malformed("expected a pid in the brackets of a task-table row");
    }
    if (count < lay.numericColumns()) {
      if (firstBad != null) {
        return new Malformed(
            "expected "
                + lay.columns().get(count)
                + " (a number) in the task-table row, found \""
                + firstBad
                + "\"");
      }
      return new Cut();
    }
    int nameStart = lastEnd < b.end && message.charAt(lastEnd) == ' ' ? lastEnd + 1 : lastEnd;
    if (nameStart >= b.end) {
      return new Cut();
    }
    return build(
        pid, lay, Arrays.copyOf(numbers, count), message.substring(nameStart, b.end), source);
  }

  /** Where the {@code n}-th token (1-based) from {@code pos} ends. */
  private static int endOfToken(String m, int pos, int end, int n) {
    int at = pos;
    for (int i = 0; i < n; i++) {
      at = skipNonSpaces(m, skipSpaces(m, at, end), end);
    }
    return at;
  }

  /** {@code -?[0-9]+}, as the regular expression's {@code -?\\d+} reads it. */
  private static boolean isNumber(String m, int from, int to) {
    int i = from < to && m.charAt(from) == '-' ? from + 1 : from;
    if (i >= to) {
      return false;
    }
    for (; i < to; i++) {
      char c = m.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /** True when the number {@link #isNumber} accepted fits a long. */
  private static boolean fitsLong(String m, int from, int to) {
    int digits = m.charAt(from) == '-' ? to - from - 1 : to - from;
    if (digits <= 18) {
      return true;
    }
    // Rare: long digit runs (leading zeros, or too big) go the slow, exact way.
    try {
      Long.parseLong(m, from, to, 10);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** The number {@link #isNumber} accepted and {@link #fitsLong} let through. */
  private static long parseLong(String m, int from, int to) {
    if (to - from > 18) {
      return Long.parseLong(m, from, to, 10);
    }
    boolean negative = m.charAt(from) == '-';
    long v = 0;
    for (int i = negative ? from + 1 : from; i < to; i++) {
      v = v * 10 + (m.charAt(i) - '0');
    }
    return negative ? -v : v;
  }

  /** White space as the regular expressions' {@code \\s} meant it: {@code [ \\t\\n\\x0B\\f\\r]}. */
  private static boolean isSpace(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
  }

  private static int skipSpaces(String m, int i, int end) {
    while (i < end && isSpace(m.charAt(i))) {
      i++;
    }
    return i;
  }

  private static int skipNonSpaces(String m, int i, int end) {
    while (i < end && !isSpace(m.charAt(i))) {
      i++;
    }
    return i;
  }

  /** Where {@link String#strip} would start the message (a surrogate is never white space). */
  private static int stripStart(String m) {
    int i = 0;
    while (i < m.length() && Character.isWhitespace(m.charAt(i))) {
      i++;
    }
    return i;
  }

  private static int stripEnd(String m, int begin) {
    int e = m.length();
    while (e > begin && Character.isWhitespace(m.charAt(e - 1))) {
      e--;
    }
    return e;
  }

  private static Optional<Layout> guess(long[] numbers, int count) {
    return switch (count) {
      case 7 -> {
        long fifth = numbers[4];
        String col = fifth >= 4096 && fifth % 4096 == 0 ? "pgtables_bytes" : "nr_ptes";
        yield Optional.of(
            new Layout(
                List.of(
                    "uid", "tgid", "total_vm", "rss", col, "swapents", "oom_score_adj", "name")));
      }
      case 8 ->
          Optional.of(
              new Layout(
                  List.of(
                      "uid",
                      "tgid",
                      "total_vm",
                      "rss",
                      "nr_ptes",
                      "nr_pmds",
                      "swapents",
                      "oom_score_adj",
                      "name")));
      case 10 ->
          Optional.of(
              new Layout(
                  List.of(
                      "uid",
                      "tgid",
                      "total_vm",
                      "rss",
                      "rss_anon",
                      "rss_file",
                      "rss_shmem",
                      "pgtables_bytes",
                      "swapents",
                      "oom_score_adj",
                      "name")));
      default -> Optional.empty();
    };
  }

  private static RowResult build(
      long pid, Layout lay, long[] numbers, String name, SourceLine source) {
    OptionalLong totalVm = column(lay, numbers, 2);
    OptionalLong rss = column(lay, numbers, 3);
    OptionalLong adj = column(lay, numbers, 11);
    if (totalVm.isEmpty() || rss.isEmpty() || adj.isEmpty()) {
      return new Malformed("expected total_vm, rss and oom_score_adj columns in the task table");
    }
    long a = adj.getAsLong();
    if (a < Short.MIN_VALUE || a > Short.MAX_VALUE) {
      return new Malformed("expected an oom_score_adj between -1000 and 1000, found " + a);
    }
    return new Parsed(
        new Row(
            pid,
            column(lay, numbers, 0),
            column(lay, numbers, 1),
            totalVm.getAsLong(),
            rss.getAsLong(),
            column(lay, numbers, 4),
            column(lay, numbers, 5),
            column(lay, numbers, 6),
            column(lay, numbers, 7),
            column(lay, numbers, 8),
            column(lay, numbers, 9),
            column(lay, numbers, 10),
            (int) a,
            name,
            source));
  }

  /** The value of the {@code which}-th kept column ({@link #COLUMNS}), when the layout has it. */
  private static OptionalLong column(Layout lay, long[] numbers, int which) {
    int i = lay.index()[which];
    return i < 0 || i >= numbers.length ? OptionalLong.empty() : present(numbers[i]);
  }

  private static final OptionalLong ZERO = OptionalLong.of(0);

  /*
   * Every row of every report is kept until the rules have seen them all, and most rows print 0
   * for uid, swap entries or the rss split: one shared instance for 0 instead of one per column.
   */
  private static OptionalLong present(long value) {
    return value == 0 ? ZERO : OptionalLong.of(value);
  }
}
