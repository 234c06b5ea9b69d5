package dev.oomlens.report.markdown;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The example in {@code docs/postmortem.md} is the start of what the renderer writes for it; {@code
 * -Dgolden.update=true} rewrites it.
 */
class MarkdownDocsExampleTest {
  @Test
  void docsExample_isTheDraftOfCorpus015() throws IOException {
    Path file = Path.of("..", "docs", "postmortem.md");
    String doc = Files.readString(file, UTF_8);
    int start = doc.indexOf("````markdown\n");
    int end = doc.indexOf("````\n", start + 1);
    assertThat(start).isNotNegative();
    String example = doc.substring(start + "````markdown\n".length(), end);
    String draft =
        Evidence.of(
                Evidence.CORPUS.resolve("015-jpaztech-aks-5.15-burstable-pod-cgv2.log"),
                Optional.empty(),
                List.of())
            .markdown();
    if (Boolean.getBoolean("golden.update")) {
      String head = draft.substring(0, draft.indexOf("\n## Timeline"));
      Files.writeString(
          file,
          doc.substring(0, start + "````markdown\n".length()) + head + doc.substring(end),
          UTF_8);
      return;
    }
    assertThat(example).contains("## Root cause").contains("## Fix applied or proposed");
    assertThat(draft).startsWith(example + "\n## Timeline");
  }
}
