package dev.oomlens.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Pins the whole {@code --help} text of the calculators, as {@link HelpTest} does for the other
 * commands; {@code -Dgolden.update=true} rewrites the files.
 */
class CalculatorHelpTest {
  private static final Path GOLDEN = Path.of("src", "test", "resources", "golden");

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "help-kubevirt.txt, kubevirt --help",
    "help-jvm.txt, jvm --help",
  })
  void help_matchesGolden(String golden, String args) throws IOException {
    CliTest.Run r = CliTest.run(Arrays.stream(args.split(" ")).toArray(String[]::new));
    assertThat(r.code()).isZero();
    assertThat(r.err()).isEmpty();
    String actual = r.out().replace("\r\n", "\n");
    Path file = GOLDEN.resolve(golden);
    if (Boolean.getBoolean("golden.update")) {
      Files.createDirectories(GOLDEN);
      Files.writeString(file, actual, StandardCharsets.UTF_8);
      return;
    }
    assertThat(file).as("golden file (run with -Dgolden.update=true to create it)").exists();
    assertThat(actual).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
  }
}
