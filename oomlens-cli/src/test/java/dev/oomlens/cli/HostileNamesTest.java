package dev.oomlens.cli;

import static dev.oomlens.cli.HostileOutput.assertMarkdownIntact;
import static dev.oomlens.cli.HostileOutput.assertNoHiddenCharacters;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oomlens.cli.HostileLog.Framing;
import dev.oomlens.cli.HostileLog.Names;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One report whose process, cgroup and host names hold terminal escapes, bidi overrides and
 * Markdown, through each renderer: the text and the Markdown show them visibly and keep their
 * shape, the JSON escapes them and reads back exactly, standard error shows them visibly.
 */
class HostileNamesTest {
  static final String TRIGGER = "x\u001b[31mRED\u001b[0m\u202eevil\u009b2J";
  static final String VICTIM = "v\u001b]0;pwned\u0007x|`*<b>&#x202e;";
  static final String UNIT = "u\u2066\u200b\\x2d<i>";
  static final Names NAMES =
      Names.of(
          TRIGGER,
          "cpu\u0007\u0008\u007f",
          "t_x_[l](http://e.x)",
          VICTIM,
          "s\u001b[2J",
          UNIT,
          "node\u001b]0;pwned\u0007");

  @TempDir Path dir;

  private String file(Framing framing) throws IOException {
    Path log = dir.resolve("hostile-" + framing + ".log");
    Files.write(log, HostileLog.log(NAMES, framing));
    return log.toString();
  }

  @Test
  void diagnose_text_showsControlAndBidiCharactersVisibly() throws IOException {
    CliTest.Run r = CliTest.run("diagnose", file(Framing.SYSLOG));

    assertThat(r.code()).isIn(ExitCodes.OK, ExitCodes.FINDINGS);
    assertNoHiddenCharacters("standard output", r.out());
    assertNoHiddenCharacters("standard error", r.err());
    assertThat(r.out())
        // Colour codes (SGR) are taken off every line by the reader, as dmesg --color prints
        // them; the other escapes stay, shown visibly.
        .contains("Trigger:    xRED\\u{202e}evil\\u{9b}2J (pid 21852)")
        .contains("Host:       node\\u{1b}]0;pwned\\u{7}, kernel 6.18.44")
        .contains("Killed:     v\\u{1b}]0;pwned\\u{7}x|`*<b>&#x202e; (pid 21852)")
        .contains("memory cgroup /s\\u{1b}[2J.slice/u\\u{2066}\\u{200b}\\x2d<i>.service");
  }

  @Test
  void diagnose_json_escapesThemAndReadsBackExactly() throws IOException {
    CliTest.Run r = CliTest.run("diagnose", "--format", "json", file(Framing.KMSG));

    assertThat(r.code()).isIn(ExitCodes.OK, ExitCodes.FINDINGS);
    assertNoHiddenCharacters("the JSON document", r.out());
    assertThat(r.out()).contains("\"x\\u001B[31mRED\\u001B[0m\\u202Eevil\\u009B2J\"");
    JsonNode report = new ObjectMapper().readTree(r.out()).get("reports").get(0);
    String path = "/s\u001b[2J.slice/" + UNIT + ".service";
    assertThat(report.at("/trigger/comm").asText()).isEqualTo(TRIGGER);
    assertThat(report.at("/victim/comm").asText()).isEqualTo(VICTIM);
    List<String> tasks = new ArrayList<>();
    report.get("tasks").forEach(t -> tasks.add(t.get("comm").asText()));
    assertThat(tasks).containsExactly("t_x_[l](http://e.x)", VICTIM);
    assertThat(report.get("oom_memcg").asText()).isEqualTo(path);
    assertThat(report.get("task_memcg").asText()).isEqualTo(path);
    assertThat(report.at("/workload/unit").asText()).isEqualTo(UNIT + ".service");
  }

  @Test
  void diagnose_markdown_showsThemVisiblyAndKeepsItsShape() throws IOException {
    CliTest.Run r = CliTest.run("diagnose", "--format", "markdown", file(Framing.SYSLOG));

    assertThat(r.code()).isIn(ExitCodes.OK, ExitCodes.FINDINGS);
    assertNoHiddenCharacters("the Markdown", r.out());
    assertMarkdownIntact(r.out());
    assertThat(r.out())
        .startsWith(
            "# Post-mortem: OOM kill of v\\u{1b}\\]0;pwned\\u{7}x|\\`\\*\\<b>\\&#x202e; on"
                + " node\\u{1b}\\]0;pwned\\u{7}, 2026-02-03\n")
        .contains("| 2026-02-03 09:00:00 | `xRED\\u{202e}evil\\u{9b}2J`")
        .contains("Kernel killed ``v\\u{1b}]0;pwned\\u{7}x\\|`*<b>&#x202e;``")
        .contains("**Failures of `u\\u{2066}\\u{200b}\\x2d<i>.service`**");
  }

  @Test
  void diagnose_errors_showFileNamesAndArgumentsVisibly() throws IOException {
    CliTest.Run missing =
        CliTest.run("diagnose", dir.resolve("gone\u001b[31m\u202e.log").toString());
    CliTest.Run usage = CliTest.run("diagnose", "--year", "20\u001b[2J26", file(Framing.DMESG));

    assertThat(missing.code()).isEqualTo(ExitCodes.INPUT);
    assertNoHiddenCharacters("standard error", missing.err());
    assertThat(missing.err()).contains("gone\\u{1b}[31m\\u{202e}.log: No such file or directory");
    assertThat(usage.code()).isEqualTo(ExitCodes.USAGE);
    assertNoHiddenCharacters("standard error", usage.err());
    assertThat(usage.err()).contains("'20\\u{1b}[2J26'");
  }
}
