package dev.oomlens.host.kmsg;

/*
 * KmsgReader reads the ring buffer up to the present and stops; this follows it for good, as the
 * agent must. The device semantics are the same (see KmsgReader): one record per read(), EPIPE
 * once when records this reader had not read were overwritten, then the oldest record left. A
 * reader thread blocks in read() and hands records to a bounded queue; the consumer polls the
 * queue with a short timeout, so it learns that the log went quiet (time to hand over a finished
 * report) without a second timer thread. The queue is bounded so a consumer that falls behind
 * (a slow disk) stalls the reader, and the kernel's ring buffer, not this process's heap, absorbs
 * the backlog; what the ring buffer cannot hold shows up as lost records, counted.
 */

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Follows {@code /dev/kmsg} without end: every record after a given sequence number, in order, each
 * exactly once, with the records the kernel overwrote before they could be read named by their
 * sequence numbers.
 *
 * {@snippet :
 * try (KmsgFollower f = KmsgFollower.open(KmsgReader.DEVICE, lastSeq)) {
 *   KmsgFollower.End end = f.follow(listener); // returns when closed or the device fails
 * }
 * }
 */
public final class KmsgFollower implements LogFollower {

  /** What the follower hands over, on the thread that called {@link #follow}. */
  public interface Listener {
    /**
     * One record: its sequence number, its time since boot in microseconds, and its text as the
     * device gave it ({@code prio,seq,usec,flags;message}, then dictionary lines), without the last
     * line end.
     */
    void record(long sequence, long micros, String text);

    /**
     * Records {@code first..last} were overwritten before they could be read; {@code first} is -1
     * when the device said so but the numbers are not known.
     */
    void lost(long first, long last);

    /** No record arrived for {@link #quietPeriod()}; {@code quietFor} is since the last one. */
    void quiet(Duration quietFor);

    /**
     * How long to wait for a record before calling {@link #quiet}; asked before every wait, so a
     * listener holding a report can ask to hear of a short silence, and an idle one of a long.
     */
    default Duration quietPeriod() {
      return Duration.ofMillis(10);
    }
  }

  /** Why {@link #follow} returned. */
  public enum End {
    /** {@link #close()} was called. */
    CLOSED,
    /** The device failed; the message says how. */
    DEVICE_FAILED
  }

  /** Thrown by {@link #open} with a message that names the device and what to do. */
  public static final class OpenException extends IOException {
    private static final long serialVersionUID = 1L;

    OpenException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private static final int QUEUE_RECORDS = 4096;
  private static final int MAX_OVERRUNS_IN_ROW = 16;

  private sealed interface Item permits Rec, Overrun, Failed {}

  private record Rec(byte[] bytes) implements Item {}

  private record Overrun() implements Item {}

  private record Failed(IOException cause) implements Item {}

  private final String name;
  private final RecordDevice device;
  private final long afterSequence;
  private final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(QUEUE_RECORDS);
  private final Thread reader;
  private volatile boolean closed;
  private volatile String failure;
  private long lastSeen = -1;
  private long lost;

  private KmsgFollower(String name, RecordDevice device, long afterSequence) {
    this.name = name;
    this.device = device;
    this.afterSequence = afterSequence;
    this.reader = new Thread(this::readDevice, "oomlens-kmsg-follow");
    this.reader.setDaemon(true);
  }

  /**
   * Opens the device and starts reading it, handing over only records above {@code afterSequence}
   * (-1 for all the ring buffer holds).
   *
   * @throws OpenException naming the device, and CAP_SYSLOG when {@code dmesg_restrict} refused
   */
  public static KmsgFollower open(Path device, long afterSequence) throws OpenException {
    return open(device, RecordDevice::open, afterSequence);
  }

  static KmsgFollower open(Path device, RecordDevice.Opener opener, long afterSequence)
      throws OpenException {
    String name = device.toString();
    RecordDevice opened;
    try {
      opened = opener.open(device);
    } catch (IOException | RuntimeException e) {
      // The reader's advice (--journal, a saved log) is for doctor; the agent says its own.
      String message = KmsgReader.openFailure(name, e);
      int advice = message.indexOf("; run as root or use --journal");
      advice = advice >= 0 ? advice : message.indexOf("; use --journal");
      throw new OpenException(advice >= 0 ? message.substring(0, advice) : message, e);
    }
    KmsgFollower f = new KmsgFollower(name, opened, afterSequence);
    f.reader.start();
    return f;
  }

  /** The device as named in messages. */
  @Override
  public String name() {
    return name;
  }

  /** Records lost so far: overwritten in the ring buffer before they could be read. */
  @Override
  public long recordsLost() {
    return lost;
  }

  /** How the device failed, when {@link #follow} returned {@link End#DEVICE_FAILED}. */
  @Override
  public String failure() {
    return failure;
  }

  /**
   * Hands records to {@code listener} until {@link #close()} is called (from any thread) or the
   * device fails; calls {@link Listener#quiet} each time its {@link Listener#quietPeriod()} passes
   * without a record.
   */
  @Override
  public End follow(Listener listener) {
    long quietSince = System.nanoTime();
    boolean overrun = false;
    while (!closed) {
      Item item;
      try {
        item = queue.poll(listener.quietPeriod().toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        return End.CLOSED;
      }
      if (item == null) {
        if (!closed) {
          listener.quiet(Duration.ofNanos(System.nanoTime() - quietSince));
        }
        continue;
      }
      switch (item) {
        case Overrun o -> overrun = true;
        case Failed f -> {
          if (closed) {
            return End.CLOSED;
          }
          failure =
              "reading "
                  + name
                  + " failed: "
                  + Objects.requireNonNullElse(f.cause().getMessage(), f.cause().toString());
          return End.DEVICE_FAILED;
        }
        case Rec r -> {
          quietSince = System.nanoTime();
          hand(r.bytes(), overrun, listener);
          overrun = false;
        }
      }
    }
    return End.CLOSED;
  }

  private void hand(byte[] record, boolean overrun, Listener listener) {
    long seq = KmsgLog.headerField(record, 1);
    long micros = KmsgLog.headerField(record, 2);
    if (seq < 0) {
      if (overrun) {
        listener.lost(-1, -1);
      }
      return; // not a record of the kmsg format: nothing to place or cite
    }
    long expected = lastSeen >= 0 ? lastSeen + 1 : afterSequence >= 0 ? afterSequence + 1 : -1;
    if (expected >= 0 && seq > expected) {
      // Records at or below afterSequence were read by an earlier run: not a loss.
      long first = Math.max(expected, afterSequence + 1);
      if (seq > first) {
        lost += seq - first;
        listener.lost(first, seq - 1);
      }
    } else if (overrun && expected < 0) {
      listener.lost(-1, -1);
    }
    lastSeen = Math.max(lastSeen, seq);
    if (seq <= afterSequence) {
      return;
    }
    int length = record.length;
    while (length > 0 && record[length - 1] == '\n') {
      length--;
    }
    listener.record(seq, micros, new String(record, 0, length, StandardCharsets.UTF_8));
  }

  /** Runs on the reader thread: one record per read, until closed or the device fails. */
  private void readDevice() {
    ByteBuffer buffer = ByteBuffer.allocate(KmsgLog.RECORD_BUFFER_BYTES);
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
          String m = e.getMessage();
          if (m != null
              && (m.contains("Broken pipe") || m.contains("EPIPE"))
              && ++overrunsInRow <= MAX_OVERRUNS_IN_ROW) {
            queue.put(new Overrun());
            continue;
          }
          queue.put(new Failed(e));
          return;
        }
        if (n <= 0) {
          queue.put(new Failed(new IOException("the device reported its end")));
          return;
        }
        overrunsInRow = 0;
        queue.put(new Rec(Arrays.copyOf(buffer.array(), n)));
      }
    } catch (InterruptedException e) {
      // close() interrupts a reader waiting for room in the queue.
    } catch (RuntimeException e) {
      queue.offer(new Failed(new IOException(e.toString(), e)));
    }
  }

  /** Stops following; wakes {@link #follow} and the reader thread. Safe from any thread. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    queue.offer(new Failed(new IOException("closed")));
    try {
      device.close();
    } catch (IOException | RuntimeException e) {
      // Following is over either way.
    }
    reader.interrupt();
  }
}
