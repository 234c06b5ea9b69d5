package dev.oomlens.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.model.SourceLine;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The hand-written task-table reader against the regular expressions it replaced
 * (TaskTableRegexParser), on generated rows and near-rows: the same layout, row, cut or message
 * wherever the regular expressions could read the line, and the name exactly as printed where they
 * could not (a name holding a line terminator). Seeded, so a failure names its case.
 */
class TaskTableParserPropertyTest {
  private static final SourceLine SRC = new SourceLine("t", 7, "row");

  private static final List<String> HEADERS =
      List.of(
          "[ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name",
          "[ pid ]   uid  tgid total_vm      rss nr_ptes nr_pmds swapents oom_score_adj name",
          "[ pid ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
          "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
          "[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes"
              + " swapents oom_score_adj name",
          "[ pid ]   uid  tgid total_vm      rss cpu oom_adj oom_score_adj name");

  /** Characters a comm may hold that trouble readers: terminators, controls, bidi, spaces. */
  private static final String ODD =
      "\r\n\u0085\u2028\u2029\u001b\t \u00a0\u001c\u202e\u200b" + "[]-0123456789<>()";

  private static final String LINE_TERMINATORS = "\n\r\u0085\u2028\u2029";

  @Test
  void handWrittenReaderAgreesWithTheRegularExpressions() {
    Random random = new Random(20261205);
    int compared = 0;
    for (int n = 0; n < 40_000; n++) {
      String header = HEADERS.get(random.nextInt(HEADERS.size()));
      boolean withHeader = random.nextInt(4) != 0;
      String line = line(random, header, randomName(random));
      if (hasTerminator(line)) {
        continue;
      }
      compared++;
      String at = "case " + n + ": " + visible(line);
      assertThat(TaskTableParser.header(line)).as(at).isEqualTo(TaskTableRegexParser.header(line));
      assertThat(TaskTableParser.looksLikeRow(line))
          .as(at)
          .isEqualTo(TaskTableRegexParser.looksLikeRow(line));
      Optional<TaskTableParser.Layout> layout =
          withHeader ? TaskTableParser.header(header) : Optional.empty();
      assertThat(TaskTableParser.row(line, layout, SRC))
          .as(at)
          .isEqualTo(TaskTableRegexParser.row(line, layout, SRC));
    }
    assertThat(compared).isGreaterThan(20_000);
  }

  @Test
  void aNameHoldingAnyCharacterIsReadAsPrinted() {
    Random random = new Random(85);
    int withTerminator = 0;
    for (int n = 0; n < 20_000; n++) {
      String header = HEADERS.get(random.nextInt(HEADERS.size()));
      Optional<TaskTableParser.Layout> layout = TaskTableParser.header(header);
      int columns = layout.orElseThrow().numericColumns();
      String name = randomName(random);
      StringBuilder row =
          new StringBuilder().append('[').append(random.nextInt(4_000_000)).append(']');
      List<Long> values = new ArrayList<>();
      for (int c = 0; c < columns; c++) {
        long v = c == columns - 1 ? random.nextInt(2001) - 1000 : random.nextLong(1L << 40);
        values.add(v);
        row.append(" ".repeat(1 + random.nextInt(3))).append(v);
      }
      String line = row.append(' ').append(name).toString();
      String at = "case " + n + ": " + visible(line);
      String printed = name.stripTrailing();
      TaskTableParser.RowResult r = TaskTableParser.row(line, layout, SRC);
      if (printed.isEmpty()) {
        assertThat(r).as(at).isInstanceOf(TaskTableParser.Cut.class);
        continue;
      }
      assertThat(TaskTableParser.looksLikeRow(line)).as(at).isTrue();
      assertThat(r).as(at).isInstanceOf(TaskTableParser.Parsed.class);
      TaskTableParser.Row parsed = ((TaskTableParser.Parsed) r).row();
      assertThat(parsed.comm()).as(at).isEqualTo(printed);
      assertThat(parsed.oomScoreAdj()).as(at).isEqualTo(values.getLast().intValue());
      if (hasTerminator(name)) {
        withTerminator++;
      }
    }
    assertThat(withTerminator).isGreaterThan(1_000);
  }

  /** A row, a near-row or a line of another kind, in the shapes reports and damage give. */
  private static String line(Random random, String header, String name) {
    return switch (random.nextInt(12)) {
      case 0 -> header;
      case 1 -> "[<ffffffff81720d86>] dump_stack+0x45/0x56";
      case 2 -> "Tasks state (memory values in pages):";
      case 3 -> randomText(random, 1 + random.nextInt(40));
      default -> {
        int columns = 6 + random.nextInt(6);
        StringBuilder b = new StringBuilder();
        b.append(pad(random))
            .append('[')
            .append(pad(random))
            .append(number(random))
            .append(random.nextInt(30) == 0 ? "" : "]");
        for (int c = 0; c < columns; c++) {
          b.append(random.nextInt(40) == 0 ? "\t" : " ".repeat(1 + random.nextInt(4)))
              .append(number(random));
        }
        yield b.append(random.nextInt(20) == 0 ? "" : " ")
            .append(name)
            .append(pad(random))
            .toString();
      }
    };
  }

  private static String number(Random random) {
    return switch (random.nextInt(20)) {
      case 0 -> "-" + random.nextInt(1001);
      case 1 -> "99999999999999999999";
      case 2 -> "-9223372036854775808";
      case 3 -> "000000000000000000000012";
      case 4 -> "12x";
      case 5 -> "-";
      case 6 -> "pid";
      case 7 -> "<ffff>";
      default -> Long.toString(random.nextLong(1L << (1 + random.nextInt(45))));
    };
  }

  private static String pad(Random random) {
    return switch (random.nextInt(8)) {
      case 0 -> " ";
      case 1 -> "\u2028";
      case 2 -> "\u001c";
      default -> "";
    };
  }

  private static String randomName(Random random) {
    return switch (random.nextInt(6)) {
      case 0 -> "";
      case 1 -> "kube-apiserver";
      case 2 -> Long.toString(random.nextInt(100_000));
      default -> randomText(random, 1 + random.nextInt(16));
    };
  }

  private static String randomText(Random random, int length) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < length; i++) {
      int kind = random.nextInt(10);
      if (kind < 4) {
        b.append(ODD.charAt(random.nextInt(ODD.length())));
      } else if (kind == 4) {
        b.appendCodePoint(0x1F600 + random.nextInt(40));
      } else {
        b.append((char) ('a' + random.nextInt(26)));
      }
    }
    return b.toString();
  }

  private static boolean hasTerminator(String s) {
    return s.chars().anyMatch(c -> LINE_TERMINATORS.indexOf(c) >= 0);
  }

  private static String visible(String s) {
    StringBuilder b = new StringBuilder();
    s.chars()
        .forEach(c -> b.append(c < 0x20 || c >= 0x7f ? String.format("\\u%04x", c) : (char) c));
    return b.toString();
  }
}
