package dev.oomlens.core.kernel;

import dev.oomlens.core.kernel.TaskTableParser.Cut;
import dev.oomlens.core.kernel.TaskTableParser.Layout;
import dev.oomlens.core.kernel.TaskTableParser.Malformed;
import dev.oomlens.core.kernel.TaskTableParser.Parsed;
import dev.oomlens.core.kernel.TaskTableParser.Row;
import dev.oomlens.core.kernel.TaskTableParser.RowResult;
import dev.oomlens.core.model.SourceLine;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The task-table row reader as it was, by regular expressions: the reference {@link
 * TaskTableParser}'s hand-written reader is held to (TaskTableParserPropertyTest) and benchmarked
 * beside (oomlens-bench's TaskTableParserBenchmark). Kept as it was, including its refusal of a
 * name that holds a line terminator.
 */
final class TaskTableRegexParser {
  private static final Pattern HEADER = Pattern.compile("^\\[\\s*pid\\s*\\]\\s+(.*)$");
  private static final Pattern ROW = Pattern.compile("^\\[\\s*(\\S+)\\]\\s+(.*)$");
  private static final Pattern NUMBER = Pattern.compile("-?\\d+");
  private static final Pattern TOKEN = Pattern.compile("\\S+");

  private TaskTableRegexParser() {}

  /** The layout a header line announces; empty when the line is no task-table header. */
  static Optional<Layout> header(String message) {
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
    Matcher r = ROW.matcher(message.strip());
    // 3.x stack frames "[<ffffffff81720d86>] dump_stack+0x45/0x56" are bracketed too.
    return r.matches() && !r.group(1).equals("pid") && !r.group(1).startsWith("<");
  }

  /**
   * Reads a row by {@code layout}, or by a layout guessed from the row itself when no header was
   * seen.
   */
  static RowResult row(String message, Optional<Layout> layout, SourceLine source) {
    Matcher r = ROW.matcher(message.strip());
    if (!r.matches()) {
      return new Malformed("expected a task-table row \"[pid] uid tgid total_vm rss ... name\"");
    }
    if (!NUMBER.matcher(r.group(1)).matches()) {
      return new Malformed(
          "expected a pid in the brackets of a task-table row, found \"" + r.group(1) + "\"");
    }
    OptionalLong pid = KillLineParser.parseLong(r.group(1));
    String rest = r.group(2);
    List<Long> numbers = new ArrayList<>();
    List<Integer> ends = new ArrayList<>();
    Matcher token = TOKEN.matcher(rest);
    Layout lay = layout.orElse(null);
    int wanted = lay == null ? Integer.MAX_VALUE : lay.numericColumns();
    String firstBad = null;
    while (numbers.size() < wanted && token.find()) {
      String t = token.group();
      if (!NUMBER.matcher(t).matches()) {
        firstBad = t;
        break;
      }
      OptionalLong v = KillLineParser.parseLong(t);
      if (v.isEmpty()) {
        firstBad = t;
        break;
      }
      numbers.add(v.getAsLong());
      ends.add(token.end());
    }
    if (lay == null) {
      lay = guess(numbers).orElse(null);
      if (lay == null) {
        return new Malformed(
            "expected a task-table row with 7, 8 or 10 numeric columns before "
                + "the name, found "
                + numbers.size());
      }
      if (numbers.size() > lay.numericColumns()) {
        numbers = numbers.subList(0, lay.numericColumns());
        ends = ends.subList(0, lay.numericColumns());
      }
      firstBad = null;
    }
    if (pid.isEmpty()) {
      return new Malformed("expected a pid in the brackets of a task-table row");
    }
    if (numbers.size() < lay.numericColumns()) {
      if (firstBad != null) {
        return new Malformed(
            "expected "
                + lay.columns().get(numbers.size())
                + " (a number) in the task-table row, found \""
                + firstBad
                + "\"");
      }
      return new Cut();
    }
    int nameStart = ends.getLast();
    String name = rest.substring(nameStart);
    if (name.startsWith(" ")) {
      name = name.substring(1);
    }
    if (name.isEmpty()) {
      return new Cut();
    }
    return build(pid.getAsLong(), lay, numbers, name, source);
  }

  private static Optional<Layout> guess(List<Long> numbers) {
    return switch (numbers.size()) {
      case 7 -> {
        long fifth = numbers.get(4);
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
      long pid, Layout lay, List<Long> numbers, String name, SourceLine source) {
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

  /**
   * The value of the {@code which}-th kept column (TaskTableParser.COLUMNS), when the layout has
   * it.
   */
  private static OptionalLong column(Layout lay, List<Long> numbers, int which) {
    int i = lay.index()[which];
    return i < 0 || i >= numbers.size() ? OptionalLong.empty() : OptionalLong.of(numbers.get(i));
  }
}
