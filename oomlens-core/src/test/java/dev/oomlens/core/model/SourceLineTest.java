package dev.oomlens.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SourceLineTest {
  /** An origin that hands back one text whatever is asked, and counts nothing. */
  private record Fixed(String name, String text) implements SourceLine.Origin {
    @Override
    public String text(long offset, int length) {
      return text;
    }
  }

  private static int recordHash(String file, long line, String text) {
    return 31 * (31 * file.hashCode() + Long.hashCode(line)) + text.hashCode();
  }

  @Test
  void aCompactAndAWidePlaceKeepTheirNumberOffsetAndLength() {
    Fixed origin = new Fixed("big.log", "Out of memory: Killed process 1");
    long[][] cases = {
      {1, 0, 0},
      {Integer.MAX_VALUE, (1L << 40) - 1, (1 << 24) - 1},
      {Integer.MAX_VALUE + 1L, 5, 10},
      {3, 1L << 40, 10},
      {3, 5, 1 << 24},
    };
    for (long[] c : cases) {
      SourceLine a = new SourceLine(origin, c[0], c[1], (int) c[2], origin.text());
      SourceLine b = new SourceLine(origin, c[0], c[1], (int) c[2], origin.text());
      SourceLine other = new SourceLine(origin, c[0], c[1] + 1, (int) c[2], origin.text());
      assertThat(a.line()).isEqualTo(c[0]);
      assertThat(a.file()).isEqualTo("big.log");
      assertThat(a.text()).isEqualTo(origin.text());
      assertThat(a).isEqualTo(b).isNotEqualTo(other);
      assertThat(a.hashCode()).isEqualTo(recordHash("big.log", c[0], origin.text()));
    }
  }

  @Test
  void aLineWithItsTextEqualsTheSameLineKeptAsItsPlace() {
    String text = "[  12.5] Mem-Info: é";
    SourceLine kept = new SourceLine("k.log", 9, text);
    SourceLine placed =
        new SourceLine(
            new Fixed("k.log", text), 9, 100, text.getBytes(StandardCharsets.UTF_8).length, text);
    SourceLine wide = new SourceLine("k.log", 9, "\u4e2d " + text);
    assertThat(kept.text()).isEqualTo(text);
    assertThat(kept.line()).isEqualTo(9);
    assertThat(kept).isEqualTo(placed).hasSameHashCodeAs(placed);
    assertThat(kept.hashCode()).isEqualTo(recordHash("k.log", 9, text));
    assertThat(wide.text()).isEqualTo("\u4e2d " + text);
    assertThat(wide.hashCode()).isEqualTo(recordHash("k.log", 9, "\u4e2d " + text));
    assertThat(kept.describe()).isEqualTo("k.log:9: " + text);
  }
}
