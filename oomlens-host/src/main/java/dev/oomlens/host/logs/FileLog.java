package dev.oomlens.host.logs;

import dev.oomlens.core.model.Problem;
import dev.oomlens.host.LiveLog;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A saved log file handed over as a {@link LiveLog}, so that a reader of live logs (the killers'
 * records of a mounted host's syslog, of a snapshot's {@code killers.log}) reads it the same way.
 * Gzip is left to the reader, which tells it by its first bytes.
 *
 * <p>As the contract asks, the stream never throws: a file that cannot be opened gives an empty
 * stream and an {@link Problem.Kind#UNREADABLE} problem, a read that fails part-way ends it with a
 * {@link Problem.Kind#DAMAGED} one.
 */
public final class FileLog implements LiveLog {
  private final Path file;
  private final List<Problem> problems = new CopyOnWriteArrayList<>();
  private InputStream in;
  private final InputStream stream = new Stream();

  public FileLog(Path file) {
    this.file = Objects.requireNonNull(file, "file");
  }

  @Override
  public String name() {
    return file.toString();
  }

  @Override
  public InputStream stream() {
    return stream;
  }

  @Override
  public List<Problem> problems() {
    return List.copyOf(problems);
  }

  @Override
  public void close() {
    if (in != null) {
      try {
        in.close();
      } catch (IOException e) {
        // Closing a file read to its end leaves nothing for the user to do.
      }
    }
  }

  private final class Stream extends InputStream {
    private boolean ended;
    private long lines;

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      Objects.checkFromIndexSize(off, len, b.length);
      if (ended) {
        return -1;
      }
      if (len == 0) {
        return 0;
      }
      try {
        if (in == null) {
          in = Files.newInputStream(file);
        }
        int n = in.read(b, off, len);
        if (n < 0) {
          ended = true;
        }
        for (int i = off; i < off + n; i++) {
          if (b[i] == '\n') {
            lines++;
          }
        }
        return n;
      } catch (IOException e) {
        ended = true;
        if (in == null) {
          problems.add(
              new Problem(
                  name(), 0, "cannot read " + name() + ": " + reason(e), Problem.Kind.UNREADABLE));
        } else {
          problems.add(
              new Problem(
                  name(),
                  lines + 1,
                  "reading stopped (" + reason(e) + "); what followed is unknown",
                  Problem.Kind.DAMAGED));
        }
        return -1;
      }
    }

    @Override
    public void close() {
      FileLog.this.close();
    }
  }

  private static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "No such file or directory";
    }
    if (e instanceof AccessDeniedException) {
      return "Permission denied";
    }
    if (e instanceof FileSystemException fse && fse.getReason() != null) {
      return fse.getReason();
    }
    return Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName());
  }
}
