package dev.oomlens.core.source;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/** The reason of an I/O failure in the words of the C library, which users know from cat(1). */
public final class IoReasons {
  private IoReasons() {}

  /** {@code No such file or directory}, {@code Permission denied}, {@code Is a directory}... */
  public static String of(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "No such file or directory";
    }
    if (e instanceof AccessDeniedException) {
      return "Permission denied";
    }
    if (e instanceof FileSystemException fse && fse.getReason() != null) {
      return fse.getReason();
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
