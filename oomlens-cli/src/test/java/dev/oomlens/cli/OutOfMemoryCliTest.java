package dev.oomlens.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM too small for its input: oomlens in a child JVM with a 16 MiB heap, sizing a series file
 * whose 500,000 samples of one series it must hold to sort (a CSV's series are sorted by time
 * before they are summed).
 */
class OutOfMemoryCliTest {
  @TempDir Path dir;

  @Test
  void heapTooSmall_oneLineNamingWhatRanOutAndHowToGiveMore() throws Exception {
    Path csv = dir.resolve("big.csv");
    try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
      w.write("time,series,value\n");
      for (int i = 0; i < 500_000; i++) {
        w.write(Long.toString(1770508800L + 500_000 - i));
        w.write(",w,");
        w.write(Integer.toString(100_000_000 + i));
        w.write('\n');
      }
    }
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    Process p =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx16m",
                    "-XX:+UseSerialGC",
                    "-cp",
                    System.getProperty("java.class.path"),
                    Main.class.getName(),
                    "size",
                    "--series",
                    csv.toString()))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String e = Files.readString(err, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(e).isEqualTo(ExitCodes.INTERNAL);
    assertThat(e.lines().toList())
        .containsExactly(
            "oomlens: out of memory: the Java heap ran out (Java heap space; its maximum is 16"
                + " MiB); give the JVM more: OOMLENS_JAVA_OPTS=-Xmx256m oomlens ... (or java"
                + " -Xmx256m -jar oomlens.jar ...)");
  }

  /** A worker's error reaches the handler wrapped: it is found in the chain. */
  @Test
  void outOfMemory_foundThroughTheCauses() {
    OutOfMemoryError oom = new OutOfMemoryError("Metaspace");
    Exception wrapped =
        new java.util.concurrent.CompletionException(new IllegalStateException("reading", oom));
    assertThat(ErrorHandlers.outOfMemory(wrapped)).containsSame(oom);
    assertThat(ErrorHandlers.outOfMemory(new IllegalStateException("no"))).isEmpty();
    java.io.StringWriter s = new java.io.StringWriter();
    assertThat(ErrorHandlers.outOfMemory(new java.io.PrintWriter(s), oom))
        .isEqualTo(ExitCodes.INTERNAL);
    assertThat(s.toString())
        .isEqualTo(
            "oomlens: out of memory: its metaspace (class metadata) ran out; give the JVM more:"
                + " OOMLENS_JAVA_OPTS=-XX:MaxMetaspaceSize=512m oomlens ... (or java"
                + " -XX:MaxMetaspaceSize=512m -jar oomlens.jar ...)"
                + System.lineSeparator());
  }
}
