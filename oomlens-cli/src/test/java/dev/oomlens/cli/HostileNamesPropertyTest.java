package dev.oomlens.cli;

import static dev.oomlens.cli.HostileOutput.assertMarkdownIntact;
import static dev.oomlens.cli.HostileOutput.assertNoHiddenCharacters;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oomlens.cli.HostileLog.Framing;
import dev.oomlens.cli.HostileLog.Names;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.TaskRow;
import dev.oomlens.core.model.Trigger;
import dev.oomlens.core.model.Victim;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/*
 * Each example is one report (core's systemd-service.kmsg) whose seven names are drawn from
 * pieces that have hurt terminals and Markdown renderers: C0 and C1 controls, DEL, escape
 * sequences, bidi and zero-width characters, Markdown syntax, HTML, links, backslashes, bytes that
 * are no UTF-8, and long runs of any of them. The names go in as bytes, framed as dmesg, as
 * /dev/kmsg (which escapes them as \xNN) or as syslog (which carries the host name), and the
 * whole CLI runs on the file in-process, once per format. What the reader made of the names is
 * taken from the reader itself, so the test holds whatever it accepts or drops.
 */

/**
 * Hostile names in every place a report has one, through {@code diagnose} in every format: the text
 * and the Markdown hold no control but {@code \n} and no bidi or invisible character, the Markdown
 * keeps its tables, fences and escapes, and the JSON parses and gives back exactly the names the
 * reader read.
 */
class HostileNamesPropertyTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String[] BIDI = {
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u061c",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\u00ad",
    "\udb40\udc41"
  };
  private static final String[] MARKUP = {
    "`",
    "``",
    "```",
    "~~~",
    "|",
    "*",
    "**",
    "_",
    "__",
    "<script>alert(1)</script>",
    "<b>",
    "[x](http://e.x)",
    "![i](http://e.x/i.png)",
    "<http://e.x>",
    "#",
    "# h",
    ">",
    "- ",
    "1. ",
    "\\",
    "\\|",
    "\\`",
    "&#x202e;",
    "&lt;",
    "$x$",
    "~x~",
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    ",",
    "=",
    ":"
  };
  private static final String[] ESCAPES = {
    "\u001b[31m",
    "\u001b[0m",
    "\u001b[2J",
    "\u001b[1A",
    "\u001b]0;title\u0007",
    "\u001b]8;;http://e.x\u001b\\",
    "\u009b2J",
    "\u001bP+q\u001b\\",
    "\r",
    "\b\b\b",
    "\u0007"
  };
  private static final String[] PLAIN = {
    "java",
    "stress-ng",
    "x",
    "0",
    "-",
    ".",
    " ",
    "é",
    "日本",
    "😀",
    "\\x2d",
    "oom_score_adj",
    "kubepods"
  };
  private static final byte[][] NOT_UTF8 = {
    {(byte) 0x80},
    {(byte) 0xbf},
    {(byte) 0xc0},
    {(byte) 0xc1, (byte) 0x81},
    {(byte) 0xe2, (byte) 0x80},
    {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
    {(byte) 0xf5},
    {(byte) 0xff},
    {(byte) 0xfe}
  };

  private static final AtomicInteger KILLS_READ = new AtomicInteger();

  @TempDir static Path dir;

  @Test
  void diagnose_hostileNames_everyFormatSafeAndExact() {
    int examples = 30;
    KILLS_READ.set(0);
    qt().withExamples(examples)
        .forAll(integers().between(0, Framing.values().length - 1), longs().all())
        .checkAssert((framing, seed) -> check(Framing.values()[framing], seed));
    // The names must reach the renderers, not only fail to parse.
    assertThat(KILLS_READ.get())
        .as("examples whose victim the reader named")
        .isGreaterThan(examples / 2);
  }

  private static void check(Framing framing, long seed) {
    Random random = new Random(seed);
    Names names =
        new Names(
            name(random, false),
            name(random, false),
            name(random, false),
            name(random, false),
            name(random, true),
            name(random, true),
            name(random, true));
    Path file = dir.resolve("hostile-" + seed + ".log");
    try {
      Files.write(file, HostileLog.log(names, framing));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<OomReport> read = HostileLog.read(file);
    if (read.stream().anyMatch(r -> r.victim().isPresent())) {
      KILLS_READ.incrementAndGet();
    }

    CliTest.Run text = diagnose(file, "text");
    assertNoHiddenCharacters("text", text.out());
    assertNoHiddenCharacters("standard error", text.err());

    CliTest.Run markdown = diagnose(file, "markdown");
    assertNoHiddenCharacters("Markdown", markdown.out());
    assertNoHiddenCharacters("standard error", markdown.err());
    assertMarkdownIntact(markdown.out());

    CliTest.Run html = diagnose(file, "html");
    assertNoHiddenCharacters("HTML", html.out());
    assertNoHiddenCharacters("standard error", html.err());
    HostileOutput.assertHtmlIntact(html.out());

    CliTest.Run json = diagnose(file, "json");
    assertNoHiddenCharacters("JSON", json.out());
    assertNoHiddenCharacters("standard error", json.err());
    assertJsonExact(json.out(), read);
  }

  private static CliTest.Run diagnose(Path file, String format) {
    CliTest.Run r = CliTest.run("diagnose", "--format", format, file.toString());
    assertThat(r.code())
        .as("exit code of --format %s; stderr: %s", format, r.err())
        .isIn(ExitCodes.OK, ExitCodes.FINDINGS, ExitCodes.INPUT);
    return r;
  }

  private static void assertJsonExact(String document, List<OomReport> read) {
    JsonNode reports;
    try {
      reports = JSON.readTree(document).get("reports");
    } catch (IOException e) {
      throw new AssertionError("the JSON does not parse: " + e.getMessage(), e);
    }
    assertThat(reports).hasSize(read.size());
    for (int i = 0; i < read.size(); i++) {
      OomReport r = read.get(i);
      JsonNode j = reports.get(i);
      assertThat(text(j.at("/trigger/comm"))).isEqualTo(r.trigger().map(Trigger::comm));
      assertThat(text(j.at("/victim/comm"))).isEqualTo(r.victim().map(Victim::comm));
      List<String> tasks = new ArrayList<>();
      j.get("tasks").forEach(t -> tasks.add(t.get("comm").asText()));
      assertThat(tasks).isEqualTo(r.tasks().stream().map(TaskRow::comm).toList());
      assertThat(text(j.get("oom_memcg"))).isEqualTo(r.oomMemcg());
      assertThat(text(j.get("task_memcg"))).isEqualTo(r.taskMemcg());
      assertThat(text(j.get("host"))).isEqualTo(r.host());
      assertThat(text(j.at("/workload/unit"))).isEqualTo(r.workload().unit());
      assertThat(text(j.at("/workload/cgroup"))).isEqualTo(r.workload().cgroup());
    }
  }

  private static Optional<String> text(JsonNode node) {
    return node == null || node.isNull() || node.isMissingNode()
        ? Optional.empty()
        : Optional.of(node.asText());
  }

  /**
   * A name of one to eight pieces, one in twelve repeated up to 200 times; {@code oneWord} leaves
   * out white space, which would end the word a syslog host or a cgroup path is.
   */
  private static byte[] name(Random random, boolean oneWord) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int pieces = 1 + random.nextInt(8);
    for (int p = 0; p < pieces; p++) {
      byte[] piece = piece(random);
      int times = random.nextInt(12) == 0 ? 20 + random.nextInt(180) : 1;
      for (int t = 0; t < times; t++) {
        out.writeBytes(piece);
      }
    }
    byte[] name = out.toByteArray();
    if (oneWord) {
      for (int i = 0; i < name.length; i++) {
        if (name[i] == ' ' || (name[i] >= 0x09 && name[i] <= 0x0d) || name[i] == '/') {
          name[i] = '_';
        }
      }
    }
    return name;
  }

  private static byte[] piece(Random random) {
    return switch (random.nextInt(7)) {
      case 0 -> new byte[] {(byte) (random.nextInt(9) == 0 ? 0x7f : random.nextInt(0x20))};
      case 1 -> Character.toString(0x80 + random.nextInt(0x20)).getBytes(UTF_8);
      case 2 -> pick(random, BIDI).getBytes(UTF_8);
      case 3 -> pick(random, MARKUP).getBytes(UTF_8);
      case 4 -> NOT_UTF8[random.nextInt(NOT_UTF8.length)].clone();
      case 5 -> pick(random, ESCAPES).getBytes(UTF_8);
      default -> pick(random, PLAIN).getBytes(UTF_8);
    };
  }

  private static String pick(Random random, String[] from) {
    return from[random.nextInt(from.length)];
  }
}
