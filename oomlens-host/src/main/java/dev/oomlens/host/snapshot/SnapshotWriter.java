package dev.oomlens.host.snapshot;

import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.core.model.Problem;
import dev.oomlens.host.LiveLog;
import dev.oomlens.host.paths.HostPaths;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

/*
 * The kernel log is saved as its reader hands it over, /dev/kmsg records ("prio,seq,usec,flags;
 * message") or the journal's short-iso-precise lines, byte for byte: the kernel-log reader knows
 * both framings, so the saved file reads exactly as the live log did, and the times in it stay
 * absolute (kmsg: since boot; journal: wall clock with zone). The journal's records of userspace
 * OOM killers go beside it, byte for byte too, in a file of their own.
 *
 * What could not be read leaves no file behind, not even one an earlier snapshot into the same
 * directory wrote (it would pass for this machine's), and is named in the manifest with why, so
 * doctor later says "unknown" rather than "nothing happened".
 */

/**
 * Saves what {@code doctor} reads of a host into a directory: the files a {@link HostReader} reads,
 * byte for byte as they were parsed, laid out like the host ({@code dir/proc/meminfo}, {@code
 * dir/sys/fs/cgroup/...}) so that reading {@code HostPaths.under(dir)} elsewhere gives the same
 * evidence; {@code /proc/uptime} for doctor's header; the kernel log and the killers' records as
 * {@value #KERNEL_LOG} and {@value #KILLERS_LOG}; and last the {@link SnapshotManifest} naming
 * every source, read or not.
 *
 * <p>An entry whose presence is the evidence (the device link in the virtio_balloon driver's
 * directory) is saved as an empty file of the same name: a plain file survives tar, zip and git,
 * where a dangling link may not.
 *
 * {@snippet :
 * SnapshotWriter writer = SnapshotWriter.into(dir);
 * HostSnapshot host = writer.saveHost(HostPaths.DEFAULT);
 * writer.saveLog(SnapshotWriter.KERNEL_LOG, List.of(kmsg, journal));
 * writer.saveLog(SnapshotWriter.KILLERS_LOG, List.of(killers));
 * writer.finish();
 * }
 */
public final class SnapshotWriter {
  /** The name of the saved kernel log inside the snapshot. */
  public static final String KERNEL_LOG = "kernel.log";

  /** The name of the saved records of userspace OOM killers inside the snapshot. */
  public static final String KILLERS_LOG = "killers.log";

  private final Path dir;
  private final List<SnapshotManifest.Entry> entries = new ArrayList<>();

  private SnapshotWriter(Path dir) {
    this.dir = dir;
  }

  /**
   * A writer into {@code dir}, created if missing; files of an earlier snapshot there are replaced
   * as this one saves them.
   *
   * @throws IOException when {@code dir} cannot be created
   */
  public static SnapshotWriter into(Path dir) throws IOException {
    Files.createDirectories(dir);
    // Until finish() writes this snapshot's, an earlier one's would vouch for files not yet saved.
    Files.deleteIfExists(dir.resolve(SnapshotManifest.FILE_NAME));
    return new SnapshotWriter(dir);
  }

  /**
   * Reads the host at {@code paths} and writes what was read under {@code dir}, with its manifest.
   *
   * @return the snapshot as read, problems included
   * @throws IOException when {@code dir} cannot be written
   */
  public static HostSnapshot write(HostPaths paths, Path dir) throws IOException {
    SnapshotWriter writer = into(dir);
    HostSnapshot snapshot = writer.saveHost(paths);
    writer.finish();
    return snapshot;
  }

  /**
   * Reads the host at {@code paths} as {@link HostReader} does, plus {@code /proc/uptime}, and
   * saves every file read.
   *
   * @return the snapshot as read, problems included
   * @throws IOException when the directory cannot be written
   */
  public HostSnapshot saveHost(HostPaths paths) throws IOException {
    FileAccess access = new FileAccess(true);
    HostSnapshot snapshot = HostReader.read(paths, OptionalLong.empty(), access);
    // Doctor's header reads the uptime from the host's /proc itself; a snapshot keeps it for it.
    access.read(paths.proc().resolve("uptime"), new ArrayList<>());
    for (Map.Entry<Path, byte[]> file : access.files().entrySet()) {
      Path target = dir.resolve(relative(paths, file.getKey()));
      Files.createDirectories(target.getParent());
      Files.write(target, file.getValue());
      entries.add(entry(paths, file.getKey(), Optional.empty()));
    }
    for (Path marker : access.markers()) {
      Path target = dir.resolve(relative(paths, marker));
      Files.createDirectories(target.getParent());
      if (!Files.exists(target)) {
        Files.createFile(target);
      }
      entries.add(entry(paths, marker, Optional.empty()));
    }
    for (Map.Entry<Path, String> failed : access.unreadable().entrySet()) {
      entries.add(entry(paths, failed.getKey(), Optional.of(failed.getValue())));
    }
    return snapshot;
  }

  private static SnapshotManifest.Entry entry(HostPaths paths, Path file, Optional<String> why) {
    return new SnapshotManifest.Entry(
        relative(paths, file).toString(), file.toString(), why, List.of());
  }

  /**
   * What saving one log gave.
   *
   * @param file the name it was (or would have been) saved as, inside the snapshot
   * @param source the name of the log saved; empty when none of the sources could be read
   * @param problems met while reading the log saved, as the log told them (the manifest keeps them
   *     too, citing the saved file), or, when none could be read, why each could not
   */
  public record SavedLog(String file, Optional<String> source, List<Problem> problems) {
    public SavedLog {
      problems = List.copyOf(problems);
    }

    public boolean saved() {
      return source.isPresent();
    }
  }

  /**
   * Saves the first of {@code sources} that can be read as {@code name}, byte for byte. When none
   * can (each ended before its first byte, with a problem saying why), nothing is left at {@code
   * name} and the manifest says why.
   *
   * @throws IOException when the directory cannot be written
   */
  public SavedLog saveLog(String name, List<Supplier<LiveLog>> sources) throws IOException {
    Path file = dir.resolve(name);
    Path partial = dir.resolve(name + ".partial");
    List<String> tried = new ArrayList<>();
    List<Problem> why = new ArrayList<>();
    for (Supplier<LiveLog> source : sources) {
      try (LiveLog log = source.get()) {
        long bytes;
        try (InputStream in = log.stream();
            OutputStream to = Files.newOutputStream(partial)) {
          bytes = in.transferTo(to);
        }
        tried.add(log.name());
        if (bytes == 0 && !log.problems().isEmpty()) {
          Files.deleteIfExists(partial);
          why.add(log.problems().get(0));
          continue;
        }
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
        List<Problem> problems = new ArrayList<>();
        for (Problem p : log.problems()) {
          problems.add(new Problem(name, p.line(), p.message(), p.kind()));
        }
        entries.add(new SnapshotManifest.Entry(name, log.name(), Optional.empty(), problems));
        return new SavedLog(name, Optional.of(log.name()), log.problems());
      }
    }
    Files.deleteIfExists(file);
    String reasons =
        why.isEmpty()
            ? "no source to read"
            : String.join("; ", why.stream().map(Problem::message).toList());
    entries.add(
        new SnapshotManifest.Entry(
            name, String.join(", ", tried), Optional.of(reasons), List.of()));
    return new SavedLog(name, Optional.empty(), why);
  }

  /**
   * Writes the manifest, last, so that a snapshot interrupted before has none (and is not taken for
   * a complete one).
   *
   * @return the manifest file
   * @throws IOException when it cannot be written
   */
  public Path finish() throws IOException {
    Path manifest = dir.resolve(SnapshotManifest.FILE_NAME);
    Path partial = dir.resolve(SnapshotManifest.FILE_NAME + ".partial");
    Files.writeString(partial, new SnapshotManifest(entries).text(), StandardCharsets.UTF_8);
    Files.move(partial, manifest, StandardCopyOption.REPLACE_EXISTING);
    return manifest;
  }

  /** Where a file of the host goes in the saved tree: proc/..., sys/..., or as under the root. */
  static Path relative(HostPaths paths, Path file) {
    if (file.startsWith(paths.proc())) {
      return Path.of("proc").resolve(paths.proc().relativize(file).toString());
    }
    if (file.startsWith(paths.sys())) {
      return Path.of("sys").resolve(paths.sys().relativize(file).toString());
    }
    if (file.startsWith(paths.root())) {
      return Path.of(paths.root().relativize(file).toString());
    }
    throw new IllegalArgumentException(file + " is outside " + paths);
  }
}
