package dev.oomlens.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.host.paths.HostPaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Pins the whole {@code --help} text of each command in {@code src/test/resources/golden/}; {@code
 * -Dgolden.update=true} rewrites the files, for a reviewer to read in the diff.
 */
class HelpTest {
  private static final Path GOLDEN = Path.of("src", "test", "resources", "golden");

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "help-root.txt, --help",
    "help-diagnose.txt, diagnose --help",
    "help-k8s.txt, k8s --help",
    "help-doctor.txt, doctor --help",
    "help-snapshot.txt, snapshot --help",
    "help-watch.txt, watch --help",
    "help-history.txt, history --help",
    "help-size.txt, size --help",
    "help-verify.txt, verify --help",
  })
  void help_matchesGolden(String golden, String args) throws IOException {
    Environment env =
        new Environment(
            InputStream.nullInputStream(),
            Clock.systemUTC(),
            HostPaths.under(Path.of("help-reads-no-host")),
            CliTest.unreadable("k"),
            CliTest.unreadable("j"),
            CliTest.unreadable("u"));
    CliTest.Run r = CliTest.run(env, Arrays.stream(args.split(" ")).toArray(String[]::new));
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
