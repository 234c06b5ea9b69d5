package dev.oomlens.host.kmsg;

import dev.oomlens.core.model.Problem;
import dev.oomlens.host.LiveLog;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * One read of {@code /dev/kmsg} in progress, made by {@link KmsgReader#open()}: its records as a
 * stream of lines, the problems met, and, once the stream has ended, why it ended and the last
 * sequence number handed over (to read only newer records next time).
 *
 * <p>A reader thread takes records off the device into a bounded queue; the stream takes them off
 * the queue and decides when the read is over. Only one thread may consume the stream; {@link
 * #close()} may be called from any thread.
 */
public final class KmsgLog implements LiveLog {

  /** Why the stream ended. */
  public enum End {
    /** No record arrived for the quiet period: the ring buffer was read to its end. */
    CAUGHT_UP,
    /** A record stamped after the start of the read arrived: everything older had been read. */
    PASSED_START,
    /** The time limit ran out while records were still arriving. */
    TIME_LIMIT,
    /** The device failed; {@link #problems()} says how. */
    DEVICE_FAILED,
    /** The device could not be opened; {@link #problems()} says why. */
    NOT_OPENED,
    /** {@link #close()} was called before the stream ended by itself. */
    CLOSED
  }

  /** One record needs at most 8 KiB (CONSOLE_EXT_LOG_MAX); a shorter buffer makes read() fail. */
  static final int RECORD_BUFFER_BYTES = 16 * 1024;

  /** EPIPEs in a row (without a record in between) taken as a broken device, not as overruns. */
  private static final int MAX_OVERRUNS_IN_ROW = 16;

  private static final int QUEUE_RECORDS = 1024;

  private sealed interface Item permits Rec, Overrun, Failed, Eof {}

  private record Rec(byte[] bytes) implements Item {}

  private record Overrun() implements Item {}

  private record Failed(IOException cause) implements Item {}

  private record Eof() implements Item {}

  private final String name;
  private final RecordDevice device;
  private final Thread reader;
  private final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(QUEUE_RECORDS);
  private final List<Problem> problems = new CopyOnWriteArrayList<>();
  private final InputStream stream = new RecordStream();
  private final long quietNanos;
  private final long deadlineNanos;
  private final long limitMillis;
  private final long afterSequence;
  private final OptionalLong stopAfterMicros;

  private volatile boolean closed;
  private volatile End end;
  private volatile long lastSequence = -1;
  private volatile long recordsHandedOver;
  private volatile long recordsLost;

  // Consumer-side state, touched only by the thread reading the stream.
  private long lastSeenSequence = -1;
  private boolean overrunPending;
  private long linesHandedOver;

  private KmsgLog(
      String name,
      RecordDevice device,
      long quietNanos,
      long limitNanos,
      long afterSequence,
      OptionalLong stopAfterMicros) {
    this.name = name;
    this.device = device;
    this.quietNanos = quietNanos;
    this.deadlineNanos = System.nanoTime() + limitNanos;
    this.limitMillis = TimeUnit.NANOSECONDS.toMillis(limitNanos);
    this.afterSequence = afterSequence;
    this.stopAfterMicros = stopAfterMicros;
    this.reader = device == null ? null : new Thread(this::readDevice, "oomlens-kmsg");
  }

  static KmsgLog start(
      String name,
      RecordDevice device,
      java.time.Duration quiet,
      java.time.Duration limit,
      long afterSequence,
      OptionalLong stopAfterMicros) {
    KmsgLog log =
        new KmsgLog(name, device, quiet.toNanos(), limit.toNanos(), afterSequence, stopAfterMicros);
    log.reader.setDaemon(true);
    log.reader.start();
    return log;
  }

  static KmsgLog failed(String name, Problem problem) {
    KmsgLog log = new KmsgLog(name, null, 1, 1, -1, OptionalLong.empty());
    log.problems.add(problem);
    log.end = End.NOT_OPENED;
    return log;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public InputStream stream() {
    return stream;
  }

  @Override
  public List<Problem> problems() {
    return List.copyOf(problems);
  }

  /** Why the stream ended; empty while it is still being read. */
  public Optional<End> end() {
    return Optional.ofNullable(end);
  }

  /** The sequence number of the last record handed over; empty when none was. */
  public OptionalLong lastSequence() {
    long seq = lastSequence;
    return seq < 0 ? OptionalLong.empty() : OptionalLong.of(seq);
  }

  /** How many records the stream has handed over so far. */
  public long recordsHandedOver() {
    return recordsHandedOver;
  }

  /** How many records of interest were overwritten in the ring buffer before they could be read. */
  public long recordsLost() {
    return recordsLost;
  }

  @Override
  public void close() {
    finish(End.CLOSED);
  }

  private void finish(End why) {
    synchronized (this) {
      if (end == null) {
        end = why;
      }
      if (closed) {
        return;
      }
      closed = true;
    }
    // Wakes a consumer waiting on an empty queue; a full queue means no consumer is waiting.
    queue.offer(new Eof());
    if (device == null) {
      return;
    }
    try {
      device.close();
    } catch (IOException | RuntimeException e) {
      // The read is over either way; a failed close leaves nothing for the user to do.
    }
    reader.interrupt();
  }

  /** Runs on the reader thread: one record per read, until the device is closed or fails. */
  private void readDevice() {
    ByteBuffer buffer = ByteBuffer.allocate(RECORD_BUFFER_BYTES);
    int overrunsInRow = 0;
    try {
      while (!closed) {
        buffer.clear();
        int n;
        try {
          n = device.read(buffer);
        } catch (ClosedChannelException e) {
          return;
        } catch (IOException e) {
          if (closed) {
            return;
          }
          if (isBrokenPipe(e) && ++overrunsInRow <= MAX_OVERRUNS_IN_ROW) {
            queue.put(new Overrun());
            continue;
          }
          queue.put(new Failed(e));
          return;
        }
        if (n <= 0) {
          queue.put(new Eof());
          return;
        }
        overrunsInRow = 0;
        queue.put(new Rec(Arrays.copyOf(buffer.array(), n)));
      }
    } catch (InterruptedException e) {
      // Interrupted by close(): the consumer wants nothing more.
    } catch (RuntimeException e) {
      queue.offer(new Failed(new IOException(e.toString(), e)));
    }
  }

  private static boolean isBrokenPipe(IOException e) {
    String message = e.getMessage();
    return message != null && (message.contains("Broken pipe") || message.contains("EPIPE"));
  }

  /** Runs on the consuming thread: the next record to hand over, or null at the end. */
  private byte[] nextRecord() {
    while (end == null) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        stopAtTimeLimit();
        return null;
      }
      Item item;
      try {
        item = queue.poll(Math.min(quietNanos, left), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        finish(End.CLOSED);
        return null;
      }
      if (item == null) {
        if (deadlineNanos - System.nanoTime() <= 0 && quietNanos > left) {
          stopAtTimeLimit();
        } else {
          finish(End.CAUGHT_UP);
        }
        return null;
      }
      switch (item) {
        case Overrun o -> overrunPending = true;
        case Failed f -> {
          problems.add(
              new Problem(
                  name, linesHandedOver + 1, "reading stopped, the device failed: " + reason(f)));
          finish(End.DEVICE_FAILED);
        }
        case Eof e -> finish(End.CAUGHT_UP);
        case Rec r -> {
          byte[] bytes = accept(r.bytes());
          if (bytes != null) {
            return bytes;
          }
        }
      }
    }
    return null;
  }

  /** Checks a record's place in the sequence; the bytes to hand over, or null to skip it. */
  private byte[] accept(byte[] record) {
    long seq = headerField(record, 1);
    long micros = headerField(record, 2);
    if (seq >= 0) {
      noteLostRecords(seq);
      lastSeenSequence = seq;
    } else if (overrunPending) {
      noteLost(-1, -1);
    }
    overrunPending = false;
    if (micros >= 0 && stopAfterMicros.isPresent() && micros > stopAfterMicros.getAsLong()) {
      finish(End.PASSED_START);
      return null;
    }
    if (seq >= 0 && seq <= afterSequence) {
      return null;
    }
    if (seq >= 0) {
      lastSequence = seq;
    }
    byte[] out = record[record.length - 1] == '\n' ? record : appendNewline(record);
    for (byte b : out) {
      if (b == '\n') {
        linesHandedOver++;
      }
    }
    recordsHandedOver++;
    return out;
  }

  private void noteLostRecords(long seq) {
    long expected;
    if (lastSeenSequence >= 0) {
      expected = lastSeenSequence + 1;
    } else if (afterSequence >= 0) {
      expected = afterSequence + 1;
    } else {
      return; // a fresh read starts wherever the ring buffer starts
    }
    // Records at or below afterSequence were handed over by an earlier read: losing them is no
    // loss.
    long firstLost = Math.max(expected, afterSequence + 1);
    if (seq > firstLost) {
      noteLost(firstLost, seq - 1);
    }
  }

  private void noteLost(long first, long last) {
    String what;
    if (first < 0) {
      what = "some records were";
    } else {
      recordsLost += last - first + 1;
      what =
          first == last
              ? "record " + first + " was"
              : "records " + first + ".." + last + " (" + (last - first + 1) + ") were";
    }
    problems.add(
        new Problem(
            name,
            linesHandedOver + 1,
            what
                + " overwritten in the kernel's ring buffer before they could be read;"
                + " a report among them may be incomplete"));
  }

  private void stopAtTimeLimit() {
    problems.add(
        new Problem(
            name,
            0,
            "stopped reading after "
                + limitMillis
                + " ms while records kept arriving; newer records were not read"));
    finish(End.TIME_LIMIT);
  }

  private static String reason(Failed f) {
    return Objects.requireNonNullElse(f.cause().getMessage(), f.cause().getClass().getSimpleName());
  }

  /**
   * Field {@code index} (0 prio, 1 seq, 2 usec) of a {@code prio,seq,usec,flags;} header, or -1
   * when the record does not have one.
   */
  static long headerField(byte[] record, int index) {
    int field = 0;
    long value = -1;
    for (byte b : record) {
      if (b == ',' || b == ';') {
        if (field == index) {
          return value;
        }
        if (b == ';') {
          return -1;
        }
        field++;
        value = -1;
      } else if (field == index) {
        if (b < '0' || b > '9' || value > (Long.MAX_VALUE - 9) / 10) {
          return -1;
        }
        value = (value < 0 ? 0 : value * 10) + (b - '0');
      } else if (b == '\n') {
        return -1;
      }
    }
    return -1;
  }

  private static byte[] appendNewline(byte[] record) {
    byte[] out = Arrays.copyOf(record, record.length + 1);
    out[record.length] = '\n';
    return out;
  }

  /** The records as one byte stream; closing it closes the log. */
  private final class RecordStream extends InputStream {
    private byte[] current;
    private int position;

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      if (current == null || position == current.length) {
        current = nextRecord();
        position = 0;
        if (current == null) {
          return -1;
        }
      }
      int n = Math.min(len, current.length - position);
      System.arraycopy(current, position, b, off, n);
      position += n;
      return n;
    }

    @Override
    public int available() {
      return current == null ? 0 : current.length - position;
    }

    @Override
    public void close() {
      KmsgLog.this.close();
    }
  }
}
