package dev.oomlens.core.kernel;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.Problem;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Input that is damaged, cut short or not a log at all: what was read before a failure stays and
 * the failure says where it happened; a file that is not text is refused with a message that says
 * what it is; logs that only look odd (NUL bytes, colours, invalid UTF-8, CRLF) are read.
 */
class KernelLogReaderBadInputTest {
  private static final ReaderOptions OPTIONS = new ReaderOptions(LocalDate.of(2026, 2, 3));

  /** Four real reports in dmesg framing, one after the other. */
  private static byte[] log;

  private static int reportsInLog;

  @TempDir static Path dir;

  @BeforeAll
  static void log() throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (String name :
        List.of(
            "003-ubuntu-3.13-docker-java-memcg-v1.log",
            "008-panic-on-oom-arm64-5.4.log",
            "010-martins3-openeuler-5.10-host.log",
            "023-lstoakes-5.10-next-qemu-host-lines-cut-at-159.log")) {
      all.write(corpus(name));
    }
    log = all.toByteArray();
    ReportTestLines.Collected clean = read("clean.log", log);
    assertThat(clean.problems).isEmpty();
    reportsInLog = clean.reports.size();
    assertThat(reportsInLog).isGreaterThanOrEqualTo(4);
  }

  /** A log of the real-report corpus, as bytes. */
  static byte[] corpus(String name) throws IOException {
    try (InputStream in =
        KernelLogReaderBadInputTest.class.getResourceAsStream("/corpus/" + name)) {
      return in.readAllBytes();
    }
  }

  static ReportTestLines.Collected read(String name, byte[] bytes) {
    ReportTestLines.Collected sink = new ReportTestLines.Collected();
    new KernelLogReader(OPTIONS).read(name, new ByteArrayInputStream(bytes), sink);
    return sink;
  }

  static ReportTestLines.Collected readFile(Path file) {
    ReportTestLines.Collected sink = new ReportTestLines.Collected();
    try {
      new KernelLogReader(OPTIONS).read(file, sink);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sink;
  }

  private static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return out.toByteArray();
  }

  private static long lines(byte[] bytes, int upTo) {
    long n = 0;
    for (int i = 0; i < upTo; i++) {
      if (bytes[i] == '\n') {
        n++;
      }
    }
    return n;
  }

  // --- damaged and cut short --------------------------------------------------------------

  @Test
  void read_gzipCutShort_keepsTheReportsBeforeAndIsDamagedWhereItStopped() throws IOException {
    byte[] gz = gzip(log);
    byte[] cut = Arrays.copyOf(gz, gz.length * 2 / 3);

    ReportTestLines.Collected sink = read("kern.log.2.gz", cut);

    assertThat(sink.reports).hasSizeBetween(1, reportsInLog - 1);
    Problem last = sink.problems.getLast();
    assertThat(last.kind()).isEqualTo(Problem.Kind.DAMAGED);
    assertThat(last.kind().spoilsInput()).isTrue();
    assertThat(last.line()).isGreaterThan(1).isLessThanOrEqualTo(lines(log, log.length));
    assertThat(last.message())
        .startsWith("the gzip data is damaged or cut short (")
        .contains("reading stopped at this line: lines 1 to " + (last.line() - 1) + " were read");
    assertThat(last.toString()).startsWith("kern.log.2.gz:" + last.line() + ": ");
    List<OomReport> all = read("kern.log.2.gz", log).reports;
    assertThat(sink.reports.getFirst()).isEqualTo(all.getFirst());
  }

  @Test
  void read_gzipFileCutShort_isDamagedToo() throws IOException {
    byte[] gz = gzip(log);
    Path file = Files.write(dir.resolve("cut.gz"), Arrays.copyOf(gz, gz.length / 2));

    ReportTestLines.Collected sink = readFile(file);

    assertThat(sink.reports).isNotEmpty();
    assertThat(sink.problems).extracting(Problem::kind).containsExactly(Problem.Kind.DAMAGED);
  }

  @Test
  void read_gzipWithDamagedData_isDamaged() throws IOException {
    byte[] gz = gzip(log);
    for (int i = gz.length / 2; i < gz.length / 2 + 64; i++) {
      gz[i] ^= (byte) 0x5a;
    }

    ReportTestLines.Collected sink = read("kern.log.gz", gz);

    assertThat(sink.problems).last().extracting(Problem::kind).isEqualTo(Problem.Kind.DAMAGED);
  }

  @Test
  void read_gzipCutInItsHeader_isDamagedAndNothingWasRead() throws IOException {
    byte[] cut = Arrays.copyOf(gzip(log), 6);

    ReportTestLines.Collected sink = read("kern.log.gz", cut);

    assertThat(sink.reports).isEmpty();
    assertThat(sink.problems)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.kind()).isEqualTo(Problem.Kind.DAMAGED);
              assertThat(p.line()).isEqualTo(1);
              assertThat(p.message()).endsWith("nothing was read, what followed is unknown");
            });
  }

  @Test
  void read_streamFailingPartWay_keepsWhatWasReadAndIsDamaged() {
    int failAt = log.length / 2;
    InputStream failing =
        new InputStream() {
          private int position;

          @Override
          public int read() throws IOException {
            if (position == failAt) {
              throw new IOException("Input/output error");
            }
            return log[position++] & 0xff;
          }
        };
    ReportTestLines.Collected sink = new ReportTestLines.Collected();

    new KernelLogReader(OPTIONS).read("kern.log", failing, sink);

    assertThat(sink.reports).hasSizeBetween(1, reportsInLog - 1);
    assertThat(sink.problems.getLast())
        .satisfies(
            p -> {
              assertThat(p.kind()).isEqualTo(Problem.Kind.DAMAGED);
              assertThat(p.line()).isEqualTo(lines(log, failAt) + 1);
              assertThat(p.message()).startsWith("reading failed (Input/output error)");
            });
  }

  @Test
  void read_failingInTheFirstBlock_stillKeepsTheLinesBefore() {
    // The failure comes while the first block is taken to be looked at.
    int failAt = 3000;
    InputStream failing =
        new InputStream() {
          private int position;

          @Override
          public int read() throws IOException {
            if (position == failAt) {
              throw new IOException("Input/output error");
            }
            return log[position++] & 0xff;
          }
        };
    ReportTestLines.Collected sink = new ReportTestLines.Collected();

    new KernelLogReader(OPTIONS).read("kern.log", failing, sink);

    assertThat(sink.problems.getLast())
        .satisfies(
            p -> {
              assertThat(p.kind()).isEqualTo(Problem.Kind.DAMAGED);
              assertThat(p.line()).isEqualTo(lines(log, failAt) + 1);
            });
  }

  @Test
  void readInParallel_channelFailingPartWay_keepsWhatWasReadAndIsDamaged() throws IOException {
    Path file = Files.write(dir.resolve("big.log"), log);
    ReportTestLines.Collected sink = new ReportTestLines.Collected();
    try (FileChannel channel = new FailingChannel(FileChannel.open(file), log.length / 2)) {
      new KernelLogReader(OPTIONS).readInParallel("big.log", channel, sink);
    }

    assertThat(sink.reports).hasSizeBetween(1, reportsInLog - 1);
    assertThat(sink.problems.getLast())
        .satisfies(
            p -> {
              assertThat(p.kind()).isEqualTo(Problem.Kind.DAMAGED);
              assertThat(p.line()).isGreaterThan(1);
              assertThat(p.message()).startsWith("reading failed (Input/output error)");
            });
  }

  // --- not text -----------------------------------------------------------------------------

  @Test
  void read_elfBinary_isNotText() throws IOException {
    Path ls = Path.of("/bin/ls");
    assumeTrue(Files.isReadable(ls), "no /bin/ls on this machine");

    ReportTestLines.Collected sink = readFile(ls);

    assertThat(sink.reports).isEmpty();
    assertThat(sink.problems)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.kind()).isEqualTo(Problem.Kind.NOT_TEXT);
              assertThat(p.line()).isZero();
              assertThat(p.toString())
                  .isEqualTo(
                      "/bin/ls: is an ELF binary (a program or library), not a log; not read");
            });
  }

  @Test
  void read_bigElfLikeFile_isNotTextOnTheParallelPathToo() throws IOException {
    Path ls = Path.of("/bin/ls");
    assumeTrue(Files.isReadable(ls), "no /bin/ls on this machine");
    Path big = dir.resolve("big-binary");
    try (OutputStream out = Files.newOutputStream(big)) {
      byte[] program = Files.readAllBytes(ls);
      for (long written = 0; written < (9L << 20); written += program.length) {
        out.write(program);
      }
    }

    ReportTestLines.Collected sink = readFile(big);

    assertThat(sink.problems)
        .singleElement()
        .extracting(Problem::kind)
        .isEqualTo(Problem.Kind.NOT_TEXT);
  }

  @Test
  void read_randomBytes_isBinaryData() {
    byte[] random = new byte[64 << 10];
    new Random(42).nextBytes(random);

    ReportTestLines.Collected sink = read("core.dump", random);

    assertThat(sink.problems)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.kind()).isEqualTo(Problem.Kind.NOT_TEXT);
              assertThat(p.message())
                  .startsWith("is binary data (")
                  .endsWith(", not a log; not read");
            });
  }

  @Test
  void read_gzipOfBinary_saysItIsBinaryOnceDecompressed() throws IOException {
    byte[] random = new byte[16 << 10];
    new Random(7).nextBytes(random);

    ReportTestLines.Collected sink = read("core.gz", gzip(random));

    assertThat(sink.problems)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.kind()).isEqualTo(Problem.Kind.NOT_TEXT);
              assertThat(p.message())
                  .startsWith("holds binary data (")
                  .contains("once decompressed");
            });
  }

  @Test
  void read_utf16_saysHowToConvertIt() {
    byte[] utf16 =
        new String(log, UTF_8)
            .substring(0, 8000)
            .getBytes(java.nio.charset.StandardCharsets.UTF_16LE);

    ReportTestLines.Collected sink = read("dmesg.txt", utf16);

    assertThat(sink.problems)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.kind()).isEqualTo(Problem.Kind.NOT_TEXT);
              assertThat(p.message())
                  .isEqualTo(
                      "is UTF-16 text; convert it with: iconv -f UTF-16 -t UTF-8 dmesg.txt"
                          + " | oomlens diagnose -; not read");
            });
  }

  @Test
  void read_zip_saysHowToReadALogInIt() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry("var/log/kern.log"));
      zip.write(log);
    }

    ReportTestLines.Collected sink = read("logs.zip", out.toByteArray());

    assertThat(sink.problems)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.kind()).isEqualTo(Problem.Kind.NOT_TEXT);
              assertThat(p.message())
                  .startsWith(
                      "is a zip archive, not a log; list it (unzip -l"
                          + " logs.zip) and read a log in it with: unzip -p logs.zip PATH | oomlens diagnose -");
            });
  }

  /** Real output of the compression tools this machine has; each skipped, and said, if absent. */
  @ParameterizedTest
  @ValueSource(strings = {"xz", "zstd", "bzip2", "lz4"})
  void read_compressedByAnotherTool_saysHowToDecompress(String tool) throws Exception {
    Path plain = Files.write(dir.resolve("kern-" + tool + ".log"), log);
    Optional<byte[]> compressed = run(List.of(tool, "-c", plain.toString()));
    assumeTrue(compressed.isPresent(), tool + " is not installed");

    ReportTestLines.Collected sink = read("kern.log." + tool, compressed.get());

    assertThat(sink.reports).isEmpty();
    assertThat(sink.problems)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.kind()).isEqualTo(Problem.Kind.NOT_TEXT);
              assertThat(p.message())
                  .isEqualTo(
                      "is "
                          + tool
                          + "-compressed; oomlens reads plain text and"
                          + " gzip: "
                          + tool
                          + " -dc kern.log."
                          + tool
                          + " | oomlens diagnose -; not read");
            });
  }

  @Test
  void read_tarAndTarGz_sayToExtractThem() throws Exception {
    Path logs = Files.createDirectories(dir.resolve("tar/var/log"));
    Files.write(logs.resolve("kern.log"), log);
    Optional<byte[]> tar =
        run(List.of("tar", "-C", dir.resolve("tar").toString(), "-cf", "-", "var"));
    Optional<byte[]> tgz =
        run(List.of("tar", "-C", dir.resolve("tar").toString(), "-czf", "-", "var"));
    assumeTrue(tar.isPresent() && tgz.isPresent(), "tar is not installed");

    assertThat(read("logs.tar", tar.get()).problems)
        .singleElement()
        .extracting(Problem::message)
        .asString()
        .startsWith("is a tar archive, not a log; extract it (tar xf logs.tar)");
    assertThat(read("logs.tgz", tgz.get()).problems)
        .singleElement()
        .extracting(Problem::message)
        .asString()
        .startsWith("is a gzip-compressed tar archive, not a log; extract it (tar xzf logs.tgz)");
  }

  @Test
  void read_systemdJournalFile_saysToReadItWithJournalctl() throws Exception {
    Optional<Path> remote =
        Stream.of("/usr/lib/systemd/systemd-journal-remote", "/lib/systemd/systemd-journal-remote")
            .map(Path::of)
            .filter(Files::isExecutable)
            .findFirst();
    assumeTrue(
        remote.isPresent(), "no systemd-journal-remote (Debian package systemd-journal-remote)");
    Path export =
        Files.writeString(
            dir.resolve("entries.export"),
            """
        __REALTIME_TIMESTAMP=1770109200000000
        __MONOTONIC_TIMESTAMP=5000000
        _BOOT_ID=0123456789abcdef0123456789abcdef
        _TRANSPORT=kernel
        _HOSTNAME=worker-3
        PRIORITY=3
        MESSAGE=Out of memory: Killed process 4242 (java)

        """,
            UTF_8);
    Path journal = dir.resolve("journal/system.journal");
    Files.createDirectories(journal.getParent());
    Process p =
        new ProcessBuilder(remote.get().toString(), "-o", journal.toString(), export.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("remote.out").toFile())
            .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(dir.resolve("remote.out"))).isZero();

    ReportTestLines.Collected sink = readFile(journal);

    assertThat(sink.problems)
        .singleElement()
        .satisfies(
            problem -> {
              assertThat(problem.kind()).isEqualTo(Problem.Kind.NOT_TEXT);
              assertThat(problem.message())
                  .startsWith(
                      "is a systemd journal file, not text; read it"
                          + " with: journalctl --file "
                          + journal
                          + " -o short-iso-precise | oomlens diagnose -");
            });
  }

  // --- odd but text ---------------------------------------------------------------------------

  /**
   * A log as a crash and a terminal leave it: a hole of NUL bytes where unwritten blocks were,
   * dmesg's colours on every line, a process name in Latin-1, CRLF line ends. It is read, not
   * refused, and gives every report the clean log gives.
   */
  @Test
  void read_logWithNulsColoursInvalidUtf8AndCrlf_isReadAsText() throws IOException {
    byte[] odd = oddLog();

    ReportTestLines.Collected sink = read("kern.log", odd);

    assertThat(sink.problems).noneMatch(p -> p.kind().spoilsInput());
    assertThat(sink.reports).hasSize(reportsInLog);
  }

  /** The same real records as {@code dmesg} and {@code dmesg --color=always} printed them. */
  @Test
  void read_dmesgInColour_givesTheReportOfThePlainDmesg() throws IOException {
    byte[] plain;
    byte[] colour;
    try (InputStream p = getClass().getResourceAsStream("/framing/dmesg-plain.log");
        InputStream c = getClass().getResourceAsStream("/framing/dmesg-color.log")) {
      plain = p.readAllBytes();
      colour = c.readAllBytes();
    }
    assertThat(new String(colour, UTF_8)).contains("\u001b[33mstress-hog invoked oom-killer:");

    ReportTestLines.Collected fromPlain = read("dmesg.log", plain);
    ReportTestLines.Collected fromColour = read("dmesg.log", colour);

    assertThat(fromPlain.reports)
        .singleElement()
        .satisfies(r -> assertThat(r.victim()).isPresent());
    assertThat(fromColour.problems).isEqualTo(fromPlain.problems);
    assertThat(fromColour.reports).isEqualTo(fromPlain.reports);
  }

  @Test
  void read_bigOddLog_isReadOnTheParallelPathToo() throws IOException {
    byte[] odd = oddLog();
    Path file = dir.resolve("big-odd.log");
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long written = 0; written < (9L << 20); written += odd.length) {
        out.write(odd);
      }
    }

    ReportTestLines.Collected sink = readFile(file);

    assertThat(sink.problems).noneMatch(p -> p.kind().spoilsInput());
    assertThat(sink.reports).hasSizeGreaterThan(reportsInLog);
  }

  @Test
  void read_gzipOfOddLog_isReadAsText() throws IOException {
    ReportTestLines.Collected sink = read("kern.log.1.gz", gzip(oddLog()));

    assertThat(sink.problems).noneMatch(p -> p.kind().spoilsInput());
    assertThat(sink.reports).hasSize(reportsInLog);
  }

  @Test
  void read_onlyNuls_isNotRefused() {
    ReportTestLines.Collected sink = read("kern.log", new byte[10_000]);

    assertThat(sink.problems).noneMatch(p -> p.kind().spoilsInput());
  }

  @Test
  void read_shortFileWithAFewControlBytes_isRead() {
    ReportTestLines.Collected sink =
        read("notes.txt", "a\u0001b\u0002c\u0007 bell and friends\n".getBytes(UTF_8));

    assertThat(sink.problems).isEmpty();
  }

  /**
   * The four reports, CRLF-ended, after 8 KiB of NULs, a line coloured as {@code dmesg
   * --color=always} colours it, a line with Latin-1 and invalid bytes, and one of NULs.
   */
  private static byte[] oddLog() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[8192]);
    out.write(
        "\u001b[32m[    0.000000] \u001b[0m\u001b[1mLinux version 6.1.0\u001b[0m\r\n"
            .getBytes(UTF_8));
    out.write("[    0.100000] caf".getBytes(UTF_8));
    out.write(new byte[] {(byte) 0xe9, ' ', (byte) 0xff, '\r', '\n'});
    out.write(new byte[] {0, 0, 0, 0, '\n'});
    for (String line : new String(log, UTF_8).split("\n")) {
      out.write(line.getBytes(UTF_8));
      out.write("\r\n".getBytes(UTF_8));
    }
    return out.toByteArray();
  }

  /** The standard output of {@code command}, or empty when it cannot be run. */
  private static Optional<byte[]> run(List<String> command) throws InterruptedException {
    try {
      Process p =
          new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      byte[] out = p.getInputStream().readAllBytes();
      return p.waitFor() == 0 ? Optional.of(out) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** A file channel whose reads fail once {@code failAt} bytes have been read. */
  private static final class FailingChannel extends FileChannel {
    private final FileChannel channel;
    private final long failAt;

    FailingChannel(FileChannel channel, long failAt) {
      this.channel = channel;
      this.failAt = failAt;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      long position = channel.position();
      if (position >= failAt) {
        throw new IOException("Input/output error");
      }
      int limit = dst.limit();
      dst.limit((int) Math.min(limit, dst.position() + (failAt - position)));
      try {
        return channel.read(dst);
      } finally {
        dst.limit(limit);
      }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      throw new UnsupportedOperationException();
    }

    @Override
    public int write(ByteBuffer src) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long position() throws IOException {
      return channel.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      channel.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return channel.size();
    }

    @Override
    public FileChannel truncate(long size) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void force(boolean metaData) {}

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) {
      throw new UnsupportedOperationException();
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      if (position >= failAt) {
        throw new IOException("Input/output error");
      }
      return channel.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src, long position) {
      throw new UnsupportedOperationException();
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) {
      throw new UnsupportedOperationException();
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) {
      throw new UnsupportedOperationException();
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) {
      throw new UnsupportedOperationException();
    }

    @Override
    protected void implCloseChannel() throws IOException {
      channel.close();
    }
  }
}
