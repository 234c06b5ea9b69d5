package dev.oomlens.host.kmsg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Reads this machine's own /dev/kmsg; skipped, with the reason printed, where it is unreadable. */
@Timeout(30)
class RealKmsgTest {
  private static final Pattern RECORD = Pattern.compile("^(\\d+),(\\d+),(\\d+),[^;]*;.*$");

  @BeforeAll
  static void deviceIsReadable() {
    String why = null;
    if (!Files.exists(KmsgReader.DEVICE)) {
      why = "/dev/kmsg does not exist";
    } else if (!Files.isReadable(KmsgReader.DEVICE)) {
      why = "/dev/kmsg is not readable by this user";
    }
    System.out.println(
        "RealKmsgTest: " + (why == null ? "runs against /dev/kmsg" : "skipped: " + why));
    assumeTrue(why == null, why);
  }

  private static String readAll(KmsgLog log) throws IOException {
    try (InputStream in = log.stream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void open_thisMachine_readsTheWholeRingBufferPromptly() throws IOException {
    long start = System.nanoTime();
    KmsgLog log = KmsgReader.ofThisMachine().open();
    String text = readAll(log);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    System.out.printf(
        "RealKmsgTest: %d records in %d ms (quiet period %d ms), end %s%n",
        log.recordsHandedOver(),
        took.toMillis(),
        KmsgReader.DEFAULT_QUIET_PERIOD.toMillis(),
        log.end().orElseThrow());

    assertThat(log.problems()).isEmpty();
    assertThat(log.end().orElseThrow()).isIn(KmsgLog.End.CAUGHT_UP, KmsgLog.End.PASSED_START);
    assertThat(took).isLessThan(Duration.ofSeconds(5));
    assertThat(log.recordsHandedOver()).isPositive();
    long previous = -1;
    long records = 0;
    for (String line : text.lines().toList()) {
      if (line.startsWith(" ")) {
        continue; // a dictionary line of the record before
      }
      Matcher m = RECORD.matcher(line);
      assertThat(m.matches()).as("record header of %s", line).isTrue();
      long seq = Long.parseLong(m.group(2));
      if (previous >= 0) {
        assertThat(seq).as("sequence after %d", previous).isEqualTo(previous + 1);
      }
      previous = seq;
      records++;
    }
    assertThat(records).isEqualTo(log.recordsHandedOver());
    assertThat(log.lastSequence()).hasValue(previous);
  }

  @Test
  void open_thisMachine_knowsTheEndWithoutWaitingForSilence() throws IOException {
    // Where the JDK can open the device without blocking (22 on): a quiet period far longer than
    // the time limit, so that a reader that had to wait for silence to find the end of the ring
    // buffer would stop at the time limit instead.
    assumeTrue(Runtime.version().feature() >= 22, "the JDK is older than 22");
    KmsgLog log =
        KmsgReader.ofThisMachine()
            .quietPeriod(Duration.ofMinutes(10))
            .timeLimit(Duration.ofSeconds(5))
            .open();
    readAll(log);

    assertThat(log.end().orElseThrow()).isIn(KmsgLog.End.CAUGHT_UP, KmsgLog.End.PASSED_START);
    assertThat(log.problems()).isEmpty();
    assertThat(log.recordsHandedOver()).isPositive();
  }

  @Test
  void afterSequence_lastOneRead_returnsOnlyNewerRecords() throws IOException {
    KmsgLog first = KmsgReader.ofThisMachine().open();
    readAll(first);
    long last = first.lastSequence().orElseThrow();

    long start = System.nanoTime();
    KmsgLog second = KmsgReader.ofThisMachine().afterSequence(last).open();
    String text = readAll(second);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    System.out.printf(
        "RealKmsgTest: re-read after seq %d: %d new records in %d ms%n",
        last, second.recordsHandedOver(), took.toMillis());

    List<Long> seqs =
        text.lines()
            .filter(l -> !l.startsWith(" "))
            .map(l -> KmsgLog.headerField(l.getBytes(StandardCharsets.US_ASCII), 1))
            .toList();
    assertThat(seqs).allSatisfy(seq -> assertThat(seq).isGreaterThan(last));
    assertThat(second.problems()).isEmpty();
    assertThat(took).isLessThan(Duration.ofSeconds(5));
  }
}
