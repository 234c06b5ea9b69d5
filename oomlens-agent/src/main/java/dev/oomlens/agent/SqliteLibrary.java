package dev.oomlens.agent;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/*
 * sqlite-jdbc ships its native library inside the jar and, by default, copies it on every start to
 * a new file under java.io.tmpdir (named with a fresh UUID) and loads that copy. For an agent that
 * is restarted by systemd (PrivateTmp: a new, empty /tmp each start) or a DaemonSet, every start
 * writes 1.1 MB and maps a file no other process shares; under ProtectSystem=strict /tmp is the
 * only place it can write at all. Instead the library is copied once into oomlens-native/ beside
 * the history file (the state directory, writable by the agent by design), named after the
 * sqlite-jdbc version, and every later start loads that same file through sqlite-jdbc's own
 * org.sqlite.lib.path and org.sqlite.lib.name properties.
 *
 * The copy is written to a temporary name and renamed into place, so a file under the final name
 * is always whole; its size is checked against the jar's entry (read from the jar's directory,
 * nothing inflated) before it is reused. Whatever goes wrong (a read-only directory, a name
 * already set by the user, no library for this platform) leaves sqlite-jdbc to its default.
 */

/** Keeps sqlite-jdbc's native library in a directory beside the history, copied once. */
final class SqliteLibrary {
  /** The directory, beside the history file, that holds the library. */
  static final String DIR = "oomlens-native";

  private static final String PATH_PROPERTY = "org.sqlite.lib.path";
  private static final String NAME_PROPERTY = "org.sqlite.lib.name";

  private SqliteLibrary() {}

  /**
   * Points sqlite-jdbc at the library kept beside {@code db}, copying it there first when {@code
   * mayWrite} and it is missing or of the wrong size. Call before the first connection: once
   * sqlite-jdbc has loaded a library the properties change nothing.
   *
   * @return the library file used, or empty when sqlite-jdbc is left to its default
   */
  static Optional<Path> useBeside(Path db, boolean mayWrite) {
    if (System.getProperty(PATH_PROPERTY) != null || System.getProperty(NAME_PROPERTY) != null) {
      return Optional.empty();
    }
    Optional<Path> lib = mayWrite ? install(dirBeside(db)) : existing(dirBeside(db));
    lib.ifPresent(
        p -> {
          System.setProperty(PATH_PROPERTY, p.getParent().toString());
          System.setProperty(NAME_PROPERTY, p.getFileName().toString());
        });
    return lib;
  }

  /** {@code oomlens-native/} beside the history file. */
  static Path dirBeside(Path db) {
    Path parent = db.toAbsolutePath().getParent();
    return (parent == null ? Path.of("/") : parent).resolve(DIR);
  }

  /**
   * The library in {@code dir}, copied from the jar when missing or of the wrong size.
   *
   * @return empty when this platform has no library in the jar or the directory cannot be written
   */
  static Optional<Path> install(Path dir) {
    Optional<Resource> r = resource();
    if (r.isEmpty()) {
      return Optional.empty();
    }
    Path target = dir.resolve(r.get().fileName());
    try {
      if (Files.isRegularFile(target) && Files.size(target) == r.get().sizeBytes()) {
        return Optional.of(target);
      }
      Files.createDirectories(dir);
      Path part = Files.createTempFile(dir, r.get().fileName(), ".part");
      try {
        try (InputStream in = r.get().url().openStream()) {
          Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
        }
        if (Files.size(part) != r.get().sizeBytes()) {
          return Optional.empty();
        }
        Files.setPosixFilePermissions(part, PosixFilePermissions.fromString("r-xr-xr-x"));
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(part);
      }
      return Optional.of(target);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The library already in {@code dir}, whole; never writes. */
  static Optional<Path> existing(Path dir) {
    Optional<Resource> r = resource();
    if (r.isEmpty()) {
      return Optional.empty();
    }
    Path target = dir.resolve(r.get().fileName());
    try {
      return Files.isRegularFile(target) && Files.size(target) == r.get().sizeBytes()
          ? Optional.of(target)
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The library in the jar: where, its size, and the file name it is kept under. */
  record Resource(URL url, long sizeBytes, String fileName) {}

  static Optional<Resource> resource() {
    try {
      String path = org.sqlite.util.LibraryLoaderUtil.getNativeLibResourcePath();
      String name = org.sqlite.util.LibraryLoaderUtil.getNativeLibName();
      URL url = org.sqlite.SQLiteJDBCLoader.class.getResource(path + "/" + name);
      if (url == null) {
        return Optional.empty();
      }
      URLConnection c = url.openConnection();
      c.setUseCaches(false);
      long size = c.getContentLengthLong();
      c.getInputStream().close();
      if (size <= 0) {
        return Optional.empty();
      }
      String version = org.sqlite.SQLiteJDBCLoader.getVersion().replaceAll("[^0-9A-Za-z.]", "_");
      int dot = name.lastIndexOf('.');
      String file =
          dot > 0
              ? name.substring(0, dot) + "-" + version + name.substring(dot)
              : name + "-" + version;
      return Optional.of(new Resource(url, size, file));
    } catch (IOException | RuntimeException | LinkageError e) {
      return Optional.empty();
    }
  }
}
