package dev.oomlens.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import dev.oomlens.core.model.Framing;
import dev.oomlens.core.model.LogLine;
import dev.oomlens.core.model.SourceLine;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Property tests of {@link LineFramer}: arbitrary text never makes it throw, and every message,
 * host and tag it hands out is cut from the line (after undoing the escapes the line's framing
 * defines), never made up.
 */
class LineFramerPropertyTest {

  /** Pieces of framings and escapes, so that random lines come close to real ones. */
  private static final List<String> FRAGMENTS =
      List.of(
          "[",
          "]",
          " ",
          "  ",
          "\t",
          "\0",
          "\r",
          "\n",
          "#012",
          "#011",
          "#01",
          "#",
          "\\x0a",
          "\\x09",
          "\\xc3\\xa9",
          "\\xff",
          "\\x",
          "\\xz",
          "\\",
          "0",
          "7",
          "12",
          "2024",
          ".",
          ",",
          ";",
          ":",
          "-",
          "c",
          "+",
          "<",
          ">",
          "<4>",
          "<13>1 ",
          "T",
          "C",
          "Z",
          "`",
          "- ",
          "=",
          "\"",
          "[ 123.456789]",
          "[16277.381314]",
          "[ T3106]",
          "[    C1]",
          "kernel:",
          "kernel",
          "systemd[1]:",
          "host",
          "Feb",
          "Dec",
          " 3 ",
          "17",
          "19:57:08",
          "2024-05-09T14:52:38",
          "+0000",
          "+00:00",
          ".123456",
          "Sun Nov 22 20:21:28 2026",
          "Aug",
          "\u6708",
          " 1\u6708",
          "kern  :warn  : ",
          "4,503,3981080995,-;",
          "6,1,2,c;",
          " SUBSYSTEM=acpi",
          "\uFEFF",
          "\uFFFD",
          "\u00e9",
          "x",
          "Out of memory: Killed process 1 (a)",
          "invoked oom-killer");

  private static final Pattern KMSG_ESCAPES = Pattern.compile("(?:\\\\x[0-9a-fA-F]{2})+");

  private static Gen<String> lines() {
    Gen<String> fragments =
        lists().of(Generate.pick(FRAGMENTS)).ofSizeBetween(0, 30).map(l -> String.join("", l));
    Gen<String> noise = strings().basicMultilingualPlaneAlphabet().ofLengthBetween(0, 80);
    Gen<String> ascii = strings().ascii().ofLengthBetween(0, 80);
    return fragments.mix(noise, 25).mix(ascii, 25);
  }

  private static Gen<List<String>> files() {
    return lists().of(lines()).ofSizeBetween(1, 12);
  }

  @Test
  void frame_randomLines_neverThrowAndNeverInventText() {
    qt().withExamples(3000)
        .forAll(files(), integers().between(1990, 2100))
        .checkAssert(LineFramerPropertyTest::checkFile);
  }

  private static void checkFile(List<String> lines, int year) {
    LineFramer framer = new LineFramer(new ReaderOptions(LocalDate.of(year, 6, 15)));
    for (int i = 0; i < lines.size(); i++) {
      String text = lines.get(i);
      SourceLine source = new SourceLine("random.log", i + 1, text);
      List<LogLine> out = new ArrayList<>();
      framer.frame(source, out::add);

      if (text.trim().isEmpty()) {
        assertThat(out).as("blank line %s", text).isEmpty();
      } else if (text.charAt(0) != ' ') {
        // only a kmsg dictionary line, which starts with a space, may vanish
        assertThat(out).as("line %s", text).isNotEmpty();
      }
      for (LogLine line : out) {
        assertThat(line.source()).isSameAs(source);
        assertDerived(line.message(), text);
        // a continuation line carries the host and tag of the record it continues
        String seen = String.join("\n", lines.subList(0, i + 1));
        line.host().ifPresent(h -> assertThat(seen).contains(h));
        line.tag().ifPresent(t -> assertThat(seen).contains(t));
        assertThat(line.message()).doesNotEndWith(" ").doesNotEndWith("\r").doesNotEndWith("\t");
        if (line.framing() == Framing.BARE && !line.continuation() && !text.contains("#01")) {
          assertThat(line.message()).isEqualTo(text.trim());
        }
      }
    }
  }

  private static void assertDerived(String message, String text) {
    String rsyslog = text.replace("#012", "\n").replace("#011", "\t");
    assertThat(
            text.contains(message)
                || rsyslog.contains(message)
                || kmsgUnescaped(text).contains(message))
        .as("message %s cut from %s", message, text)
        .isTrue();
  }

  /** The /dev/kmsg unescaping, written independently of the framer: runs of \xNN as UTF-8. */
  private static String kmsgUnescaped(String text) {
    Matcher m = KMSG_ESCAPES.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String run = m.group();
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      for (int i = 0; i < run.length(); i += 4) {
        bytes.write(Integer.parseInt(run.substring(i + 2, i + 4), 16));
      }
      m.appendReplacement(out, Matcher.quoteReplacement(bytes.toString(StandardCharsets.UTF_8)));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Framed trigger lines as syslog, dmesg and dmesg -T print them. */
  private static final List<String> FRAMED_TRIGGERS =
      List.of(
          "Dec 13 07:23:21 aks-node kernel: [36370.036951] stress-ng-vm invoked oom-killer:"
              + " gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=1000",
          "[ 8758.722811] a.out invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE),"
              + " order=0, oom_score_adj=0",
          "[Sat Apr 27 22:56:09 2019] stress invoked oom-killer: gfp_mask=0x14000c0(GFP_KERNEL),"
              + " nodemask=(null), order=0, oom_score_adj=939");

  /**
   * A framed line wrapped at any column of its message, as a terminal or a ticket does: the head
   * keeps its framing, and the tail is a line of the same record, with its host, when the copy
   * indented it, and a bare line when it did not. The reader puts a wrapped trigger back together
   * from these two shapes.
   */
  @Test
  void frame_framedLineWrappedAtAnyColumn_tailContinuesTheRecordOrIsBare() {
    qt().forAll(
            integers().between(0, FRAMED_TRIGGERS.size() - 1),
            integers().between(0, 1000),
            integers().between(0, 1))
        .checkAssert(
            (which, at, indent) -> {
              String text = FRAMED_TRIGGERS.get(which);
              int from = text.indexOf(" invoked") + 1;
              int column = from + at % (text.length() - from);
              String head = text.substring(0, column);
              String tail = (indent == 1 ? " " : "") + text.substring(column);
              LineFramer framer = new LineFramer(new ReaderOptions(LocalDate.of(2026, 6, 15)));
              List<LogLine> out = new ArrayList<>();
              framer.frame(new SourceLine("w.log", 1, head), out::add);
              framer.frame(new SourceLine("w.log", 2, tail), out::add);
              assertThat(out).hasSize(2);
              LogLine h = out.get(0);
              LogLine t = out.get(1);
              assertThat(h.framing()).isNotEqualTo(Framing.BARE);
              assertThat(t.message()).isEqualTo(tail.strip());
              if (Character.isWhitespace(tail.charAt(0))) {
                assertThat(t.continuation()).isTrue();
                assertThat(t.framing()).isEqualTo(h.framing());
                assertThat(t.host()).isEqualTo(h.host());
              } else {
                assertThat(t.framing()).isEqualTo(Framing.BARE);
                assertThat(t.host()).isEmpty();
              }
            });
  }

  @Test
  void frame_longRandomLines_neverThrow() {
    qt().withExamples(15)
        .forAll(lines(), integers().between(1_000, 20_000))
        .checkAssert(
            (piece, times) -> {
              // about 100 kB, built from a random piece so that escapes and brackets repeat
              String text =
                  piece.isEmpty()
                      ? "x".repeat(100_000 + times)
                      : piece.repeat((100_000 + times) / piece.length() + 1);
              checkFile(List.of("[    5.000001] x", text, " " + text), 2024);
            });
  }
}
