package dev.oomlens.report.escape;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import org.junit.jupiter.api.Test;

class EscapingWriterTest {
  private static String through(String... writes) throws IOException {
    StringWriter out = new StringWriter();
    try (EscapingWriter w = new EscapingWriter(out)) {
      for (String s : writes) {
        w.write(s);
      }
    }
    return out.toString();
  }

  @Test
  void write_terminalEscapesAndBidi_shownVisibly() throws IOException {
    assertThat(through("x\u001b[31mRED\u001b]0;t\u0007\u202eevil\u0000\t\r\u007f\u0085\u009b"))
        .isEqualTo(
            "x\\u{1b}[31mRED\\u{1b}]0;t\\u{7}\\u{202e}evil\\u{0}\\u{9}\\u{d}\\u{7f}"
                + "\\u{85}\\u{9b}");
    assertThat(through("\u061c\u200b\u200f\u2028\u2029\u2066\u2069\ufeff\u00ad"))
        .isEqualTo(
            "\\u{61c}\\u{200b}\\u{200f}\\u{2028}\\u{2029}\\u{2066}\\u{2069}\\u{feff}" + "\\u{ad}");
  }

  @Test
  void write_newlinesAndPrintableText_passUnchanged() throws IOException {
    String text = "Trigger: java (pid 1)\n  /system.slice/systemd\\x2dcoredump.slice é 日本 😀\n";
    assertThat(through(text)).isEqualTo(text);
  }

  @Test
  void write_surrogatePairs_keptWholeEvenAcrossWrites() throws IOException {
    assertThat(through("a\ud83d", "\ude00b")).isEqualTo("a😀b");
    // An invisible tag character is beyond the BMP: a pair that is hidden as a whole.
    assertThat(through("x\udb40\udc41y")).isEqualTo("x\\u{e0041}y");
    assertThat(through("lone \ud83d.", "\ude00")).isEqualTo("lone \\u{d83d}.\\u{de00}");
    assertThat(through("end \ud83d")).isEqualTo("end \\u{d83d}");
    assertThat(through("a\ud83d", "bc\n")).isEqualTo("a\\u{d83d}bc\n");
  }

  @Test
  void write_charsAndSingleCharacters_sameAsStrings() throws IOException {
    StringWriter out = new StringWriter();
    Writer w = new EscapingWriter(out);
    w.write("a\u001bb".toCharArray(), 1, 2);
    w.write('\u202e');
    w.write('\n');
    w.flush();
    assertThat(out).hasToString("\\u{1b}b\\u{202e}\n");
  }

  @Test
  void wrap_printWriter_escapesOnceAndReportsTheTargetsErrors() {
    StringWriter out = new StringWriter();
    PrintWriter target = new PrintWriter(out);
    PrintWriter shown = EscapingWriter.wrap(target);
    assertThat(EscapingWriter.wrap(shown)).isSameAs(shown);
    shown.println("\u001b[2J");
    assertThat(out).hasToString("\\u{1b}[2J" + System.lineSeparator());

    PrintWriter broken =
        new PrintWriter(
            new Writer() {
              @Override
              public void write(char[] buf, int off, int len) throws IOException {
                throw new IOException("disk full");
              }

              @Override
              public void flush() {}

              @Override
              public void close() {}
            });
    PrintWriter wrapped = EscapingWriter.wrap(broken);
    wrapped.print("x");
    assertThat(wrapped.checkError()).isTrue();
  }

  @Test
  void visible_everyHiddenCharacterIncludingNewline() {
    assertThat(Controls.visible("a\nb\u202ec")).isEqualTo("a\\u{a}b\\u{202e}c");
    String plain = "kubepods-burstable.slice";
    assertThat(Controls.visible(plain)).isSameAs(plain);
  }
}
