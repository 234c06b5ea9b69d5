package dev.oomlens.core.model;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/*
 * A class with a record's contract (the canonical constructor, accessors, equals, hashCode and
 * toString a record SourceLine(file, line, text) would have), not a record: every line of every
 * report is held until the rules have seen them all, about 74 lines a report, so its size is the
 * size of what diagnose keeps of a big log.
 *
 * A line of an input that can be read again (a regular file) keeps only where it is: its origin,
 * byte offset and length. Its text is read back from the input when asked for, which only the
 * renderers do, for the lines a finding quotes; about 100 bytes a line stay off the heap. The hash
 * of the text is kept, so the hash needs no read, and a text read back that is not the text read
 * first (the file was rewritten in between) is told apart instead of quoted: ChangedException.
 *
 * A line of any other input (standard input, a pipe, kmsg, the journal) keeps its text: a line
 * whose characters all fit in Latin-1 (almost every kernel line: invalid UTF-8 becomes U+FFFD,
 * which does not) as those bytes alone, its String made again when asked for; others their String.
 */

/**
 * One physical line of an input, as it stands in the file: the evidence a finding quotes. {@code
 * file} is the input's name as the user gave it ({@code -} for standard input), {@code line} the
 * 1-based line number in that input, {@code text} the whole line, framing included, without its
 * line terminator.
 */
public final class SourceLine implements Citation {
  /** An input whose lines can be read again by byte offset, for as long as a line of it is held. */
  public interface Origin {
    /** The input's name as the user gave it. */
    String name();

    /**
     * The text of the line of {@code length} bytes at byte {@code offset}, made as the reader made
     * it the first time.
     *
     * @throws IOException when the input can no longer be read there (gone, replaced, shorter)
     */
    String text(long offset, int length) throws IOException;
  }

  /**
   * A line read back from its input is not the line read first: the input was changed (rewritten,
   * truncated) after it was read. The message names the input and the line.
   */
  public static final class ChangedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ChangedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /*
   * 32 bytes a line: a line of a file whose number fits in an int, its offset in 40 bits and its
   * length in 24 (any line of a file under 1 TiB) keeps its origin here, its number in line and
   * its place in place. Any other line keeps what does not fit in a holder of its own: Text (the
   * name and the text; its number in place) or Far (the origin and the wide values).
   */
  private static final int LENGTH_BITS = 24;
  private static final long MAX_OFFSET = (1L << (64 - LENGTH_BITS)) - 1;

  /** The {@link Origin} of a compact line, else a {@link Text} or a {@link Far}. */
  private final Object where;

  private final int line;

  /** offset << LENGTH_BITS | length for a compact line, the line number for a Text. */
  private final long place;

  private int hash;

  /**
   * A line that keeps its text: the text as Latin-1 bytes when every character fits, else the
   * String.
   */
  private record Text(String file, Object text) {}

  /** A line of an origin whose number, offset or length does not fit the compact form. */
  private record Far(Origin origin, long line, long offset, int length) {}

  public SourceLine(String file, long line, String text) {
    requireNonNull(file, "file");
    requireNonNull(text, "text");
    checkLine(line);
    this.where = new Text(file, isLatin1(text) ? text.getBytes(StandardCharsets.ISO_8859_1) : text);
    this.line = 0;
    this.place = line;
  }

  /**
   * A line that keeps where it is, not its text: {@code length} bytes at byte {@code offset} of
   * {@code origin}, whose text as read now is {@code text} (kept only as its hash).
   */
  public SourceLine(Origin origin, long line, long offset, int length, String text) {
    requireNonNull(origin, "origin");
    requireNonNull(text, "text");
    checkLine(line);
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException("offset=" + offset + " length=" + length);
    }
    if (line <= Integer.MAX_VALUE && offset <= MAX_OFFSET && length < 1 << LENGTH_BITS) {
      this.where = origin;
      this.line = (int) line;
      this.place = offset << LENGTH_BITS | length;
    } else {
      this.where = new Far(origin, line, offset, length);
      this.line = 0;
      this.place = 0;
    }
    this.hash = hash(origin.name(), line, text.hashCode());
  }

  private static void checkLine(long line) {
    if (line < 1) {
      throw new IllegalArgumentException("line=" + line);
    }
  }

  private static boolean isLatin1(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) > 0xff) {
        return false;
      }
    }
    return true;
  }

  /** The origin the text is read back from; null for a line that keeps its text. */
  private Origin origin() {
    return where instanceof Origin o ? o : where instanceof Far f ? f.origin() : null;
  }

  private long offset() {
    return where instanceof Far f ? f.offset() : place >>> LENGTH_BITS;
  }

  private int length() {
    return where instanceof Far f ? f.length() : (int) (place & ((1L << LENGTH_BITS) - 1));
  }

  public String file() {
    return switch (where) {
      case Origin o -> o.name();
      case Text t -> t.file();
      case Far f -> f.origin().name();
      default -> throw new IllegalStateException();
    };
  }

  public long line() {
    return switch (where) {
      case Text t -> place;
      case Far f -> f.line();
      default -> line;
    };
  }

  /**
   * The line's text; a line kept as bytes makes a new String on each call, a line kept as its place
   * reads it back from its input.
   *
   * @throws ChangedException when the text read back is not the text read first
   */
  public String text() {
    Origin o = origin();
    if (o != null) {
      String t;
      try {
        t = o.text(offset(), length());
      } catch (IOException e) {
        throw new ChangedException(
            o.name()
                + ":"
                + line()
                + ": the line cannot be read again to quote it ("
                + e.getMessage()
                + "): the file changed after it was read",
            e);
      }
      if (hash(o.name(), line(), t.hashCode()) != hash) {
        throw new ChangedException(
            o.name()
                + ":"
                + line()
                + ": the line is no longer the one that was read: the file changed after it was read",
            null);
      }
      return t;
    }
    Object text = ((Text) where).text();
    return text instanceof byte[] b ? new String(b, StandardCharsets.ISO_8859_1) : (String) text;
  }

  @Override
  public String describe() {
    return file() + ":" + line() + ": " + text();
  }

  @Override
  public String toString() {
    return describe();
  }

  @Override
  public boolean equals(Object o) {
    if (o == this) {
      return true;
    }
    if (!(o instanceof SourceLine s)
        || line() != s.line()
        || hashCode() != s.hashCode()
        || !file().equals(s.file())) {
      return false;
    }
    Origin origin = origin();
    if (origin != null && origin == s.origin()) {
      // One input, one line number: one line, whose text hashed the same.
      return offset() == s.offset() && length() == s.length();
    }
    if (where instanceof Text a
        && s.where instanceof Text b
        && a.text() instanceof byte[] x
        && b.text() instanceof byte[] y) {
      return Arrays.equals(x, y);
    }
    return text().equals(s.text());
  }

  @Override
  public int hashCode() {
    int h = hash;
    // A line kept as its place has its hash from the start, 0 included.
    if (h == 0 && where instanceof Text t) {
      int th;
      if (t.text() instanceof byte[] b) {
        // String.hashCode of the same characters: Latin-1 bytes are their chars' values.
        th = 0;
        for (byte c : b) {
          th = 31 * th + (c & 0xff);
        }
      } else {
        th = ((String) t.text()).hashCode();
      }
      h = hash(t.file(), place, th);
      hash = h;
    }
    return h;
  }

  /** The hash a record SourceLine(file, line, text) would have, from its text's hash. */
  private static int hash(String file, long line, int textHash) {
    return 31 * (31 * file.hashCode() + Long.hashCode(line)) + textHash;
  }
}
