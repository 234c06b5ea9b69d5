package dev.oomlens.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Keeps the examples of {@code docs/commands/*.md} true: every {@code $ oomlens ...} line of a
 * {@code console} block is run, and what it prints (standard output, then standard error) must be
 * the lines that follow it; a following {@code $ echo $?} gives the exit code. Paths in the
 * examples are relative to the repository root.
 */
class CalculatorDocsTest {
  private static final Path DOCS = Path.of("..", "docs", "commands");

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"kubevirt.md", "jvm.md"})
  void examples_printWhatTheDocsShow(String page) throws IOException {
    List<String> lines = Files.readAllLines(DOCS.resolve(page), StandardCharsets.UTF_8);
    int examples = 0;
    boolean console = false;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.equals("```console")) {
        console = true;
        continue;
      }
      if (line.startsWith("```")) {
        console = false;
        continue;
      }
      if (!console || !line.startsWith("$ oomlens ")) {
        continue;
      }
      List<String> expected = new ArrayList<>();
      int j = i + 1;
      while (j < lines.size()
          && !lines.get(j).startsWith("$ ")
          && !lines.get(j).startsWith("```")) {
        expected.add(lines.get(j));
        j++;
      }
      int code = 0;
      if (j < lines.size() && lines.get(j).equals("$ echo $?")) {
        code = Integer.parseInt(lines.get(j + 1).strip());
      }
      String[] args = line.substring("$ oomlens ".length()).split(" ");
      for (int k = 0; k < args.length; k++) {
        if (args[k].startsWith("oomlens-core/")) {
          args[k] = "../" + args[k];
        }
      }
      CliTest.Run r = CliTest.run(args);
      String printed = (r.out() + r.err()).replace("../oomlens-core/", "oomlens-core/");
      assertThat(r.code()).as("%s: exit code of %s", page, line).isEqualTo(code);
      assertThat(printed)
          .as("%s: output of %s", page, line)
          .isEqualTo(String.join("\n", expected) + "\n");
      examples++;
    }
    assertThat(examples).as("examples in %s", page).isGreaterThanOrEqualTo(3);
  }
}
