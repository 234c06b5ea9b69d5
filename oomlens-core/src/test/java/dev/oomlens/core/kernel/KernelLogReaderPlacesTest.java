package dev.oomlens.core.kernel;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.SourceLine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lines of a regular file keep their place in it, not their text, and read it back when quoted: the
 * text read back is the text a read of the same bytes as a stream keeps, on both scanners' paths,
 * and a file changed in between makes the quote fail, naming file and line, instead of quoting
 * something else.
 */
class KernelLogReaderPlacesTest {
  /** Real reports, one with CRLF line ends and one in dmesg's colours. */
  private static byte[] log;

  @TempDir Path dir;

  @BeforeAll
  static void log() throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (String name :
        List.of(
            "003-ubuntu-3.13-docker-java-memcg-v1.log",
            "010-martins3-openeuler-5.10-host.log",
            "023-lstoakes-5.10-next-qemu-host-lines-cut-at-159.log")) {
      String text = new String(KernelLogReaderBadInputTest.corpus(name), UTF_8);
      if (name.startsWith("010")) {
        text = text.replace("\n", "\r\n");
      } else if (name.startsWith("023")) {
        text = text.replace("invoked oom-killer", "\u001b[33minvoked oom-killer\u001b[0m");
      }
      all.write(text.getBytes(UTF_8));
    }
    log = all.toByteArray();
  }

  private static ReportTestLines.Collected readFile(Path file) {
    return KernelLogReaderBadInputTest.readFile(file);
  }

  private static ReportTestLines.Collected readStream(String name, byte[] bytes) {
    return KernelLogReaderBadInputTest.read(name, bytes);
  }

  private static void assertSameLines(List<OomReport> fromFile, List<OomReport> fromStream) {
    assertThat(fromFile).hasSameSizeAs(fromStream).isNotEmpty();
    for (int r = 0; r < fromFile.size(); r++) {
      List<SourceLine> a = fromFile.get(r).lines();
      List<SourceLine> b = fromStream.get(r).lines();
      assertThat(a).hasSameSizeAs(b);
      for (int i = 0; i < a.size(); i++) {
        assertThat(a.get(i).file()).isEqualTo(b.get(i).file());
        assertThat(a.get(i).line()).isEqualTo(b.get(i).line());
        assertThat(a.get(i).text()).isEqualTo(b.get(i).text());
        assertThat(a.get(i).hashCode()).isEqualTo(b.get(i).hashCode());
        assertThat(a.get(i)).isEqualTo(b.get(i));
      }
    }
    assertThat(fromFile).isEqualTo(fromStream);
  }

  @Test
  void read_smallFile_linesReadBackAsAStreamReadsThem() throws IOException {
    Path file = Files.write(dir.resolve("kern.log"), log);

    assertSameLines(readFile(file).reports, readStream(file.toString(), log).reports);
  }

  @Test
  void read_fileOnTheParallelPath_linesReadBackAsAStreamReadsThem() throws IOException {
    // Past the size where the parallel scanner takes over, reports spread over many windows.
    ByteArrayOutputStream big = new ByteArrayOutputStream();
    byte[] filler = "[    1.000000] eth0: link becomes ready\n".repeat(4000).getBytes(UTF_8);
    while (big.size() < (9 << 20)) {
      big.write(filler);
      big.write(log);
    }
    byte[] bytes = big.toByteArray();
    Path file = Files.write(dir.resolve("big.log"), bytes);

    ReportTestLines.Collected fromFile = readFile(file);

    assertThat(fromFile.reports.size()).isGreaterThan(100);
    assertSameLines(fromFile.reports, readStream(file.toString(), bytes).reports);
  }

  @Test
  void quote_fileRewrittenAfterTheRead_failsNamingFileAndLine() throws IOException {
    Path file = Files.write(dir.resolve("kern.log"), log);
    OomReport first = readFile(file).reports.getFirst();
    SourceLine kill = first.lines().getLast();
    // The same length, so only the text read back can tell.
    Files.write(
        file, new String(log, UTF_8).replace("Killed process", "Killed pr0cess").getBytes(UTF_8));

    assertThatThrownBy(kill::text)
        .isInstanceOf(SourceLine.ChangedException.class)
        .hasMessageStartingWith(file + ":" + kill.line() + ": ")
        .hasMessageContaining("the file changed after it was read");
  }

  @Test
  void quote_fileCutShorterAfterTheRead_failsNamingFileAndLine() throws IOException {
    Path file = Files.write(dir.resolve("kern.log"), log);
    SourceLine last = readFile(file).reports.getLast().lines().getLast();
    Files.write(file, new byte[0]);

    assertThatThrownBy(last::text)
        .isInstanceOf(SourceLine.ChangedException.class)
        .hasMessageStartingWith(file + ":" + last.line() + ": the line cannot be read again");
  }

  @Test
  void quote_fileRotatedAwayAfterTheRead_quotesTheFileThatWasRead() throws IOException {
    Path file = Files.write(dir.resolve("kern.log"), log);
    SourceLine line = readFile(file).reports.getFirst().lines().getFirst();
    String read = readStream(file.toString(), log).reports.getFirst().lines().getFirst().text();
    // Rotated: the old file moved away, a new one with other lines in its place.
    Files.move(file, dir.resolve("kern.log.1"));
    Files.write(file, new String(log, UTF_8).replace("oom", "OOM").getBytes(UTF_8));

    assertThat(line.text()).isEqualTo(read).contains("oom");
  }

  @Test
  void quote_gzipFile_keepsItsTextEvenWhenTheFileIsGone() throws IOException {
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(log);
    }
    Path file = Files.write(dir.resolve("kern.log.gz"), gz.toByteArray());
    List<OomReport> reports = readFile(file).reports;
    Files.delete(file);

    assertSameLines(reports, readStream(file.toString(), log).reports);
  }
}
