package dev.oomlens.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SizeMarkdownTest {
  private static final String INPUTS = HtmlBrowserTest.INPUTS;

  @TempDir Path dir;

  @Test
  void markdown_tableReasonsAndPatch() {
    CliTest.Run r =
        CliTest.run(
            "size",
            "--format",
            "markdown",
            "--series",
            INPUTS + "series-spike.csv",
            INPUTS + "series-near-limit.csv");
    assertThat(r.err()).isEmpty();
    assertThat(r.out())
        .startsWith("## Memory sizes of 2 workloads\n")
        .contains("| Workload | Shape | Restarts | P50 |", "|---|---|")
        .contains("| `shop/spiky-0/spiky` | spike | - |")
        .contains("### Why these sizes", "### Why oomlens differs", "### Patch\n\n```sh\n")
        .contains("kubectl -n shop patch statefulset spiky");
  }

  /** The report is written to its file as it is laid out; a file that cannot be made is exit 3. */
  @Test
  void output_writesTheFile_orSaysWhyNot() throws IOException {
    Path report = dir.resolve("size.json");
    CliTest.Run r =
        CliTest.run(
            "size",
            "--format",
            "json",
            "-o",
            report.toString(),
            "--series",
            INPUTS + "series-spike.csv");
    assertThat(r.out()).isEmpty();
    assertThat(Files.readString(report)).startsWith("{\n  \"workloads\" : [").endsWith("}\n");

    Path missing = dir.resolve("no/such/dir/size.json");
    CliTest.Run bad =
        CliTest.run("size", "-o", missing.toString(), "--series", INPUTS + "series-spike.csv");
    assertThat(bad.code()).isEqualTo(ExitCodes.INPUT);
    assertThat(bad.err()).startsWith("oomlens: cannot write " + missing + ": ");
  }

  /** A pod named like Markdown neither breaks the table nor turns into markup. */
  @Test
  void markdown_hostileNamesStayText() throws IOException {
    Path f = dir.resolve("hostile.csv");
    StringBuilder s = new StringBuilder("time,series,value\n");
    for (int i = 0; i < 120; i++) {
      s.append(1770508800 + i * 60)
          .append(",\"container_memory_working_set_bytes{namespace=\"\"a|b\"\",")
          .append("pod=\"\"<img src=x>*x*\"\",container=\"\"c`d\"\"}\",")
          .append(100L << 20)
          .append('\n');
    }
    Files.writeString(f, s);
    CliTest.Run r = CliTest.run("size", "--format", "markdown", "--series", f.toString());
    assertThat(r.err()).isEmpty();
    String row =
        r.out()
            .lines()
            .filter(l -> l.contains("img"))
            .filter(l -> l.startsWith("| "))
            .findFirst()
            .orElseThrow();
    // The pipe inside the name is escaped, so the row keeps its eleven cells.
    assertThat(row).contains("a\\|b/<img src=x>*x*/c`d");
    assertThat(row.replace("\\|", "").chars().filter(c -> c == '|').count()).isEqualTo(12);
    assertThat(r.out()).contains("- ``a|b/<img src=x>*x*/c`d``: ");
  }

  /*
   * A JVM's metrics in a series file: 5,000 classes and 50 threads (Micrometer's names); its heap
   * series, at 900 MiB, is passed over, not read as a working set. At the 600 MiB limit (1.5 x
   * 400 MiB): metaspace 5800 B x 5,000 + 14,000,000 B = 43,000,000 B, stacks 50 MiB, code cache
   * 240 MiB, direct 10 MiB (the default), heap 629,145,600 - 357,572,800 = 271,572,800 B (259 MiB),
   * 43.1% of the limit.
   */
  @Test
  void markdown_jvmFlagsFromTheJvmsMetricsInASeriesFile() throws IOException {
    Path f = dir.resolve("jvm.csv");
    StringBuilder s = new StringBuilder("time,series,value\n");
    String labels = "{namespace=\"\"shop\"\",pod=\"\"api-0\"\",container=\"\"api\"\"";
    for (int i = 0; i < 120; i++) {
      long t = 1770508800 + i * 60;
      s.append(t)
          .append(",\"container_memory_working_set_bytes" + labels + "}\",")
          .append(400L << 20)
          .append('\n');
      s.append(t).append(",\"jvm_classes_loaded_classes" + labels + "}\",5000\n");
      s.append(t)
          .append(",\"jvm_threads_live_threads" + labels + "}\",")
          .append(40 + i % 11)
          .append('\n');
      s.append(t)
          .append(",\"jvm_memory_used_bytes" + labels + ",area=\"\"heap\"\"}\",")
          .append(900L << 20)
          .append('\n');
    }
    Files.writeString(f, s);
    CliTest.Run r = CliTest.run("size", "--format", "markdown", "--series", f.toString());
    assertThat(r.err()).isEmpty();
    assertThat(r.out())
        .contains("| 400Mi | 600Mi |")
        .contains(
            "A JVM (by its JVM metrics): `-XX:MaxRAMPercentage=43.1 -XX:MaxMetaspaceSize=42M"
                + " -XX:ReservedCodeCacheSize=240M -XX:MaxDirectMemorySize=10M -Xss1M` heap 259"
                + " MiB (-Xmx258M) of the 600 MiB limit after metaspace 41 MiB + code cache 240"
                + " MiB + stacks 1 MiB x 50 + direct 10 MiB = 341 MiB (measured: 5000 loaded"
                + " classes, 50 threads; defaults: direct memory 10 MiB, code cache 240 MiB,"
                + " stacks of 1 MiB).");
  }
}
