package dev.oomlens.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.rules.RuleInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Every warning rule has its page and its row in docs/rules.md, saying what its metadata says. */
class WarningRulesDocTest {
  private static final Path ROOT = Path.of("..");

  @Test
  void everyWarningRule_hasItsPageAndItsRow() throws IOException {
    String index = Files.readString(ROOT.resolve("docs/rules.md"));
    for (RuleInfo r : Warnings.RULES) {
      assertThat(ROOT.resolve(r.docPath())).as(r.code()).exists();
      assertThat(Files.readString(ROOT.resolve(r.docPath()))).startsWith("# " + r.code() + ": ");
      assertThat(index)
          .contains(
              "| `"
                  + r.code()
                  + "` | "
                  + r.defaultSeverity().jsonName()
                  + " | "
                  + r.summary()
                  + " | ["
                  + r.code()
                  + "]("
                  + r.docPath().substring(5)
                  + ") |");
    }
  }
}
