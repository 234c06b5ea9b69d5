package dev.oomlens.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The one-pass search for the kill lines' phrases against the three contains() it replaced, in
 * their order of precedence, on messages made of the phrases, their pieces and their near misses.
 * Seeded, so a failure names its case.
 */
class KillLineParserPropertyTest {
  private static final List<String> PIECES =
      List.of(
          "Killed process ",
          "Kill process ",
          "OOM victim ",
          "Killed",
          "Kill ",
          "Kill",
          "killed " + "process ",
          "OOM ",
          "OOM",
          "victim ",
          "process ",
          "K",
          "O",
          " ",
          "x",
          "é",
          "\u2028",
          "Out of memory: ",
          "Memory cgroup out of memory: ",
          "1234 (java)");

  @Test
  void killPhrase_agreesWithContainsInOrder() {
    Random random = new Random(1205);
    int[] seen = new int[4];
    for (int n = 0; n < 100_000; n++) {
      StringBuilder b = new StringBuilder();
      for (int k = random.nextInt(6); k >= 0; k--) {
        b.append(PIECES.get(random.nextInt(PIECES.size())));
      }
      String m = b.toString();
      int expected =
          m.contains("Killed process ")
              ? KillLineParser.PHRASE_KILLED
              : m.contains("Kill process ")
                  ? KillLineParser.PHRASE_KILL
                  : m.contains("OOM victim ")
                      ? KillLineParser.PHRASE_VICTIM
                      : KillLineParser.PHRASE_NONE;
      assertThat(KillLineParser.killPhrase(m)).as(m).isEqualTo(expected);
      seen[expected]++;
    }
    for (int count : seen) {
      assertThat(count).isGreaterThan(1_000);
    }
  }
}
