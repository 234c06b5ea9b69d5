package dev.oomlens.host.kmsg;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/*
 * Compiled for Java 22 (the foreign function API is final there) into the same package, and loaded
 * by name only on a JDK that has it (RecordDevice.openToEnd): the project's other classes stay on
 * Java 21. Only for x86-64 and AArch64 Linux, whose open flags and errno values are the ones below
 * (asm-generic); anywhere else RecordDevice keeps the FileChannel.
 */

/**
 * {@code /dev/kmsg} opened with {@code O_NONBLOCK}, as util-linux's dmesg opens it: at the end of
 * the ring buffer read() fails with EAGAIN at once instead of blocking until the kernel logs again,
 * so the end of the buffer is known exactly and no quiet period has to pass to guess it (250 ms of
 * every doctor run). A read of EAGAIN returns 0, which the reader takes as the end.
 *
 * <p>Reads and close take one lock: a read never blocks, and a file descriptor closed while another
 * thread is about to read it could be reused by the time that read starts.
 */
final class NonBlockingDevice implements RecordDevice {
  private static final int O_RDONLY = 0;
  private static final int O_NONBLOCK = 0x800;
  private static final int O_CLOEXEC = 0x80000;
  private static final int EPERM = 1;
  private static final int ENOENT = 2;
  private static final int EINTR = 4;
  private static final int EAGAIN = 11;
  private static final int EACCES = 13;
  private static final int EPIPE = 32;

  private final Arena arena = Arena.ofShared();
  private final MemorySegment buffer;
  private final MemorySegment errno = arena.allocate(Libc.CAPTURE);
  private int fd;

  private NonBlockingDevice(int fd, long bufferBytes) {
    this.fd = fd;
    this.buffer = arena.allocate(bufferBytes);
  }

  /**
   * True when this JVM lets the project's code call native functions (--enable-native-access, or
   * the jar's Enable-Native-Access): without that every call would print a warning, or fail. Links
   * the functions, so that a failure to link shows here and not in the middle of a read.
   */
  static boolean usable() {
    return NonBlockingDevice.class.getModule().isNativeAccessEnabled() && Libc.OPEN != null;
  }

  /**
   * Opens {@code path} to read without blocking; the exceptions are those {@link
   * java.nio.channels.FileChannel#open} throws for the same failures, so the messages built from
   * them stay the same.
   */
  static RecordDevice open(Path path) throws IOException {
    try (Arena call = Arena.ofConfined()) {
      MemorySegment state = call.allocate(Libc.CAPTURE);
      int fd =
          (int)
              Libc.OPEN.invokeExact(
                  state, call.allocateFrom(path.toString()), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
      if (fd < 0) {
        int e = state.get(JAVA_INT, Libc.ERRNO_OFFSET);
        String file = path.toString();
        throw switch (e) {
          case ENOENT -> new NoSuchFileException(file);
          case EACCES -> new AccessDeniedException(file);
          default -> new FileSystemException(file, null, message(e));
        };
      }
      return new NonBlockingDevice(fd, KmsgLog.RECORD_BUFFER_BYTES);
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  @Override
  public synchronized int read(ByteBuffer dst) throws IOException {
    if (fd < 0) {
      throw new ClosedChannelException();
    }
    long want = Math.min(dst.remaining(), buffer.byteSize());
    long n;
    while (true) {
      try {
        n = (long) Libc.READ.invokeExact(errno, fd, buffer, want);
      } catch (Throwable t) {
        throw new IllegalStateException(t);
      }
      if (n >= 0) {
        break;
      }
      int e = errno.get(JAVA_INT, Libc.ERRNO_OFFSET);
      if (e == EINTR) {
        continue;
      }
      if (e == EAGAIN) {
        return 0;
      }
      // KmsgLog tells an overrun from a failure by this message, as the JDK words it.
      throw new IOException(e == EPIPE ? "Broken pipe" : message(e));
    }
    dst.put(buffer.asSlice(0, n).asByteBuffer());
    return (int) n;
  }

  @Override
  public synchronized void close() {
    if (fd < 0) {
      return;
    }
    try {
      int unused = (int) Libc.CLOSE.invokeExact(fd);
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    } finally {
      fd = -1;
      arena.close();
    }
  }

  /** strerror's text for {@code errno}, as the JDK's own exceptions carry it. */
  private static String message(int errno) {
    if (errno == EPERM) {
      return "Operation not permitted";
    }
    try {
      MemorySegment text = (MemorySegment) Strerror.HANDLE.invokeExact(errno);
      return text.reinterpret(256).getString(0);
    } catch (Throwable t) {
      return "errno " + errno;
    }
  }

  /** The C library's functions, linked on first use, after {@link #usable()} has allowed it. */
  private static final class Libc {
    static final Linker LINKER = Linker.nativeLinker();
    static final MemoryLayout CAPTURE = Linker.Option.captureStateLayout();
    static final long ERRNO_OFFSET =
        CAPTURE.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
    static final MethodHandle OPEN =
        downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), true);
    static final MethodHandle READ =
        downcall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), true);
    static final MethodHandle CLOSE =
        downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), false);

    private Libc() {}

    private static MethodHandle downcall(String name, FunctionDescriptor f, boolean errno) {
      SymbolLookup libc = LINKER.defaultLookup();
      MemorySegment symbol =
          libc.find(name).orElseThrow(() -> new UnsatisfiedLinkError("no " + name + " in libc"));
      return errno
          ? LINKER.downcallHandle(symbol, f, Linker.Option.captureCallState("errno"))
          : LINKER.downcallHandle(symbol, f);
    }
  }

  /**
   * strerror, linked only when a call has failed: linking a downcall generates classes a JDK 25 AOT
   * cache cannot store, a few milliseconds of every doctor run for a function a good read never
   * calls.
   */
  private static final class Strerror {
    static final MethodHandle HANDLE =
        Libc.downcall("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT), false);

    private Strerror() {}
  }
}
