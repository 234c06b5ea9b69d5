package dev.oomlens.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input end to end: each gives exit 3 or 2 and one clear message naming the file (and line) at
 * fault, never a stack trace, and keeps on standard output what was read before the fault.
 */
class BadInputCliTest {
  @TempDir static Path dir;

  /** A real report, then ordinary lines after it, gzip-compressed and cut short in those. */
  static Path cutGz;

  static Path quiet;

  @BeforeAll
  static void files() throws IOException {
    quiet =
        Files.writeString(
            dir.resolve("quiet.log"), "[    0.000000] Linux version 6.8.0-45-generic\n");
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try (InputStream in =
        BadInputCliTest.class.getResourceAsStream(
            "/corpus/015-jpaztech-aks-5.15-burstable-pod-cgv2.log")) {
      log.write(in.readAllBytes());
    }
    for (int i = 0; i < 20_000; i++) {
      log.write(
          ("Dec 13 08:"
                  + i % 60 / 10
                  + i % 10
                  + ":00 aks-node kernel: [40000."
                  + i
                  + "] eth0: link up, line "
                  + i
                  + " of a quiet hour\n")
              .getBytes(StandardCharsets.UTF_8));
    }
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(log.toByteArray());
    }
    byte[] bytes = gz.toByteArray();
    cutGz = Files.write(dir.resolve("kern.log.2.gz"), Arrays.copyOf(bytes, bytes.length / 2));
  }

  @Test
  void diagnose_truncatedGzip_isExit3AndSaysWhereItStoppedAndKeepsTheReport() {
    CliTest.Run r = CliTest.run("diagnose", cutGz.toString());

    assertThat(r.code()).isEqualTo(ExitCodes.INPUT);
    assertThat(r.out()).contains("[MEMCG-LIMIT, high]").contains("OOM-killer report 1 in " + cutGz);
    Matcher m =
        Pattern.compile(
                "^oomlens: "
                    + Pattern.quote(cutGz.toString())
                    + ":(\\d+): the"
                    + " gzip data is damaged or cut short \\(Unexpected end of ZLIB input stream\\); reading"
                    + " stopped at this line: lines 1 to (\\d+) were read, what followed is unknown\n$")
            .matcher(r.err());
    assertThat(m.matches()).as(r.err()).isTrue();
    assertThat(Long.parseLong(m.group(2)))
        .isEqualTo(Long.parseLong(m.group(1)) - 1)
        .isGreaterThan(71);
  }

  @Test
  void doctor_truncatedGzipKernelLog_isExit3() {
    CliTest.Run r = CliTest.run("doctor", "--kernel-log", cutGz.toString());

    assertThat(r.code()).isEqualTo(ExitCodes.INPUT);
    assertThat(r.out()).contains("[MEMCG-LIMIT, high]");
    assertThat(r.err())
        .startsWith("oomlens: " + cutGz + ":")
        .contains("the gzip data is damaged or cut short");
  }

  @Test
  void diagnose_truncatedGzipJson_listsTheProblem() {
    CliTest.Run r = CliTest.run("diagnose", "--format", "json", cutGz.toString());

    assertThat(r.code()).isEqualTo(ExitCodes.INPUT);
    assertThat(r.out())
        .contains("\"code\": \"MEMCG-LIMIT\"")
        .contains("the gzip data is damaged or cut short");
  }

  @Test
  void diagnose_program_isExit3AndSaysItIsNotALog() {
    Path ls = Path.of("/bin/ls");
    assumeTrue(Files.isReadable(ls), "no /bin/ls on this machine");

    CliTest.Run r = CliTest.run("diagnose", ls.toString(), quiet.toString());

    assertThat(r.code()).isEqualTo(ExitCodes.INPUT);
    assertThat(r.err())
        .isEqualTo(
            "oomlens: /bin/ls: is an ELF binary (a program or library), not a log; not read\n");
    assertThat(r.out())
        .contains("No OOM-killer report in " + quiet + ".")
        .startsWith(
            "Confirmed: unknown: /bin/ls: is an ELF binary (a program or library), not a"
                + " log; not read; none is on record in "
                + quiet
                + "\n")
        .contains(
            "\n/bin/ls: is an ELF binary (a program or library), not a log; not read."
                + " Whether it holds an OOM kill is unknown.\n")
        .doesNotContain("No OOM-killer report in /bin/ls");
  }

  @Test
  void diagnose_onlyUnreadableInputs_isUnknownNotNoKill() {
    Path ls = Path.of("/bin/ls");
    assumeTrue(Files.isReadable(ls), "no /bin/ls on this machine");

    CliTest.Run r = CliTest.run("diagnose", ls.toString());

    assertThat(r.code()).isEqualTo(ExitCodes.INPUT);
    assertThat(r.out()).startsWith("Confirmed: unknown: /bin/ls: is an ELF binary");
  }
}
