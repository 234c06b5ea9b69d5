package dev.oomlens.core.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.model.SourceLine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine over every real report file we have: each finding cites lines that exist, as they
 * stand. (What fires where is the confusion table of docs/rules.md, kept by the CLI's
 * ConfusionTableTest.)
 */
class RealReportsTest {
  static Stream<String> inputs() {
    return RealInputs.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inputs")
  void run_realReport_everyCitedLineExistsAsQuoted(String name) throws IOException {
    List<String> lines = physicalLines(RealInputs.RESOURCES.resolve(name));
    List<Finding> findings = new RuleEngine().run(RealInputs.evidence(name));
    for (Finding f : findings) {
      assertThat(f.code()).isNotEqualTo(RuleEngine.ENGINE_ERROR);
      for (SourceLine l : f.logLines()) {
        assertThat(l.file()).as(f.code()).isEqualTo(name);
        assertThat(l.line())
            .as(f.code() + " cites line " + l.line())
            .isBetween(1L, (long) lines.size());
        assertThat(l.text())
            .as(f.code() + " line " + l.line())
            .isEqualTo(lines.get((int) l.line() - 1));
      }
    }
  }

  private static List<String> physicalLines(Path file) throws IOException {
    String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    List<String> out = new java.util.ArrayList<>(List.of(text.split("\n", -1)));
    if (!out.isEmpty() && out.getLast().isEmpty()) {
      out.removeLast();
    }
    out.replaceAll(l -> l.endsWith("\r") ? l.substring(0, l.length() - 1) : l);
    return out;
  }
}
