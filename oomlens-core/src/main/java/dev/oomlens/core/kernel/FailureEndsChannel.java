package dev.oomlens.core.kernel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Optional;

/*
 * Why: the parallel scanner fills a whole window (megabytes) before it hands a line on, and keeps
 * the window before it pending while the next one is read. A read error thrown into it would take
 * both windows' lines with it. Seen as the end of the file, the error lets the scanner hand on
 * everything read up to it; the reader then says the input stopped there.
 */

/**
 * A read-only view of a file channel on which the first failing read ends the file instead of
 * throwing; the failure is kept for the caller to report.
 */
final class FailureEndsChannel extends FileChannel {
  private final FileChannel channel;
  private IOException failure;

  FailureEndsChannel(FileChannel channel) {
    this.channel = channel;
  }

  /** The read failure that ended the file, if one did. */
  Optional<IOException> failure() {
    return Optional.ofNullable(failure);
  }

  @Override
  public int read(ByteBuffer dst) {
    if (failure != null) {
      return -1;
    }
    try {
      return channel.read(dst);
    } catch (IOException e) {
      failure = e;
      return -1;
    }
  }

  @Override
  public long read(ByteBuffer[] dsts, int offset, int length) {
    long total = 0;
    for (int i = offset; i < offset + length; i++) {
      int n = read(dsts[i]);
      if (n < 0) {
        return total == 0 ? -1 : total;
      }
      total += n;
      if (dsts[i].hasRemaining()) {
        break;
      }
    }
    return total;
  }

  @Override
  public int read(ByteBuffer dst, long position) {
    if (failure != null) {
      return -1;
    }
    try {
      return channel.read(dst, position);
    } catch (IOException e) {
      failure = e;
      return -1;
    }
  }

  @Override
  public long position() throws IOException {
    return channel.position();
  }

  @Override
  public FileChannel position(long newPosition) throws IOException {
    channel.position(newPosition);
    return this;
  }

  @Override
  public long size() throws IOException {
    return channel.size();
  }

  @Override
  public int write(ByteBuffer src) {
    throw new NonWritableChannelException();
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) {
    throw new NonWritableChannelException();
  }

  @Override
  public int write(ByteBuffer src, long position) {
    throw new NonWritableChannelException();
  }

  @Override
  public FileChannel truncate(long size) {
    throw new NonWritableChannelException();
  }

  @Override
  public void force(boolean metaData) {}

  @Override
  public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
    return channel.transferTo(position, count, target);
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long position, long count) {
    throw new NonWritableChannelException();
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
    return channel.map(mode, position, size);
  }

  @Override
  public FileLock lock(long position, long size, boolean shared) throws IOException {
    return channel.lock(position, size, shared);
  }

  @Override
  public FileLock tryLock(long position, long size, boolean shared) throws IOException {
    return channel.tryLock(position, size, shared);
  }

  @Override
  protected void implCloseChannel() {
    // The channel viewed belongs to the caller, who closes it.
  }
}
