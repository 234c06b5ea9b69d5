package dev.oomlens.cli;

import dev.oomlens.core.host.KillerEvent;
import dev.oomlens.core.host.parse.KillerLogParser;
import dev.oomlens.core.kernel.LineFramer;
import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.core.model.SourceLine;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/*
 * The kernel-log reader decodes only the lines of OOM reports; the userspace killers' lines
 * (systemd-oomd, earlyoom, nohang, kubelet evictions, systemd unit results) are everywhere else,
 * so they are found in a pass of their own over every line. Lines are numbered exactly as the
 * kernel-log reader numbers them (one per '\n', a trailing '\r' dropped, the last line counted
 * even without its '\n'), so a finding can cite both kinds of line in the same file.
 */

/**
 * Finds the records of userspace OOM killers in a saved or live log: every line is framed
 * (journal, syslog, bare) and handed to a {@link KillerLogParser}. Fed bytes as they pass, so
 * standard input can be read once for both passes.
 */
final class KillerScan {
  /** Longer lines are cut here: no killer writes a line anywhere near this long. */
  static final int MAX_LINE_BYTES = 64 * 1024;

  private final String name;
  private final LineFramer framer;
  private final KillerLogParser parser = new KillerLogParser();
  private final List<KillerEvent> events = new ArrayList<>();
  private final byte[] line = new byte[MAX_LINE_BYTES];
  private int length;
  private long lineNumber;

  KillerScan(String name, ReaderOptions options) {
    this.name = name;
    this.framer = new LineFramer(options);
  }

  /** Reads a whole file (gzip told by its first bytes) and returns the killers' records. */
  static List<KillerEvent> read(Path file, String name, ReaderOptions options)
      throws IOException {
    KillerScan scan = new KillerScan(name, options);
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      try {
        scan.drain(decompressIfGzip((BufferedInputStream) in));
      } catch (IOException e) {
        // Damaged or cut-short input: the kernel-log pass reports it; keep what was found.
      }
    }
    return scan.finish();
  }

  /** Scans {@code in} to its end; returns the number of bytes read. */
  long drain(InputStream in) throws IOException {
    byte[] buf = new byte[1 << 16];
    long total = 0;
    int n;
    while ((n = in.read(buf)) >= 0) {
      accept(buf, 0, n);
      total += n;
    }
    return total;
  }

  /**
   * {@code in}, decompressed when gzip, with every byte read also going to this scan; the scan
   * is complete once the stream has been read to its end and {@link #finish()} called.
   */
  InputStream tee(InputStream in) throws IOException {
    return new FilterInputStream(decompressIfGzip(new BufferedInputStream(in, 1 << 16))) {
      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
          accept(new byte[] {(byte) b}, 0, 1);
        }
        return b;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
          accept(b, off, n);
        }
        return n;
      }

      @Override
      public void close() {
        // Standard input belongs to the caller.
      }
    };
  }

  void accept(byte[] buf, int off, int len) {
    int end = off + len;
    for (int i = off; i < end; i++) {
      byte b = buf[i];
      if (b == '\n') {
        endLine();
      } else if (length < MAX_LINE_BYTES) {
        line[length++] = b;
      }
    }
  }

  /** Ends the input (its last line may lack a '\n') and returns the records found. */
  List<KillerEvent> finish() {
    if (length > 0) {
      endLine();
    }
    return List.copyOf(events);
  }

  private void endLine() {
    lineNumber++;
    int end = length;
    if (end > 0 && line[end - 1] == '\r') {
      end--;
    }
    length = 0;
    if (end == 0) {
      return;
    }
    String text = new String(line, 0, end, StandardCharsets.UTF_8);
    framer.frame(new SourceLine(name, lineNumber, text), l -> parser.accept(l, events::add));
  }

  private static InputStream decompressIfGzip(BufferedInputStream in) throws IOException {
    in.mark(2);
    int first = in.read();
    int second = in.read();
    in.reset();
    if (first == 0x1f && second == 0x8b) {
      return new GZIPInputStream(in, 1 << 16);
    }
    return in;
  }
}
