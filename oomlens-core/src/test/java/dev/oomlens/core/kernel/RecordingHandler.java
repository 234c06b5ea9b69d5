package dev.oomlens.core.kernel;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

/** Records what a scanner hands on; wants every line between "oom-start" and "oom-stop". */
final class RecordingHandler implements LineScanner.Handler {
  final List<String> lines = new ArrayList<>();

  /** Where each line of {@link #lines} is: its number, byte offset and length in the input. */
  final List<String> places = new ArrayList<>();

  final List<Long> tooLong = new ArrayList<>();
  long lastSkippedTo = 1;
  boolean open;

  @Override
  public boolean wantsEveryLine() {
    return open;
  }

  @Override
  public void skippedTo(long lineNumber) {
    assertThat(lineNumber).isGreaterThanOrEqualTo(lastSkippedTo);
    lastSkippedTo = lineNumber;
  }

  @Override
  public void line(long lineNumber, long offset, byte[] buf, int start, int end) {
    String text = new String(buf, start, end - start, UTF_8);
    lines.add(lineNumber + ":" + text);
    places.add(lineNumber + "@" + offset + "+" + (end - start));
    if (text.contains("oom-start")) {
      open = true;
    } else if (text.contains("oom-stop")) {
      open = false;
    }
  }

  @Override
  public void lineTooLong(long lineNumber, int keptBytes) {
    tooLong.add(lineNumber);
  }
}
