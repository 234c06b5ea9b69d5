package dev.oomlens.core.kernel;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParallelFileScannerTest {
  @TempDir Path dir;

  private static final String[] TOKENS = {
    "oom",
    "ill",
    "failure",
    "x",
    "yz",
    "\n",
    "\n",
    "\n",
    "\r",
    "\u00e9",
    "\0",
    "oom-start",
    "oom-stop",
    "o",
    "0123456789abcdef0123456789abcdef",
    "\n\n",
    "f",
    "il",
    "l",
    "Kill",
    "will",
    "k",
    "failure: order",
    ": order",
    "vict",
    "vi",
    "nohang",
    "no",
    "kill",
    "ki",
    "oo",
    "fa"
  };

  private RecordingHandler parallel(byte[] input, int workers, int windowBytes, int maxLine) {
    try {
      Path file = Files.write(dir.resolve("in.log"), input);
      RecordingHandler handler = new RecordingHandler();
      ParallelFileScanner scanner = new ParallelFileScanner(handler, workers, windowBytes, maxLine);
      try (FileChannel channel = FileChannel.open(file)) {
        scanner.scan(channel);
      }
      handler.lines.add("end:" + scanner.lineNumber());
      return handler;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static RecordingHandler sequential(byte[] input, int maxLine) {
    RecordingHandler handler = new RecordingHandler();
    LineScanner scanner = new LineScanner(handler, maxLine);
    try {
      scanner.scan(new ByteArrayInputStream(input));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    handler.lines.add("end:" + scanner.lineNumber());
    return handler;
  }

  /**
   * Whatever the window, worker count and input, both scanners hand on the same lines, each with
   * the byte offset where it stands in the input.
   */
  @Test
  void scan_handsOnWhatTheSequentialScannerHandsOn() {
    qt().withExamples(1500)
        .forAll(
            lists().of(integers().between(0, TOKENS.length - 1)).ofSizeBetween(0, 200),
            integers().between(1, 3),
            integers().between(16, 40),
            integers().between(0, 64))
        .checkAssert(
            (tokens, workers, maxLine, extraWindow) -> {
              StringBuilder sb = new StringBuilder();
              tokens.forEach(i -> sb.append(TOKENS[i]));
              byte[] input = sb.toString().getBytes(UTF_8);
              RecordingHandler expected = sequential(input, maxLine);
              RecordingHandler actual =
                  parallel(input, workers, 2 * maxLine + extraWindow, maxLine);
              assertThat(actual.lines).isEqualTo(expected.lines);
              assertThat(actual.tooLong).isEqualTo(expected.tooLong);
              assertThat(actual.places).isEqualTo(expected.places);
              assertPlacesHoldTheLines(input, actual);
            });
  }

  /** Each line handed on is the bytes at its offset, of its length, in the input. */
  static void assertPlacesHoldTheLines(byte[] input, RecordingHandler handler) {
    for (int i = 0; i < handler.places.size(); i++) {
      String place = handler.places.get(i);
      int at = place.indexOf('@');
      int plus = place.indexOf('+');
      int offset = Integer.parseInt(place.substring(at + 1, plus));
      int length = Integer.parseInt(place.substring(plus + 1));
      String line = handler.lines.get(i);
      assertThat(place.substring(0, at) + ":" + new String(input, offset, length, UTF_8))
          .as("line %d of %s", i, handler.places)
          .isEqualTo(line);
    }
  }

  @Test
  void scan_findsAnchorsAcrossManyWindowsWithTwoWorkers() {
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= 5000; i++) {
      sb.append(i % 97 == 0 ? "[1.0] x invoked oom-killer: order=0\n" : "[1.0] eth0: link up\n");
    }
    byte[] input = sb.toString().getBytes(UTF_8);

    RecordingHandler actual = parallel(input, 2, 4096, 1024);

    assertThat(actual.lines).hasSize(5000 / 97 + 1);
    assertThat(actual.lines.get(0)).isEqualTo("97:[1.0] x invoked oom-killer: order=0");
    assertThat(actual.lines).last().isEqualTo("end:5001");
  }
}
