package dev.oomlens.host.kmsg;

import java.io.Closeable;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A device that hands out one record per read, as {@code /dev/kmsg} does. Closing it from another
 * thread must unblock a read waiting for the next record.
 */
interface RecordDevice extends Closeable {

  /**
   * Reads one record into {@code dst}; blocks until one is there, except on a device opened by
   * {@link #openToEnd}, which returns 0 when it holds no more.
   */
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

  /**
   * The real device, to be read up to the end of what it holds and no further: opened without
   * blocking where this JVM can (JDK 22 or newer with native access enabled, Linux on x86-64 or
   * AArch64), so that a read at the end returns 0 at once; elsewhere as {@link #open}, and the
   * reader's quiet period finds the end.
   */
  static RecordDevice openToEnd(Path path) throws IOException {
    MethodHandle nonBlocking = NonBlockingOpen.HANDLE;
    if (nonBlocking == null) {
      return open(path);
    }
    try {
      return (RecordDevice) nonBlocking.invokeExact(path);
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /**
   * {@code NonBlockingDevice.open}, looked up once, or null where it cannot run. The class is
   * compiled for Java 22 (src/main/java22): it is named, never referred to, so that a Java 21 JVM
   * never loads it.
   */
  final class NonBlockingOpen {
    static final MethodHandle HANDLE = find();

    private NonBlockingOpen() {}

    private static MethodHandle find() {
      String arch = System.getProperty("os.arch", "");
      if (Runtime.version().feature() < 22
          || !System.getProperty("os.name", "").equals("Linux")
          || !(arch.equals("amd64") || arch.equals("aarch64"))) {
        return null;
      }
      try {
        Class<?> device =
            Class.forName(
                "dev.oomlens.host.kmsg.NonBlockingDevice",
                true,
                RecordDevice.class.getClassLoader());
        MethodHandle usable =
            MethodHandles.lookup()
                .findStatic(device, "usable", MethodType.methodType(boolean.class));
        if (!(boolean) usable.invokeExact()) {
          return null;
        }
        return MethodHandles.lookup()
            .findStatic(device, "open", MethodType.methodType(RecordDevice.class, Path.class));
      } catch (Throwable t) {
        // Not built (a JDK 21 build) or not loadable here: the FileChannel does the same job,
        // only ending later.
        return null;
      }
    }
  }
}
