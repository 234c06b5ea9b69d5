package dev.oomlens.report.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.model.SeriesWindow;
import dev.oomlens.core.verify.Criterion;
import dev.oomlens.core.verify.Verification;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VerifyMarkdownTest {
  static final Instant FROM = Instant.parse("2026-02-08T12:30:00Z");
  static final Instant TO = Instant.parse("2026-02-11T23:00:00Z");

  private static String markdown(Verification v) {
    StringWriter out = new StringWriter();
    VerifyReport.markdown(new PrintWriter(out), "http://prometheus:9090", v);
    return out.toString();
  }

  private static SeriesWindow offending(String instance) {
    return new SeriesWindow(
        "q",
        Map.of("instance", instance, "__name__", "node_memory_SwapTotal_bytes"),
        FROM,
        TO,
        List.of(new SeriesWindow.Sample(FROM, 0)));
  }

  @Test
  void markdown_tableThenEachFailureWithItsSeries() {
    Criterion swap =
        new Criterion(
            "swap on every host", "node_memory_SwapTotal_bytes == 0", 4, Optional.empty());
    Criterion kills =
        new Criterion("no OOM kill", "increase(node_vmstat_oom_kill[5m]) > 0", 6, Optional.empty());
    Verification v =
        new Verification(
            FROM,
            TO,
            Duration.ofMinutes(5),
            "instance",
            List.of("ns1", "testvm03", "kanidm02"),
            List.of(
                new Verification.Result(swap, List.of(offending("testvm03:9100"))),
                new Verification.Result(kills, List.of())),
            List.of("kanidm02"));
    String md = markdown(v);
    assertThat(md)
        .startsWith("# Verification: failed\n\n")
        .contains("| criterion | result | passed on | offending |\n|---|---|---|---|\n")
        .contains("| swap on every host | **FAIL** | `ns1` | `testvm03` |")
        .contains("| no OOM kill | PASS |")
        .contains("| every host reports data | **FAIL** | `ns1`, `testvm03` | `kanidm02` |")
        .contains("## FAIL: swap on every host\n\n```promql\nnode_memory_SwapTotal_bytes == 0\n```")
        .contains(
            "- `testvm03` `{__name__=\"node_memory_SwapTotal_bytes\",instance=\"testvm03:9100\"}`: 1 values")
        .contains("- `kanidm02`: no sample of `up{instance}` in the window")
        .endsWith("2 criteria failed.\n");
  }

  /** Names from the file and the server keep the table's cells and make no markup. */
  @Test
  void markdown_hostileNamesStayText() {
    Criterion c = new Criterion("a|b <img src=x> *x* `c`", "up == 0", 1, Optional.empty());
    Verification v =
        new Verification(
            FROM,
            TO,
            Duration.ofMinutes(5),
            "instance",
            List.of(),
            List.of(new Verification.Result(c, List.of(offending("h|`o`st\n:9100")))),
            List.of());
    String md = markdown(v);
    String row = md.lines().filter(l -> l.startsWith("| a")).findFirst().orElseThrow();
    assertThat(row.replace("\\|", "").chars().filter(ch -> ch == '|').count()).isEqualTo(5);
    assertThat(row)
        .contains("a\\|b \\<img src=x> \\*x\\* \\`c\\`")
        .doesNotContain("<img src=x> *x*");
    assertThat(md)
        .contains("## FAIL: a|b \\<img src=x> \\*x\\* \\`c\\`")
        .doesNotContain("\n:9100")
        .contains("- ``h|`o`st\\u{a}`` ");
  }
}
