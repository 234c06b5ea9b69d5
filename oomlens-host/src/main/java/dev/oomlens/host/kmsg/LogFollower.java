package dev.oomlens.host.kmsg;

import java.io.Closeable;

/**
 * A kernel log followed without end, handing its records to a {@link KmsgFollower.Listener} in the
 * {@code /dev/kmsg} record format: {@code /dev/kmsg} itself, or the journal's kernel messages where
 * the device cannot be read.
 */
public interface LogFollower extends Closeable {
  /** The log as named in messages ({@code /dev/kmsg}, {@code journalctl -k -b -f}). */
  String name();

  /** Hands records over until {@link #close()} is called or the log fails. */
  KmsgFollower.End follow(KmsgFollower.Listener listener);

  /** How the log failed, after {@link #follow} returned {@link KmsgFollower.End#DEVICE_FAILED}. */
  String failure();

  /** Records lost so far (overwritten before they could be read). */
  long recordsLost();

  /** Stops following; safe from any thread. */
  @Override
  void close();
}
