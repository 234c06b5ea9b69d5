package dev.oomlens.host.kmsg;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;

/**
 * A scripted stand-in for /dev/kmsg: hands out the scripted records (and throws the scripted
 * exceptions) one per read, then either produces records forever or blocks, as the real device does
 * at its end, until it is closed.
 */
final class FakeDevice implements RecordDevice {
  private final Deque<Object> script;
  private final Supplier<String> afterScript;
  private final CountDownLatch closedLatch = new CountDownLatch(1);
  volatile boolean closed;
  volatile int reads;

  private FakeDevice(List<Object> script, Supplier<String> afterScript) {
    this.script = new ArrayDeque<>(script);
    this.afterScript = afterScript;
  }

  /** Plays the script, then blocks until closed. */
  static FakeDevice blockingAfter(Object... script) {
    return new FakeDevice(List.of(script), null);
  }

  /** Plays the script, then hands out {@code flood}'s records without end. */
  static FakeDevice floodingAfter(Supplier<String> flood, Object... script) {
    return new FakeDevice(List.of(script), flood);
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    reads++;
    if (closed) {
      throw new ClosedChannelException();
    }
    Object next;
    synchronized (script) {
      next = script.poll();
    }
    if (next == null && afterScript != null) {
      next = afterScript.get();
    }
    if (next == null) {
      try {
        closedLatch.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new AsynchronousCloseException();
    }
    if (next instanceof IOException e) {
      throw e;
    }
    byte[] bytes = ((String) next).getBytes(StandardCharsets.UTF_8);
    if (bytes.length > dst.remaining()) {
      throw new IOException("Invalid argument");
    }
    dst.put(bytes);
    return bytes.length;
  }

  @Override
  public void close() {
    closed = true;
    closedLatch.countDown();
  }
}
