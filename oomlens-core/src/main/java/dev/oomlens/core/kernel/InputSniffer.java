package dev.oomlens.core.kernel;

import java.util.Optional;

/*
 * Why these rules: a kernel log is nearly all printable ASCII, but real ones also hold runs of NUL
 * bytes (a log file a crash left with a hole of zeroes where unwritten blocks were), invalid UTF-8
 * (a comm is whatever bytes a process named itself, old logs in Latin-1) and ESC (colours from
 * `dmesg --color=always` or a journalctl saved from a terminal). None of those may refuse a log.
 * What text never holds in number are the other C0 control bytes and DEL: in the first 4 KiB of
 * every log in this repository there are none, while the binaries measured here (ELF programs and
 * libraries, jars, gzip and other compressed data, random bytes) have 7% to 11% of their non-NUL
 * bytes in that set. A threshold of 3% (and at least 16 such bytes, so a short odd file is still
 * read) keeps a wide margin on both sides. Formats that have a magic number are told by it first,
 * so their message can say how to read them.
 */

/**
 * Tells from the first bytes of an input whether it is a text log or something else (a program, a
 * systemd journal file, an archive, compressed data oomlens does not open, binary data), and says
 * how to read it instead.
 */
final class InputSniffer {
  /** How much of an input the decision looks at: one block, read once, never a second pass. */
  static final int HEAD_BYTES = 4096;

  private static final int MIN_CONTROL_BYTES = 16;
  private static final int MAX_CONTROL_PERCENT = 3;

  private InputSniffer() {}

  /**
   * Why {@code head[0, length)}, the start of the input {@code name}, is not a text log, or empty
   * when it is (or may be) one.
   *
   * @param gzipped the bytes were decompressed from gzip, which the advice must take into account
   */
  static Optional<String> notText(byte[] head, int length, String name, boolean gzipped) {
    String file = name.equals("-") ? "FILE" : name;
    String pipe = " | oomlens diagnose -";
    if (startsWith(head, length, 0, 0x7f, 'E', 'L', 'F')) {
      return Optional.of("is an ELF binary (a program or library), not a log");
    }
    if (startsWith(head, length, 0, 'L', 'P', 'K', 'S', 'H', 'H', 'R', 'H')) {
      // journalctl -k implies -b, which with --file keeps only the file's last boot.
      return Optional.of(
          "is a systemd journal file, not text; read it with: journalctl --file "
              + file
              + " -o short-iso-precise"
              + pipe
              + " (every boot in it, the userspace killers'"
              + " records too; -k would keep only its last boot's kernel messages)");
    }
    if (gzipped && isTar(head, length)) {
      return Optional.of(
          "is a gzip-compressed tar archive, not a log; extract it (tar xzf "
              + file
              + ") and give the logs in it");
    }
    if (gzipped) {
      return binary(head, length).map(why -> "holds " + why + " once decompressed, not a log");
    }
    Optional<String> compressed = compressedBy(head, length);
    if (compressed.isPresent()) {
      return Optional.of(
          "is "
              + compressed.get()
              + "-compressed; oomlens reads plain text and"
              + " gzip: "
              + compressed.get()
              + " -dc "
              + file
              + pipe);
    }
    if (startsWith(head, length, 0, 'P', 'K', 3, 4)
        || startsWith(head, length, 0, 'P', 'K', 5, 6)) {
      return Optional.of(
          "is a zip archive, not a log; list it (unzip -l "
              + file
              + ") and read a log in it with: unzip -p "
              + file
              + " PATH"
              + pipe);
    }
    if (isTar(head, length)) {
      return Optional.of(
          "is a tar archive, not a log; extract it (tar xf " + file + ") and give the logs in it");
    }
    if (isUtf16(head, length)) {
      return Optional.of(
          "is UTF-16 text; convert it with: iconv -f UTF-16 -t UTF-8 " + file + pipe);
    }
    return binary(head, length).map(why -> "is " + why + ", not a log");
  }

  /** The tool that decompresses the format the bytes start with (xz, zstd...), if known. */
  private static Optional<String> compressedBy(byte[] b, int n) {
    if (startsWith(b, n, 0, 0xfd, '7', 'z', 'X', 'Z', 0)) {
      return Optional.of("xz");
    }
    if (startsWith(b, n, 0, 0x28, 0xb5, 0x2f, 0xfd)) {
      return Optional.of("zstd");
    }
    // "BZh" and a block size is a plausible start of a line; the block or end-of-stream magic
    // after it is not.
    if (startsWith(b, n, 0, 'B', 'Z', 'h')
        && n >= 10
        && b[3] >= '1'
        && b[3] <= '9'
        && (startsWith(b, n, 4, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59)
            || startsWith(b, n, 4, 0x17, 0x72, 0x45, 0x38, 0x50, 0x90))) {
      return Optional.of("bzip2");
    }
    if (startsWith(b, n, 0, 0x04, 0x22, 0x4d, 0x18)
        || startsWith(b, n, 0, 0x02, 0x21, 0x4c, 0x18)) {
      return Optional.of("lz4");
    }
    return Optional.empty();
  }

  /** POSIX and GNU tar both write "ustar" at offset 257 of the first header. */
  private static boolean isTar(byte[] b, int n) {
    return startsWith(b, n, 257, 'u', 's', 't', 'a', 'r');
  }

  /**
   * UTF-16 with a byte-order mark, or little-endian ASCII without one (PowerShell's {@code >}): a
   * NUL after nearly every printable byte, which no crash-left run of NULs looks like.
   */
  private static boolean isUtf16(byte[] b, int n) {
    if (startsWith(b, n, 0, 0xff, 0xfe) || startsWith(b, n, 0, 0xfe, 0xff)) {
      return true;
    }
    int pairs = n / 2;
    if (pairs < 32) {
      return false;
    }
    int ascii = 0;
    for (int i = 0; i + 1 < n; i += 2) {
      int lo = b[i] & 0xff;
      if (b[i + 1] == 0 && lo != 0 && lo < 0x80) {
        ascii++;
      }
    }
    return ascii * 10 >= pairs * 9;
  }

  /** Why the bytes are binary data, or empty when they may be text. */
  private static Optional<String> binary(byte[] b, int n) {
    int nonNul = 0;
    int control = 0;
    for (int i = 0; i < n; i++) {
      int c = b[i] & 0xff;
      if (c == 0) {
        continue;
      }
      nonNul++;
      if ((c < 0x20 && (c < '\t' || c > '\r') && c != 0x1b) || c == 0x7f) {
        control++;
      }
    }
    if (control < MIN_CONTROL_BYTES || control * 100L < nonNul * (long) MAX_CONTROL_PERCENT) {
      return Optional.empty();
    }
    return Optional.of(
        "binary data ("
            + control * 100 / nonNul
            + "% of the first "
            + n
            + " bytes, NULs aside, are control bytes that text does not hold)");
  }

  private static boolean startsWith(byte[] b, int n, int at, int... magic) {
    if (at + magic.length > n) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if ((b[at + i] & 0xff) != magic[i]) {
        return false;
      }
    }
    return true;
  }
}
