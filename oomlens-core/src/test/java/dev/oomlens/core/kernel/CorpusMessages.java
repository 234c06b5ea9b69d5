package dev.oomlens.core.kernel;

import dev.oomlens.core.model.LogLine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Every line of the real reports under {@code corpus/}, as printed and with its framing removed:
 * the lines the hand-written readers are held to their regular expressions on.
 */
final class CorpusMessages {
  private CorpusMessages() {}

  static List<String> all() {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files =
        Files.list(Path.of(CorpusMessages.class.getResource("/corpus").toURI()))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
        String name = file.getFileName().toString();
        String text = ReportTestLines.resource("corpus/" + name);
        out.addAll(List.of(text.split("\n", -1)));
        for (LogLine line : ReportTestLines.unframed(name, text)) {
          out.add(line.message());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }
}
