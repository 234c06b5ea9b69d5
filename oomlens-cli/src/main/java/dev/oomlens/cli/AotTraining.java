package dev.oomlens.cli;

import java.nio.file.Path;

/**
 * The training run of the CLI's ahead-of-time cache (see oomlens-bench's pom): {@code diagnose} on
 * one large log in every report format, in one JVM, since a JDK 25 cache is recorded from a single
 * run and a class the run never loads (the text renderer's, when only JSON was written) is left out
 * of it. Lives in the CLI's jar because the cache holds only classes of the class path it was made
 * with, which must be the launcher's.
 *
 * <pre>java -XX:AOTCacheOutput=oomlens.aot -cp oomlens.jar dev.oomlens.cli.AotTraining LOG OUTDIR
 * </pre>
 */
public final class AotTraining {
  private AotTraining() {}

  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: AotTraining LOG OUTDIR");
      System.exit(ExitCodes.USAGE);
    }
    Path out = Path.of(args[1]);
    for (OutputOptions.Format format : OutputOptions.Format.values()) {
      String report = out.resolve("aot-training." + format).toString();
      int exit =
          Main.commandLine(new OomlensCommand())
              .execute("diagnose", "--format", format.name(), "--output", report, args[0]);
      // Findings (1) are what a training log is for; anything else means the run taught nothing.
      if (exit != ExitCodes.OK && exit != ExitCodes.FINDINGS) {
        System.err.println("AotTraining: diagnose --format " + format + " exited " + exit);
        System.exit(exit);
      }
    }
  }
}
