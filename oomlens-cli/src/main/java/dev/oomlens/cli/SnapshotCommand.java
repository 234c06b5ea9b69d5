package dev.oomlens.cli;

import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.core.model.Problem;
import dev.oomlens.host.LiveLog;
import dev.oomlens.host.paths.HostPaths;
import dev.oomlens.host.snapshot.SnapshotWriter;
import dev.oomlens.report.escape.EscapingWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/*
 * The kernel log is saved as its reader hands it over, /dev/kmsg records ("prio,seq,usec,flags;
 * message") or the journal's short-iso-precise lines, byte for byte: the kernel-log reader knows
 * both framings, so the saved file reads exactly as the live log did, and the times in it stay
 * absolute (kmsg: since boot; journal: wall clock with zone). The journal's records of userspace
 * OOM killers go beside it, byte for byte too, in a file of their own: doctor --kernel-log reads
 * every file it is given for both kinds of line, and numbers the lines as the live run did. A
 * machine without a journal has no such file; that is said, and is no failure of the snapshot.
 */

/**
 * {@code oomlens snapshot DIR}: saves what {@code doctor} reads (the /proc and /sys files, the
 * kernel log) so the machine can be diagnosed elsewhere, with the same result.
 */
@Command(
    name = "snapshot",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Saves what doctor reads on this machine into DIR: the /proc and /sys files it parses"
          + " (meminfo, vmstat, PSI, swaps, zram, zswap, the balloon driver, memory cgroups),"
          + " laid out as on the host, the kernel log as DIR/kernel.log (/dev/kmsg records,"
          + " or the journal's kernel messages when /dev/kmsg cannot be read), and the journal's"
          + " records of userspace OOM killers as DIR/killers.log.",
      "Diagnose it anywhere with: oomlens doctor --path.rootfs DIR --kernel-log DIR/kernel.log"
          + " DIR/killers.log",
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      ExitCodes.SAVED_HELP, ExitCodes.USAGE_HELP, ExitCodes.SAVE_INPUT_HELP,
      ExitCodes.INTERNAL_HELP
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  sudo oomlens snapshot node-7 && tar czf node-7.tgz node-7",
      "  oomlens doctor --path.rootfs node-7 --kernel-log node-7/*.log",
    })
final class SnapshotCommand implements Callable<Integer> {
  /** The name of the saved kernel log inside the snapshot. */
  static final String KERNEL_LOG = "kernel.log";

  /** The name of the saved records of userspace OOM killers inside the snapshot. */
  static final String KILLERS_LOG = "killers.log";

  @ParentCommand OomlensCommand root;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "DIR", arity = "1",
      description = "Directory to save into; created if missing, files in it are replaced.")
  Path dir;

  @Mixin HostOptions host;

  @Override
  public Integer call() {
    Environment env = root.environment();
    // The summary names the host, from its files.
    PrintWriter out = EscapingWriter.wrap(spec.commandLine().getOut());
    PrintWriter err = spec.commandLine().getErr();
    HostPaths paths = host.paths(env.host());
    HostSnapshot snapshot;
    try {
      Files.createDirectories(dir);
      snapshot = SnapshotWriter.write(paths, dir);
    } catch (IOException e) {
      err.println("oomlens: cannot write " + dir + ": " + KernelLogRun.reason(e));
      return ExitCodes.INPUT;
    }
    int code = ExitCodes.OK;
    if (snapshot.meminfo().isEmpty()) {
      err.println("oomlens: cannot read " + paths.proc().resolve("meminfo"));
      code = ExitCodes.INPUT;
    }
    for (Problem p : snapshot.problems()) {
      err.println("oomlens: " + p);
    }
    Path logFile = dir.resolve(KERNEL_LOG);
    Path killersFile = dir.resolve(KILLERS_LOG);
    List<String> why = new ArrayList<>();
    List<String> killersWhy = new ArrayList<>();
    Optional<String> saved;
    Optional<String> killersSaved;
    Path writing = logFile;
    try {
      saved = save(env.kmsg(), logFile, why, err);
      if (saved.isEmpty()) {
        saved = save(env.journal(), logFile, why, err);
      }
      writing = killersFile;
      killersSaved = save(env.killers(), killersFile, killersWhy, err);
      if (killersSaved.isEmpty()) {
        // A file left by an earlier snapshot into this directory would pass for this machine's.
        Files.deleteIfExists(killersFile);
      }
    } catch (IOException e) {
      err.println("oomlens: cannot write " + writing + ": " + KernelLogRun.reason(e));
      return ExitCodes.INPUT;
    }
    if (saved.isEmpty()) {
      err.println("oomlens: no kernel log of this machine can be read:");
      why.forEach(w -> err.println("  " + w));
      err.println("The host's files were saved; run as root to save the kernel log too.");
      code = ExitCodes.INPUT;
    }
    killersWhy.forEach(w -> err.println("oomlens: " + w));
    List<String> logs = new ArrayList<>();
    saved.ifPresent(s -> logs.add(", the kernel log (" + s + ") as " + logFile));
    killersSaved.ifPresent(s -> logs.add(", the records of userspace OOM killers (" + s
        + ") as " + killersFile));
    out.println("Saved " + snapshot.cgroups().size() + " memory cgroups and the /proc and /sys"
        + " files of " + snapshot.hostname().orElse("the host") + " under " + dir
        + String.join("", logs) + ".");
    List<String> files = new ArrayList<>();
    saved.ifPresent(s -> files.add(logFile.toString()));
    killersSaved.ifPresent(s -> files.add(killersFile.toString()));
    out.println("Diagnose it with: oomlens doctor --path.rootfs " + dir
        + (files.isEmpty() ? "" : " --kernel-log " + String.join(" ", files)));
    out.flush();
    err.flush();
    return code;
  }

  /**
   * Copies one live log into {@code file}; returns its name, or empty (having written nothing)
   * when it could not be read at all.
   */
  private static Optional<String> save(Supplier<LiveLog> source, Path file, List<String> why,
      PrintWriter err) throws IOException {
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    try (LiveLog log = source.get()) {
      long bytes;
      try (InputStream in = log.stream(); OutputStream to = Files.newOutputStream(partial)) {
        bytes = in.transferTo(to);
      }
      if (bytes == 0 && !log.problems().isEmpty()) {
        Files.deleteIfExists(partial);
        why.add(KernelLogRun.why(log));
        return Optional.empty();
      }
      log.problems().forEach(p -> err.println("oomlens: " + p));
      Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
      return Optional.of(log.name());
    }
  }
}
