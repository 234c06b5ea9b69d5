package dev.oomlens.report.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Compares output with a golden file under {@code src/test/resources/golden-text/}; {@code
 * -Dgolden.update=true} rewrites the file instead, for a reviewer to read in the diff.
 */
final class Golden {
  private static final Path DIR = Path.of("src", "test", "resources", "golden-text");

  private Golden() {}

  static void assertMatches(String name, String actual) {
    Path file = DIR.resolve(name);
    try {
      if (Boolean.getBoolean("golden.update")) {
        Files.createDirectories(DIR);
        Files.writeString(file, actual, StandardCharsets.UTF_8);
        return;
      }
      assertThat(file)
          .as("golden file %s (run with -Dgolden.update=true to create it)", file)
          .exists();
      String expected = Files.readString(file, StandardCharsets.UTF_8).replace("\r\n", "\n");
      assertThat(actual).isEqualTo(expected);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
