package dev.oomlens.host.kmsg;

/*
 * Reads /dev/kmsg as Documentation/ABI/testing/dev-kmsg describes it (checked on 6.18):
 *
 * - Each read() returns exactly one record, "prio,seq,usec,flags;message\n" followed by zero or
 *   more dictionary lines " KEY=value\n". The buffer must hold a whole record or read() fails with
 *   EINVAL; records are at most 8 KiB (CONSOLE_EXT_LOG_MAX), so 16 KiB always suffices.
 * - A new open file starts at the oldest record still in the ring buffer. When the writer
 *   overwrites records this file has not read yet, the next read() fails once with EPIPE and the
 *   one after returns the oldest record left: the sequence numbers show how many were lost.
 * - At the end, read() blocks until the kernel logs again, or, opened with O_NONBLOCK, fails
 *   with EAGAIN. Java's own files cannot be opened with O_NONBLOCK: on JDK 22 and newer the
 *   device is opened through the C library (NonBlockingDevice), and EAGAIN ends the read at
 *   once. Elsewhere a reader thread reads through a FileChannel, and the consumer decides the end
 *   has come when no record arrived for a quiet period. Either way the read also ends when a
 *   record is stamped well after the moment reading began (then everything older has been read,
 *   even if the kernel never stops logging); the consumer closes the device, which wakes a
 *   blocked read (FileChannel reads are interruptible).
 * - Opening needs CAP_SYSLOG when kernel.dmesg_restrict=1 (EPERM), and read permission on the
 *   device node (EACCES).
 *
 * Record timestamps come from local_clock(), /proc/uptime from the boot-time clock, which also
 * counts suspend: after a suspend the records lag /proc/uptime, so the start-time rule only ever
 * stops later, never earlier, and the quiet period and the time limit still bound the read.
 */

import dev.oomlens.core.model.Problem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * Reads this machine's kernel ring buffer, {@code /dev/kmsg}, from its oldest record up to the
 * present, and hands the records over as lines in the {@code /dev/kmsg} record format ({@code
 * prio,seq,usec,flags;message} plus dictionary lines starting with a space).
 *
 * <p>It never blocks for good and never throws: the read stops once the records stop arriving (a
 * quiet period), once a record stamped after the start of the read arrives, or at a time limit; a
 * device that cannot be read gives an empty stream and a {@link Problem} saying why.
 *
 * {@snippet :
 * try (KmsgLog log = KmsgReader.ofThisMachine().open()) {
 *   kernelLogReader.read(log.name(), log.stream(), sink);
 *   log.problems().forEach(sink::problem);
 * }
 * }
 */
public final class KmsgReader {
  /** Where the kernel exposes its ring buffer. */
  public static final Path DEVICE = Path.of("/dev/kmsg");

  /** How long no record may arrive before the reader is taken to have caught up. */
  public static final Duration DEFAULT_QUIET_PERIOD = Duration.ofMillis(250);

  /** The longest a read may take, however fast the kernel keeps logging. */
  public static final Duration DEFAULT_TIME_LIMIT = Duration.ofSeconds(15);

  /** How far past the start of the read a record's stamp must be to end the read by itself. */
  static final long START_MARGIN_MICROS = 2_000_000;

  private static final Path UPTIME = Path.of("/proc/uptime");

  private final Path device;
  private final RecordDevice.Opener opener;
  private final Supplier<OptionalLong> uptimeMicros;
  private final Duration quietPeriod;
  private final Duration timeLimit;
  private final long afterSequence;

  KmsgReader(
      Path device,
      RecordDevice.Opener opener,
      Supplier<OptionalLong> uptimeMicros,
      Duration quietPeriod,
      Duration timeLimit,
      long afterSequence) {
    this.device = Objects.requireNonNull(device, "device");
    this.opener = Objects.requireNonNull(opener, "opener");
    this.uptimeMicros = Objects.requireNonNull(uptimeMicros, "uptimeMicros");
    this.quietPeriod = positive(quietPeriod, "quietPeriod");
    this.timeLimit = positive(timeLimit, "timeLimit");
    this.afterSequence = afterSequence;
  }

  /** A reader of {@link #DEVICE} with the default quiet period and time limit. */
  public static KmsgReader ofThisMachine() {
    return of(DEVICE, UPTIME);
  }

  /**
   * A reader of a kmsg device at another path (a container that mounts the host's {@code /dev}
   * elsewhere), with {@code uptimeFile} the matching {@code /proc/uptime}.
   */
  public static KmsgReader of(Path device, Path uptimeFile) {
    return new KmsgReader(
        device,
        RecordDevice::openToEnd,
        () -> readUptimeMicros(uptimeFile),
        DEFAULT_QUIET_PERIOD,
        DEFAULT_TIME_LIMIT,
        -1);
  }

  /** This reader, handing over only records whose sequence number is above {@code sequence}. */
  public KmsgReader afterSequence(long sequence) {
    return new KmsgReader(device, opener, uptimeMicros, quietPeriod, timeLimit, sequence);
  }

  /** This reader, taking a silence of {@code quiet} as the end of the ring buffer. */
  public KmsgReader quietPeriod(Duration quiet) {
    return new KmsgReader(device, opener, uptimeMicros, quiet, timeLimit, afterSequence);
  }

  /** This reader, stopping after {@code limit} whatever happens. */
  public KmsgReader timeLimit(Duration limit) {
    return new KmsgReader(device, opener, uptimeMicros, quietPeriod, limit, afterSequence);
  }

  /**
   * Opens the device and starts reading it. Never throws: when the device cannot be opened, the
   * log's stream is empty and its problems say why.
   */
  public KmsgLog open() {
    String name = device.toString();
    OptionalLong startMicros = uptimeMicros.get();
    RecordDevice opened;
    try {
      opened = opener.open(device);
    } catch (IOException | RuntimeException e) {
      return KmsgLog.failed(name, new Problem(name, 0, openFailure(name, e)));
    }
    return KmsgLog.start(
        name,
        opened,
        quietPeriod,
        timeLimit,
        afterSequence,
        startMicros.isPresent()
            ? OptionalLong.of(startMicros.getAsLong() + START_MARGIN_MICROS)
            : OptionalLong.empty());
  }

  /** The message for a device that could not be opened, with what the user can do instead. */
  static String openFailure(String name, Exception e) {
    String alternatives = "use --journal or pass a saved log";
    if (e instanceof NoSuchFileException) {
      return "cannot read " + name + ": no such device; " + alternatives;
    }
    if (e instanceof AccessDeniedException) {
      return "cannot read " + name + ": permission denied; run as root or " + alternatives;
    }
    String reason =
        e instanceof FileSystemException fse && fse.getReason() != null
            ? fse.getReason()
            : Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName());
    if (reason.contains("Operation not permitted")) {
      return "cannot read "
          + name
          + ": operation not permitted (kernel.dmesg_restrict=1 needs"
          + " CAP_SYSLOG); run as root or "
          + alternatives;
    }
    return "cannot read " + name + ": " + reason + "; " + alternatives;
  }

  /** The first field of /proc/uptime in microseconds, or empty when it cannot be read. */
  static OptionalLong readUptimeMicros(Path uptimeFile) {
    try {
      String text = Files.readString(uptimeFile, StandardCharsets.US_ASCII).strip();
      int space = text.indexOf(' ');
      String seconds = space < 0 ? text : text.substring(0, space);
      return OptionalLong.of(Math.round(Double.parseDouble(seconds) * 1_000_000));
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }

  private static Duration positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + "=" + d);
    }
    return d;
  }
}
