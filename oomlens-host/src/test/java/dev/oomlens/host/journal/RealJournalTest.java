package dev.oomlens.host.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.oomlens.core.model.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs this machine's journalctl; skipped, with the reason printed, where there is none. */
@Timeout(90)
class RealJournalTest {
  private static final Pattern ISO_LINE =
      Pattern.compile(
          "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}[+-]\\d\\d:?\\d\\d \\S* ?kernel: .*");

  @Test
  void open_thisMachine_givesIsoKernelLinesOrSaysWhyNot() throws IOException {
    JournalReader reader = JournalReader.ofThisMachine();
    boolean present = reader.locate().isPresent();
    System.out.println(
        "RealJournalTest: "
            + (present
                ? "runs " + String.join(" ", reader.command())
                : "skipped: no journalctl on the PATH"));
    assumeTrue(present, "no journalctl on the PATH");

    long start = System.nanoTime();
    JournalLog log = reader.open();
    String text;
    try (InputStream in = log.stream()) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    List<String> lines = text.lines().toList();
    System.out.printf(
        "RealJournalTest: %d lines in %d ms, problems %s%n",
        lines.size(), Duration.ofNanos(System.nanoTime() - start).toMillis(), log.problems());

    if (lines.isEmpty()) {
      assertThat(log.problems())
          .singleElement()
          .extracting(Problem::message)
          .asString()
          .containsAnyOf("no systemd journal", "no kernel messages", "journalctl failed");
    } else {
      assertThat(lines).allMatch(l -> ISO_LINE.matcher(l).matches());
      assertThat(log.problems()).isEmpty();
    }
  }
}
