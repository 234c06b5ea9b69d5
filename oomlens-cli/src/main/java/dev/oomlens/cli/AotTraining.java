package dev.oomlens.cli;

import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.List;

/**
 * The training run of the CLI's ahead-of-time cache (see oomlens-bench's pom), in one JVM, since a
 * JDK 25 cache is recorded from a single run and a class the run never loads (the text renderer's,
 * when only JSON was written) is left out of it. It runs what people run most: {@code --version}
 * and the help texts (picocli's help layout), {@code diagnose} on one small report in every format
 * (the start path of a pasted report), {@code doctor} on this machine (/dev/kmsg or the journal,
 * /proc, /sys and every cgroup; whatever it finds, and whether or not it may read the kernel log),
 * and last {@code diagnose} on one large log in every format, whose method profiles are what make
 * big inputs faster. Lives in the CLI's jar because the cache holds only classes of the class path
 * it was made with, which must be the launcher's.
 *
 * <pre>java -XX:AOTCacheOutput=oomlens.aot -cp oomlens.jar dev.oomlens.cli.AotTraining \
 *     LARGE_LOG SMALL_REPORT OUTDIR
 * </pre>
 */
public final class AotTraining {
  private AotTraining() {}

  public static void main(String[] args) {
    if (args.length != 3) {
      System.err.println("usage: AotTraining LARGE_LOG SMALL_REPORT OUTDIR");
      System.exit(ExitCodes.USAGE);
    }
    String large = args[0];
    String small = args[1];
    Path out = Path.of(args[2]);
    for (List<String> help : List.of(List.of("--version"), List.of("--help"))) {
      run(help, false);
    }
    for (String command : List.of("doctor", "diagnose", "k8s", "snapshot", "watch", "history")) {
      run(List.of(command, "--help"), false);
    }
    for (OutputOptions.Format format : OutputOptions.Format.values()) {
      String report = out.resolve("aot-training-small." + format).toString();
      run(List.of("diagnose", "--format", format.name(), "--output", report, small), true);
    }
    // This machine's state, not a fixture: the sources doctor reads are the point, and its
    // findings (or a kernel log it may not read) change nothing about which classes it loads.
    run(
        List.of(
            "doctor", "--no-cluster", "--output", out.resolve("aot-training.doctor").toString()),
        false);
    for (OutputOptions.Format format : OutputOptions.Format.values()) {
      String report = out.resolve("aot-training." + format).toString();
      run(List.of("diagnose", "--format", format.name(), "--output", report, large), true);
    }
  }

  /**
   * Runs one command line with standard output and error discarded (help texts, doctor's notes);
   * when {@code mustDiagnose}, exits unless it ended with findings or none, since any other exit
   * means the run taught the cache nothing about diagnosing.
   */
  private static void run(List<String> args, boolean mustDiagnose) {
    PrintWriter discard = new PrintWriter(Writer.nullWriter());
    int exit =
        Main.commandLine(new OomlensCommand())
            .setOut(discard)
            .setErr(discard)
            .execute(args.toArray(String[]::new));
    if (mustDiagnose && exit != ExitCodes.OK && exit != ExitCodes.FINDINGS) {
      System.err.println("AotTraining: " + String.join(" ", args) + " exited " + exit);
      System.exit(exit);
    }
  }
}
