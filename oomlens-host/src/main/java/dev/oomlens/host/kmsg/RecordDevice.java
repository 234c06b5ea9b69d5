package dev.oomlens.host.kmsg;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A device that hands out one record per read, as {@code /dev/kmsg} does. Closing it from another
 * thread must unblock a read waiting for the next record.
 */
interface RecordDevice extends Closeable {

  /** Reads one record into {@code dst}; blocks until one is there. */
  int read(ByteBuffer dst) throws IOException;

  /** Opens the device at a path. */
  @FunctionalInterface
  interface Opener {
    RecordDevice open(Path path) throws IOException;
  }

  /**
   * The real device through a {@link FileChannel}: its reads are interruptible, so closing the
   * channel wakes a reader blocked at the end of the ring buffer (the JDK signals the blocked
   * thread, read() returns EINTR and the channel reports the close).
   */
  static RecordDevice open(Path path) throws IOException {
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    return new RecordDevice() {
      @Override
      public int read(ByteBuffer dst) throws IOException {
        return channel.read(dst);
      }

      @Override
      public void close() throws IOException {
        channel.close();
      }
    };
  }
}
