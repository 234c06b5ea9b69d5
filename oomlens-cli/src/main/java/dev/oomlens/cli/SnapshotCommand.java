package dev.oomlens.cli;

import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.core.model.Problem;
import dev.oomlens.host.paths.HostPaths;
import dev.oomlens.host.snapshot.SnapshotManifest;
import dev.oomlens.host.snapshot.SnapshotWriter;
import dev.oomlens.report.escape.EscapingWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code oomlens snapshot DIR}: saves what {@code doctor} reads (the /proc and /sys files, the
 * kernel log) so the machine can be diagnosed elsewhere, with the same result.
 */
@Command(
    name = "snapshot",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Saves what doctor reads on this machine into DIR, to diagnose it elsewhere: the /proc and"
          + " /sys files it parses, its kernel log, the records of userspace OOM killers, and a"
          + " manifest of what could not be read.",
      "The host's files, laid out as on the host: hostname, kernel release and uptime; meminfo,"
          + " vmstat, PSI, swaps, zram, zswap, the balloon driver; the memory cgroups (cgroup v2,"
          + " or v1's memory hierarchy). DIR/kernel.log: the /dev/kmsg records, or the journal's"
          + " kernel messages of this boot when /dev/kmsg cannot be read. DIR/killers.log: the"
          + " journal's records of userspace OOM killers of this boot.",
      "DIR/"
          + SnapshotManifest.FILE_NAME
          + " names each source and the file it was saved as,"
          + " or why it could not be read: what could not be read leaves no file, so it is"
          + " never taken for something that held nothing.",
      "Diagnose it anywhere with: oomlens doctor --path.rootfs DIR",
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      ExitCodes.SAVED_HELP,
      ExitCodes.USAGE_HELP,
      ExitCodes.SAVE_INPUT_HELP,
      ExitCodes.INTERNAL_HELP
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  sudo oomlens snapshot node-7 && tar czf node-7.tgz node-7",
      "  oomlens doctor --path.rootfs node-7",
    })
final class SnapshotCommand implements Callable<Integer> {
  /** The name of the saved kernel log inside the snapshot. */
  static final String KERNEL_LOG = SnapshotWriter.KERNEL_LOG;

  /** The name of the saved records of userspace OOM killers inside the snapshot. */
  static final String KILLERS_LOG = SnapshotWriter.KILLERS_LOG;

  @ParentCommand OomlensCommand root;

  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "DIR",
      arity = "1",
      description = "Directory to save into; created if missing, files in it are replaced.")
  Path dir;

  @Mixin HostOptions host;

  @Override
  public Integer call() {
    if (host.vmMemoryBytes != null) {
      throw new ParameterException(
          spec.commandLine(),
          "--vm-memory is not saved in a snapshot;"
              + " give it to doctor when it reads the snapshot");
    }
    Environment env = root.environment();
    // The summary names the host, from its files.
    PrintWriter out = EscapingWriter.wrap(spec.commandLine().getOut());
    PrintWriter err = spec.commandLine().getErr();
    HostPaths paths = host.paths(env.host());
    HostSnapshot snapshot;
    SnapshotWriter.SavedLog kernel;
    SnapshotWriter.SavedLog killers;
    try {
      SnapshotWriter writer = SnapshotWriter.into(dir);
      snapshot = writer.saveHost(paths);
      kernel = writer.saveLog(KERNEL_LOG, List.of(env.kmsg(), env.journal()));
      killers = writer.saveLog(KILLERS_LOG, List.of(env.killers()));
      writer.finish();
    } catch (IOException e) {
      err.println("oomlens: cannot write " + dir + ": " + dev.oomlens.core.source.IoReasons.of(e));
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
    if (kernel.saved()) {
      kernel.problems().forEach(p -> err.println("oomlens: " + p));
    } else {
      err.println("oomlens: no kernel log of this machine can be read:");
      kernel.problems().forEach(p -> err.println("  " + p.message()));
      err.println("The host's files were saved; run as root to save the kernel log too.");
      code = ExitCodes.INPUT;
    }
    // A machine without a journal has no killers' records to save: said, and no failure.
    killers.problems().forEach(p -> err.println("oomlens: " + (killers.saved() ? p : p.message())));
    Path logFile = dir.resolve(KERNEL_LOG);
    Path killersFile = dir.resolve(KILLERS_LOG);
    List<String> logs = new ArrayList<>();
    kernel.source().ifPresent(s -> logs.add(", the kernel log (" + s + ") as " + logFile));
    killers
        .source()
        .ifPresent(
            s -> logs.add(", the records of userspace OOM killers (" + s + ") as " + killersFile));
    out.println(
        "Saved "
            + snapshot.cgroups().size()
            + " memory cgroups and the /proc and /sys"
            + " files of "
            + snapshot.hostname().orElse("the host")
            + " under "
            + dir
            + String.join("", logs)
            + "; what could not be read is listed in "
            + dir.resolve(SnapshotManifest.FILE_NAME)
            + ".");
    out.println("Diagnose it with: oomlens doctor --path.rootfs " + dir);
    out.flush();
    err.flush();
    return code;
  }
}
