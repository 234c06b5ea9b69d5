package dev.oomlens.report.json;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.kernel.KernelLogReader;
import dev.oomlens.core.kernel.ReaderOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden tests: each real kernel log of the corpus, read by {@link KernelLogReader} and written by
 * {@link JsonReportWriter}, must give exactly {@code golden/<file>.json}.
 *
 * <p>Run with {@code -Dgolden.update=true} to rewrite the golden files after an intended change,
 * then read the diff.
 */
class JsonGoldenTest {
  /** The corpus lives with the reader's tests; paths are relative to this module's directory. */
  static final Path CORPUS = Path.of("..", "oomlens-core", "src", "test", "resources", "corpus");

  static final Path GOLDEN = Path.of("src", "test", "resources", "golden");

  /** Fixed, so that yearless syslog timestamps always get the same year. */
  static final ReaderOptions OPTIONS = new ReaderOptions(LocalDate.of(2026, 1, 1));

  static List<Path> corpus() throws IOException {
    try (Stream<Path> files = Files.list(CORPUS)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList();
    }
  }

  /** The JSON document oomlens writes for one corpus file, named by its file name only. */
  static String render(Path log) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = Files.newInputStream(log);
        JsonReportWriter writer = new JsonReportWriter(out, true)) {
      new KernelLogReader(OPTIONS).read(log.getFileName().toString(), in, writer);
    }
    return out.toString(UTF_8);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void render_matchesGolden(Path log) throws IOException {
    String actual = render(log);
    Path golden = GOLDEN.resolve(log.getFileName() + ".json");
    if (Boolean.getBoolean("golden.update")) {
      Files.createDirectories(GOLDEN);
      Files.writeString(golden, actual, UTF_8);
    }
    assertThat(golden).as("golden file (create it with -Dgolden.update=true)").exists();
    assertThat(actual).isEqualTo(Files.readString(golden, UTF_8));
  }
}
