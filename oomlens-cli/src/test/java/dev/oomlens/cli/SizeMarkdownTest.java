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
}
