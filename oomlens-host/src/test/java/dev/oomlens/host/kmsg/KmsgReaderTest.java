package dev.oomlens.host.kmsg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.model.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(20)
class KmsgReaderTest {
  private static final Duration QUIET = Duration.ofMillis(100);

  private static KmsgReader reader(FakeDevice device, OptionalLong uptimeMicros) {
    return new KmsgReader(
        Path.of("/dev/kmsg"),
        path -> device,
        () -> uptimeMicros,
        QUIET,
        Duration.ofSeconds(10),
        -1);
  }

  private static KmsgReader reader(FakeDevice device) {
    return reader(device, OptionalLong.empty());
  }

  private static String readAll(KmsgLog log) throws IOException {
    try (InputStream in = log.stream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void open_blockingDevice_handsOverEveryRecordThenStopsWhenQuiet() throws IOException {
    FakeDevice device =
        FakeDevice.blockingAfter(
            "6,1,100,-;first\n",
            "4,2,200,-;second\n SUBSYSTEM=pci\n DEVICE=+pci:0000:00:01.0\n",
            "3,3,300,c;third\n");
    long start = System.nanoTime();
    KmsgLog log = reader(device).open();

    String text = readAll(log);

    assertThat(text)
        .isEqualTo(
            "6,1,100,-;first\n"
                + "4,2,200,-;second\n SUBSYSTEM=pci\n DEVICE=+pci:0000:00:01.0\n"
                + "3,3,300,c;third\n");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    assertThat(log.end()).contains(KmsgLog.End.CAUGHT_UP);
    assertThat(log.lastSequence()).hasValue(3);
    assertThat(log.recordsHandedOver()).isEqualTo(3);
    assertThat(log.problems()).isEmpty();
    assertThat(device.closed).isTrue();
  }

  @Test
  void open_recordWithoutNewline_getsOne() throws IOException {
    KmsgLog log = reader(FakeDevice.blockingAfter("6,1,100,-;a", "6,2,101,-;b")).open();

    assertThat(readAll(log)).isEqualTo("6,1,100,-;a\n6,2,101,-;b\n");
  }

  @Test
  void open_brokenPipe_skipsItAndReportsTheLostRecords() throws IOException {
    FakeDevice device =
        FakeDevice.blockingAfter(
            "6,1,100,-;a\n",
            "6,2,101,-;b\n",
            new IOException("Broken pipe"),
            "6,7,150,-;g\n",
            "6,8,151,-;h\n");
    KmsgLog log = reader(device).open();

    String text = readAll(log);

    assertThat(text).isEqualTo("6,1,100,-;a\n6,2,101,-;b\n6,7,150,-;g\n6,8,151,-;h\n");
    assertThat(log.recordsLost()).isEqualTo(4);
    assertThat(log.problems())
        .containsExactly(
            new Problem(
                "/dev/kmsg",
                3,
                "records 3..6 (4) were overwritten in the kernel's ring buffer before they could be read;"
                    + " a report among them may be incomplete"));
    assertThat(log.end()).contains(KmsgLog.End.CAUGHT_UP);
  }

  @Test
  void open_brokenPipeAtFirstRead_isNoLoss() throws IOException {
    KmsgLog log =
        reader(FakeDevice.blockingAfter(new IOException("Broken pipe"), "6,40,1,-;x\n")).open();

    assertThat(readAll(log)).isEqualTo("6,40,1,-;x\n");
    assertThat(log.problems()).isEmpty();
  }

  @Test
  void open_brokenPipeForever_isADeviceFailure() throws IOException {
    Object[] script = new Object[40];
    for (int i = 0; i < script.length; i++) {
      script[i] = new IOException("Broken pipe");
    }
    KmsgLog log = reader(FakeDevice.blockingAfter(script)).open();

    assertThat(readAll(log)).isEmpty();
    assertThat(log.end()).contains(KmsgLog.End.DEVICE_FAILED);
    assertThat(log.problems())
        .singleElement()
        .extracting(Problem::message)
        .isEqualTo("reading stopped, the device failed: Broken pipe");
  }

  @Test
  void afterSequence_skipsRecordsAlreadyRead() throws IOException {
    FakeDevice device =
        FakeDevice.blockingAfter(
            "6,4,100,-;d\n", "6,5,101,-;e\n", "6,6,102,-;f\n", "6,7,103,-;g\n");
    KmsgLog log = reader(device).afterSequence(5).open();

    assertThat(readAll(log)).isEqualTo("6,6,102,-;f\n6,7,103,-;g\n");
    assertThat(log.problems()).isEmpty();
    assertThat(log.lastSequence()).hasValue(7);
  }

  @Test
  void afterSequence_recordsOverwrittenSinceThen_areReported() throws IOException {
    KmsgLog log = reader(FakeDevice.blockingAfter("6,9,100,-;i\n")).afterSequence(5).open();

    assertThat(readAll(log)).isEqualTo("6,9,100,-;i\n");
    assertThat(log.recordsLost()).isEqualTo(3);
    assertThat(log.problems())
        .singleElement()
        .extracting(Problem::message)
        .asString()
        .startsWith("records 6..8 (3) were overwritten");
  }

  @Test
  void afterSequence_nothingNewer_givesAnEmptyStreamAndNoSequence() throws IOException {
    KmsgLog log =
        reader(FakeDevice.blockingAfter("6,4,100,-;d\n", "6,5,101,-;e\n")).afterSequence(5).open();

    assertThat(readAll(log)).isEmpty();
    assertThat(log.lastSequence()).isEmpty();
    assertThat(log.problems()).isEmpty();
  }

  @Test
  void open_floodStampedPastTheStart_stopsThere() throws IOException {
    AtomicLong seq = new AtomicLong(100);
    // One record per simulated millisecond, starting 1 s before the read began.
    FakeDevice device =
        FakeDevice.floodingAfter(
            () -> {
              long s = seq.incrementAndGet();
              return "6," + s + "," + (9_000_000 + (s - 100) * 1_000) + ",-;flood\n";
            });
    long start = System.nanoTime();
    KmsgLog log = reader(device, OptionalLong.of(10_000_000)).open();

    String text = readAll(log);

    assertThat(log.end()).contains(KmsgLog.End.PASSED_START);
    // Everything stamped up to the start plus the 2 s margin, nothing after it.
    assertThat(text.lines()).hasSize(3_000);
    assertThat(text.lines().reduce((a, b) -> b)).contains("6,3100,12000000,-;flood");
    assertThat(log.problems()).isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void timeLimit_floodWithoutStartTime_stopsAtTheLimitAndSaysSo() throws IOException {
    AtomicLong seq = new AtomicLong();
    FakeDevice device =
        FakeDevice.floodingAfter(
            () -> {
              long s = seq.incrementAndGet();
              return "6," + s + ",1,-;flood\n";
            });
    // A quiet period longer than the limit: on a loaded machine the flood's own thread can pause
    // for longer than the usual 100 ms, which would rightly read as the end of the buffer.
    KmsgLog log =
        reader(device).quietPeriod(Duration.ofSeconds(30)).timeLimit(Duration.ofMillis(300)).open();

    String text = readAll(log);

    assertThat(text).isNotEmpty();
    assertThat(log.end()).contains(KmsgLog.End.TIME_LIMIT);
    assertThat(log.problems())
        .singleElement()
        .extracting(Problem::message)
        .isEqualTo(
            "stopped reading after 300 ms while records kept arriving;"
                + " newer records were not read");
    assertThat(device.closed).isTrue();
  }

  @Test
  void open_deviceFailsMidway_keepsWhatWasReadAndSaysWhere() throws IOException {
    KmsgLog log =
        reader(
                FakeDevice.blockingAfter(
                    "6,1,100,-;a\n",
                    "6,2,101,-;b\n",
                    new IOException("Input/output error"),
                    "6,3,102,-;c\n"))
            .open();

    assertThat(readAll(log)).isEqualTo("6,1,100,-;a\n6,2,101,-;b\n");
    assertThat(log.end()).contains(KmsgLog.End.DEVICE_FAILED);
    assertThat(log.problems())
        .containsExactly(
            new Problem("/dev/kmsg", 3, "reading stopped, the device failed: Input/output error"));
  }

  @Test
  void close_fromAnotherThread_endsAWaitingRead() throws Exception {
    FakeDevice device = FakeDevice.blockingAfter("6,1,100,-;a\n");
    KmsgLog log =
        new KmsgReader(
                Path.of("/dev/kmsg"),
                path -> device,
                OptionalLong::empty,
                Duration.ofSeconds(30),
                Duration.ofSeconds(60),
                -1)
            .open();
    InputStream in = log.stream();
    assertThat(new String(in.readNBytes(12), StandardCharsets.UTF_8)).isEqualTo("6,1,100,-;a\n");
    Thread closer =
        Thread.ofPlatform()
            .start(
                () -> {
                  sleep(100);
                  log.close();
                });
    long start = System.nanoTime();

    int next = in.read();

    closer.join();
    assertThat(next).isEqualTo(-1);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(log.end()).contains(KmsgLog.End.CLOSED);
    assertThat(device.closed).isTrue();
  }

  @Test
  void open_missingDevice_givesAnEmptyStreamAndAProblem(@TempDir Path dir) throws IOException {
    Path missing = dir.resolve("kmsg");
    KmsgLog log = KmsgReader.of(missing, dir.resolve("uptime")).open();

    assertThat(readAll(log)).isEmpty();
    assertThat(log.end()).contains(KmsgLog.End.NOT_OPENED);
    assertThat(log.problems())
        .containsExactly(
            new Problem(
                missing.toString(),
                0,
                "cannot read " + missing + ": no such device; use --journal or pass a saved log"));
  }

  @Test
  void open_permissionDenied_saysToRunAsRoot() throws IOException {
    KmsgLog log =
        new KmsgReader(
                Path.of("/dev/kmsg"),
                path -> {
                  throw new AccessDeniedException(path.toString());
                },
                OptionalLong::empty,
                QUIET,
                Duration.ofSeconds(1),
                -1)
            .open();

    assertThat(readAll(log)).isEmpty();
    assertThat(log.problems())
        .extracting(Problem::toString)
        .containsExactly(
            "/dev/kmsg: cannot read /dev/kmsg: permission denied; run as root or use --journal or"
                + " pass a saved log");
  }

  @Test
  void openFailure_dmesgRestrict_namesTheSetting() {
    String message =
        KmsgReader.openFailure(
            "/dev/kmsg", new FileSystemException("/dev/kmsg", null, "Operation not permitted"));

    assertThat(message)
        .isEqualTo(
            "cannot read /dev/kmsg: operation not permitted"
                + " (kernel.dmesg_restrict=1 needs CAP_SYSLOG); run as root or use --journal or pass a"
                + " saved log");
  }

  @Test
  void headerField_wellFormedAndBrokenHeaders() {
    byte[] record = "6,1234,5678901,-;oom-kill:x,y;z\n".getBytes(StandardCharsets.US_ASCII);

    assertThat(KmsgLog.headerField(record, 0)).isEqualTo(6);
    assertThat(KmsgLog.headerField(record, 1)).isEqualTo(1234);
    assertThat(KmsgLog.headerField(record, 2)).isEqualTo(5678901);
    assertThat(KmsgLog.headerField(bytes("6,12;x,5\n"), 2)).isEqualTo(-1);
    assertThat(KmsgLog.headerField(bytes("6,1x,5,-;m\n"), 1)).isEqualTo(-1);
    assertThat(KmsgLog.headerField(bytes("no header at all\n"), 1)).isEqualTo(-1);
    assertThat(KmsgLog.headerField(bytes("6,,5,-;m\n"), 1)).isEqualTo(-1);
    assertThat(KmsgLog.headerField(bytes("6,99999999999999999999,5,-;m\n"), 1)).isEqualTo(-1);
  }

  @Test
  void readUptimeMicros_parsesTheFirstField(@TempDir Path dir) throws IOException {
    Path uptime = Files.writeString(dir.resolve("uptime"), "521.28 953.04\n");

    assertThat(KmsgReader.readUptimeMicros(uptime)).hasValue(521_280_000);
    assertThat(KmsgReader.readUptimeMicros(dir.resolve("missing"))).isEmpty();
    assertThat(KmsgReader.readUptimeMicros(Files.writeString(dir.resolve("bad"), "x y"))).isEmpty();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
