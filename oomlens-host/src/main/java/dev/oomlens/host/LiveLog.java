package dev.oomlens.host;

import dev.oomlens.core.model.Problem;
import java.io.Closeable;
import java.io.InputStream;
import java.util.List;

/**
 * A kernel log read live from this machine, handed over like a file: a name to cite, its text as a
 * stream of lines, and the problems met while reading it.
 *
 * <p>The stream ends by itself (a live source is read up to the present, then stops) and never
 * throws: a failure ends it early and becomes one of {@link #problems()}. Closing stops the reading
 * and releases the device or process behind it; it may be called at any time, more than once.
 */
public interface LiveLog extends Closeable {

  /** The name findings and problems cite, e.g. {@code /dev/kmsg}. */
  String name();

  /** The log text, one record per line, in the source's own framing. */
  InputStream stream();

  /**
   * What went wrong while reading, each as a {@link Problem} naming {@link #name()}; a line number,
   * when not 0, is the line of {@link #stream()} the problem was met before. Complete once the
   * stream has ended or the log was closed.
   */
  List<Problem> problems();

  @Override
  void close();
}
