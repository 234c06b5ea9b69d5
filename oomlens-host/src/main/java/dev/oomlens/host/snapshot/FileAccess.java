package dev.oomlens.host.snapshot;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.oomlens.core.model.Problem;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The reads a {@link HostReader} makes, kept apart so a {@link SnapshotWriter} can save exactly the
 * bytes that were parsed, and note what could not be read. A missing file is absent; a file that is
 * there but cannot be read is a problem, and so is a file of a snapshot whose manifest says it
 * could not be read on the host.
 */
final class FileAccess {
  /** Largest file read; kernel files are far smaller, anything bigger is not one. */
  private static final int MAX_FILE_BYTES = 4 << 20;

  private final boolean recording;
  private final Map<Path, byte[]> files = new LinkedHashMap<>();
  private final Set<Path> markers = new LinkedHashSet<>();
  private final Map<Path, String> unreadable = new LinkedHashMap<>();
  private final Function<Path, Optional<String>> unreadableOnHost;

  FileAccess(boolean recording) {
    this(recording, p -> Optional.empty());
  }

  /**
   * @param unreadableOnHost why a path that is missing here could not be read on the host it was
   *     saved from, if it could not (from a snapshot's manifest)
   */
  FileAccess(boolean recording, Function<Path, Optional<String>> unreadableOnHost) {
    this.recording = recording;
    this.unreadableOnHost = unreadableOnHost;
  }

  /** The file's text, or empty when it does not exist (or cannot be read: then a problem). */
  Optional<String> read(Path file, List<Problem> problems) {
    return read(file, problems, false);
  }

  /**
   * Like {@link #read(Path, List)}; with {@code unsupportedIsAbsent} a file the kernel refuses to
   * serve (a cgroup's memory.pressure with PSI off gives EOPNOTSUPP) is absent, not a problem.
   */
  Optional<String> read(Path file, List<Problem> problems, boolean unsupportedIsAbsent) {
    try {
      if (Files.isDirectory(file)) {
        unreadable(file, "is a directory, not a file", problems);
        return Optional.empty();
      }
      byte[] bytes;
      try (var in = Files.newInputStream(file)) {
        bytes = in.readNBytes(MAX_FILE_BYTES + 1);
      }
      if (bytes.length > MAX_FILE_BYTES) {
        unreadable(file, "larger than " + MAX_FILE_BYTES + " bytes; not a kernel file", problems);
        return Optional.empty();
      }
      if (recording) {
        files.put(file, bytes);
      }
      return Optional.of(new String(bytes, UTF_8));
    } catch (NoSuchFileException e) {
      savedUnreadable(file, problems);
      return Optional.empty();
    } catch (IOException | SecurityException e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : reason(e, file);
      if (unsupportedIsAbsent && why.toLowerCase(java.util.Locale.ROOT).contains("not supported")) {
        return Optional.empty();
      }
      unreadable(file, "cannot read: " + why, problems);
      return Optional.empty();
    }
  }

  private void unreadable(Path file, String why, List<Problem> problems) {
    problems.add(new Problem(file.toString(), 0, why));
    if (recording) {
      unreadable.put(file, why);
    }
  }

  /** A path missing from a snapshot because the host's could not be read is a problem, again. */
  private boolean savedUnreadable(Path path, List<Problem> problems) {
    Optional<String> why = unreadableOnHost.apply(path);
    why.ifPresent(
        w ->
            problems.add(
                new Problem(
                    path.toString(),
                    0,
                    "could not be read when the snapshot was taken ("
                        + w
                        + "); what it holds is unknown",
                    Problem.Kind.UNREADABLE)));
    return why.isPresent();
  }

  private static String reason(Exception e, Path file) {
    if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
      return fse.getReason();
    }
    String m = e.getMessage();
    String prefix = file + ": ";
    return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
  }

  /** The entries of a directory, sorted by name; empty when it is not there. */
  List<Path> list(Path dir, List<Problem> problems) {
    if (savedUnreadable(dir, problems) || !Files.isDirectory(dir)) {
      return List.of();
    }
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        out.add(p);
      }
    } catch (NoSuchFileException | NotDirectoryException e) {
      return List.of();
    } catch (IOException | SecurityException e) {
      unreadable(dir, "cannot list: " + e.getMessage(), problems);
      return List.of();
    }
    Collections.sort(out);
    return out;
  }

  /** True for a path that is there, or was on the host but could not be read (a snapshot's). */
  boolean exists(Path p) {
    return Files.exists(p) || unreadableOnHost.apply(p).isPresent();
  }

  boolean isDirectory(Path p) {
    return Files.isDirectory(p);
  }

  /** A real directory, not a link to one: cgroup walks never follow links. */
  boolean isPlainDirectory(Path p) {
    return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
  }

  /** Notes an entry whose presence (not content) was evidence, for the snapshot. */
  void marker(Path entry) {
    if (recording) {
      markers.add(entry);
    }
  }

  Map<Path, byte[]> files() {
    return Collections.unmodifiableMap(files);
  }

  Set<Path> markers() {
    return Collections.unmodifiableSet(markers);
  }

  /** The files and directories that could not be read, each with why (when recording). */
  Map<Path, String> unreadable() {
    return Collections.unmodifiableMap(unreadable);
  }
}
