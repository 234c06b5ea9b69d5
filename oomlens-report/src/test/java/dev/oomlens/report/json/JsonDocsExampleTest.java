package dev.oomlens.report.json;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Keeps the example of {@code docs/json.md} equal to the golden file it was copied from. */
class JsonDocsExampleTest {
  private static final Path DOC = Path.of("..", "docs", "json.md");
  private static final String EXAMPLE = "015-jpaztech-aks-5.15-burstable-pod-cgv2.log.json";

  @Test
  void docsExample_isTheGoldenFile() throws Exception {
    String doc = Files.readString(DOC, UTF_8);
    int section = doc.indexOf("\n## Example\n");
    assertThat(section).as("an Example section in docs/json.md").isNotNegative();
    int start = doc.indexOf("```json\n", section) + "```json\n".length();
    int end = doc.indexOf("```\n", start);
    String example = doc.substring(start, end);
    String golden = Files.readString(JsonGoldenTest.GOLDEN.resolve(EXAMPLE), UTF_8);
    assertThat(example)
        .as("docs/json.md example; after -Dgolden.update=true, copy the golden file there")
        .isEqualTo(golden);
  }
}
