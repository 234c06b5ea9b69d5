package dev.oomlens.host.logs;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.model.Problem;
import dev.oomlens.host.LiveLog;
import dev.oomlens.host.journal.JournalReader;
import dev.oomlens.host.journal.KillerJournalReader;
import dev.oomlens.host.paths.HostPaths;
import dev.oomlens.host.snapshot.SnapshotManifest;
import dev.oomlens.host.snapshot.SnapshotWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/*
 * Where a root keeps its logs, looked at in this order:
 *
 * 1. A snapshot (oomlens-manifest.txt, or kernel.log of a snapshot older than manifests): its
 *    kernel.log and killers.log. A log the manifest names as unreadable is not looked for
 *    anywhere else: the snapshot says it is unknown, and so does the result.
 * 2. The root runs on this very kernel (its /proc/sys/kernel/random/boot_id is this machine's, as
 *    in a pod that mounts its node at /host): this machine's /dev/kmsg is that root's kernel log,
 *    from its boot, and comes first.
 * 3. Text logs under var/log: kern.log (rsyslog on Debian and Ubuntu: the kernel's messages only),
 *    else messages (RHEL, SUSE) or syslog (Debian without kern.log), which hold the kernel's lines
 *    and the killers' together. Each with its rotations (kern.log.1, kern.log.2.gz, ...,
 *    messages-20240301, ...), oldest first: the whole history they hold, every boot in it, since a
 *    text log cannot be cut at a boot without reading it, and the kill asked about is often the
 *    one before a reboot. Compressed rotations other than gzip are left out (they would be refused
 *    as not text).
 * 4. The journal, var/log/journal (persistent) else run/log/journal (volatile), read with
 *    journalctl -D: kernel messages with -k -b, which with -D is the last boot the files hold (the
 *    running one for a mounted live host), as doctor reads this machine's.
 *
 * The killers' records come from the journal when there is one; else from messages or syslog when
 * the kernel's lines came from kern.log (or from /dev/kmsg); never from the same lines twice.
 */

/**
 * The kernel log and the userspace killers' records of the host at a root other than this machine's
 * ({@code --path.rootfs}): the ways to read its kernel log, in the order to try them, each with
 * where the killers' records are; what a snapshot's manifest says could not be saved; and, for
 * saying why when nothing was found, every place looked at.
 *
 * <p>Never reads this machine's logs, except its {@code /dev/kmsg} when the root runs on this very
 * kernel (then it is that root's). Looking costs a few file-system calls; nothing is read until a
 * {@link Source} is.
 *
 * @param root the root looked under
 * @param sources ways to read the kernel log, to try in order: the first that can be read at all is
 *     the kernel log; empty when none was found
 * @param problems what could not be saved of a snapshot's logs, or was lost while saving them, each
 *     citing the snapshot's file; they belong among the run's problems
 * @param lookedAt every place looked at, in words, for "no kernel log found in ..."
 */
public record RootLogs(
    Path root, List<Source> sources, List<Problem> problems, List<String> lookedAt) {

  public RootLogs {
    requireNonNull(root, "root");
    sources = List.copyOf(sources);
    problems = List.copyOf(problems);
    lookedAt = List.copyOf(lookedAt);
  }

  /**
   * One way to read the kernel log: saved files, or a live log (journalctl, this kernel's kmsg);
   * and, once it has been read, where the killers' records are.
   *
   * @param name the place, in words ({@code /host/var/log/kern.log and 3 rotations})
   * @param files files to read in this order, each as a saved kernel log (gzip by content); they
   *     hold the killers' records too when {@code killers} is empty
   * @param live a live log to read instead, when {@code files} is empty; a log that ends before its
   *     first byte with a problem could not be read, and the next source is tried
   * @param killers logs to read for the killers' records alone, each in full
   */
  public record Source(
      String name,
      List<Path> files,
      Optional<Supplier<LiveLog>> live,
      List<Supplier<LiveLog>> killers) {
    public Source {
      requireNonNull(name, "name");
      files = List.copyOf(files);
      requireNonNull(live, "live");
      killers = List.copyOf(killers);
      if (files.isEmpty() == live.isEmpty()) {
        throw new IllegalArgumentException("a source is files or a live log: " + name);
      }
    }
  }

  /** True when no kernel log was found under the root. */
  public boolean isEmpty() {
    return sources.isEmpty();
  }

  /** The sentence for a root without a kernel log: where it was looked for. */
  public String notFound() {
    return "no kernel log found under " + root + "; looked at " + String.join(", ", lookedAt);
  }

  private static final Pattern BOOT_ID = Pattern.compile("[0-9a-f-]{32,36}");

  /**
   * The logs of the host at {@code host}, found under its root.
   *
   * @param thisMachine this machine's paths, whose boot id tells whether {@code host} runs on this
   *     kernel
   * @param thisKmsg opens this machine's {@code /dev/kmsg}, used only when it does
   */
  public static RootLogs find(HostPaths host, HostPaths thisMachine, Supplier<LiveLog> thisKmsg) {
    return find(
        host,
        thisMachine,
        thisKmsg,
        JournalReader.ofThisMachine(),
        KillerJournalReader.ofThisMachine());
  }

  static RootLogs find(
      HostPaths host,
      HostPaths thisMachine,
      Supplier<LiveLog> thisKmsg,
      JournalReader journalctl,
      KillerJournalReader killersJournalctl) {
    Path root = host.root();
    List<String> lookedAt = new ArrayList<>();
    Optional<RootLogs> snapshot = snapshot(root, lookedAt);
    if (snapshot.isPresent()) {
      return snapshot.get();
    }
    Path log = root.resolve("var/log");
    List<Path> kern = withRotations(log, "kern.log");
    List<Path> syslog = withRotations(log, "messages");
    if (syslog.isEmpty()) {
      syslog = withRotations(log, "syslog");
    }
    Optional<Path> journal =
        Stream.of(log.resolve("journal"), root.resolve("run/log/journal"))
            .filter(RootLogs::holdsJournalFiles)
            .findFirst();
    lookedAt.add(log.resolve("kern.log").toString());
    lookedAt.add(log.resolve("messages").toString());
    lookedAt.add(log.resolve("syslog").toString());
    lookedAt.add(log.resolve("journal").toString());
    lookedAt.add(root.resolve("run/log/journal").toString());

    List<Supplier<LiveLog>> journalKillers =
        journal
            .<List<Supplier<LiveLog>>>map(d -> List.of(killersJournalctl.directory(d)::open))
            .orElse(List.of());
    List<Supplier<LiveLog>> textKillers =
        syslog.stream().<Supplier<LiveLog>>map(f -> () -> new FileLog(f)).toList();
    List<Source> sources = new ArrayList<>();
    if (sameKernel(host, thisMachine)) {
      sources.add(
          new Source(
              "/dev/kmsg (" + root + " runs on this kernel)",
              List.of(),
              Optional.of(thisKmsg),
              journal.isPresent() ? journalKillers : textKillers));
      lookedAt.add(0, "/dev/kmsg (" + root + " runs on this kernel)");
    }
    if (!kern.isEmpty()) {
      sources.add(
          new Source(
              describe(kern),
              kern,
              Optional.empty(),
              journal.isPresent() ? journalKillers : textKillers));
    } else if (!syslog.isEmpty()) {
      sources.add(new Source(describe(syslog), syslog, Optional.empty(), List.of()));
    } else if (journal.isPresent()) {
      JournalReader kernel = journalctl.directory(journal.get());
      sources.add(
          new Source(
              String.join(" ", kernel.command()),
              List.of(),
              Optional.of(kernel::open),
              journalKillers));
    }
    return new RootLogs(root, sources, List.of(), lookedAt);
  }

  /** The logs of a snapshot directory, or empty when {@code root} is not one. */
  private static Optional<RootLogs> snapshot(Path root, List<String> lookedAt) {
    Path kernelLog = root.resolve(SnapshotWriter.KERNEL_LOG);
    Path killersLog = root.resolve(SnapshotWriter.KILLERS_LOG);
    Optional<SnapshotManifest> manifest;
    List<Problem> problems = new ArrayList<>();
    try {
      manifest = SnapshotManifest.read(root);
    } catch (IOException e) {
      manifest = Optional.empty();
      problems.add(
          new Problem(
              root.resolve(SnapshotManifest.FILE_NAME).toString(),
              0,
              "cannot read the snapshot's manifest ("
                  + e.getMessage()
                  + "); a log missing from the"
                  + " snapshot may have been unreadable, not empty",
              Problem.Kind.UNREADABLE));
    }
    if (manifest.isEmpty() && !Files.isRegularFile(kernelLog) && problems.isEmpty()) {
      lookedAt.add(root.resolve(SnapshotManifest.FILE_NAME) + " (a snapshot)");
      return Optional.empty();
    }
    lookedAt.add(kernelLog + " (a snapshot)");
    List<Supplier<LiveLog>> killers = new ArrayList<>();
    Optional<SnapshotManifest.Entry> killersEntry =
        manifest.flatMap(m -> m.entry(SnapshotWriter.KILLERS_LOG));
    killersEntry.ifPresent(
        e -> problems.addAll(told(root, e, "the records of userspace OOM" + " killers")));
    if (Files.isRegularFile(killersLog) && killersEntry.map(e -> e.read()).orElse(true)) {
      killers.add(() -> new FileLog(killersLog));
    }
    Optional<SnapshotManifest.Entry> kernelEntry =
        manifest.flatMap(m -> m.entry(SnapshotWriter.KERNEL_LOG));
    kernelEntry.ifPresent(e -> problems.addAll(told(root, e, "the kernel log")));
    List<Source> sources = new ArrayList<>();
    if (Files.isRegularFile(kernelLog) && kernelEntry.map(e -> e.read()).orElse(true)) {
      sources.add(new Source(kernelLog.toString(), List.of(kernelLog), Optional.empty(), killers));
    }
    return Optional.of(new RootLogs(root, sources, problems, lookedAt));
  }

  /** The problems a manifest entry tells of, each citing the snapshot's file. */
  private static List<Problem> told(Path root, SnapshotManifest.Entry e, String what) {
    String file = root.resolve(e.path()).toString();
    if (e.unreadable().isPresent()) {
      return List.of(
          new Problem(
              file,
              0,
              "the snapshot could not save "
                  + what
                  + " ("
                  + e.unreadable().get()
                  + "); what it holds is unknown",
              Problem.Kind.UNREADABLE));
    }
    return e.problems().stream()
        .map(p -> new Problem(file, p.line(), p.message(), p.kind()))
        .toList();
  }

  /** True when {@code host}'s boot id is this machine's: the same kernel, running now. */
  private static boolean sameKernel(HostPaths host, HostPaths thisMachine) {
    Optional<String> theirs = bootId(host.proc());
    return theirs.isPresent() && theirs.equals(bootId(thisMachine.proc()));
  }

  private static Optional<String> bootId(Path proc) {
    try {
      String id =
          Files.readString(proc.resolve("sys/kernel/random/boot_id"), StandardCharsets.US_ASCII)
              .strip();
      return BOOT_ID.matcher(id).matches() ? Optional.of(id) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static boolean holdsJournalFiles(Path dir) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    // journald keeps its files in one directory per machine id, below the journal directory.
    try (Stream<Path> files = Files.walk(dir, 2)) {
      return files.anyMatch(
          p -> {
            String name = p.getFileName().toString();
            return name.endsWith(".journal") || name.endsWith(".journal~");
          });
    } catch (IOException | RuntimeException e) {
      // A journal directory that cannot be searched is tried: journalctl says why it fails.
      return true;
    }
  }

  private static final Pattern NUMBERED = Pattern.compile("\\.(\\d{1,4})(\\.gz)?");
  private static final Pattern DATED = Pattern.compile("-(\\d{8,10})(\\.gz)?");

  /**
   * {@code dir/base} and its rotations as logrotate names them, oldest first: {@code base.N} and
   * {@code base.N.gz} (higher N is older), or {@code base-YYYYMMDD[.gz]} (dateext).
   */
  static List<Path> withRotations(Path dir, String base) {
    record Rotation(Path path, int rank, long key) {}
    List<Rotation> found = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, base + "*")) {
      for (Path p : entries) {
        if (!Files.isRegularFile(p)) {
          continue;
        }
        String rest = p.getFileName().toString().substring(base.length());
        Matcher numbered = NUMBERED.matcher(rest);
        Matcher dated = DATED.matcher(rest);
        if (rest.isEmpty()) {
          found.add(new Rotation(p, 2, 0));
        } else if (numbered.matches()) {
          found.add(new Rotation(p, 0, -Long.parseLong(numbered.group(1))));
        } else if (dated.matches()) {
          found.add(new Rotation(p, 1, Long.parseLong(dated.group(1))));
        }
      }
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
    found.sort(Comparator.comparingInt(Rotation::rank).thenComparingLong(Rotation::key));
    return found.stream().map(Rotation::path).toList();
  }

  private static String describe(List<Path> files) {
    Path newest = files.getLast();
    int rotations = files.size() - 1;
    return newest
        + (rotations == 0
            ? ""
            : " and " + rotations + (rotations == 1 ? " rotation" : " rotations"));
  }
}
