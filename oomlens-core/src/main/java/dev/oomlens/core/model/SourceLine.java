package dev.oomlens.core.model;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/*
 * A class with a record's contract (the canonical constructor, accessors, equals, hashCode and
 * toString a record SourceLine(file, line, text) would have), not a record: every line of every
 * report is held until the rules have seen them all, about 74 lines a report, and a String per
 * line cost 24 bytes beside its bytes. A line whose characters all fit in Latin-1 (almost every
 * kernel line: invalid UTF-8 becomes U+FFFD, which does not) keeps only those bytes, and its
 * String is made again when asked for; others keep their String. The hash is the record's, cached.
 */

/**
 * One physical line of an input, as it stands in the file: the evidence a finding quotes. {@code
 * file} is the input's name as the user gave it ({@code -} for standard input), {@code line} the
 * 1-based line number in that input, {@code text} the whole line, framing included, without its
 * line terminator.
 */
public final class SourceLine implements Citation {
  private final String file;
  private final long line;

  /** The text as Latin-1 bytes when every character fits, else the String. */
  private final Object text;

  private int hash;

  public SourceLine(String file, long line, String text) {
    requireNonNull(file, "file");
    requireNonNull(text, "text");
    if (line < 1) {
      throw new IllegalArgumentException("line=" + line);
    }
    this.file = file;
    this.line = line;
    this.text = isLatin1(text) ? text.getBytes(StandardCharsets.ISO_8859_1) : text;
  }

  private static boolean isLatin1(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) > 0xff) {
        return false;
      }
    }
    return true;
  }

  public String file() {
    return file;
  }

  public long line() {
    return line;
  }

  /** The line's text; a line kept as bytes makes a new String on each call. */
  public String text() {
    return text instanceof byte[] b ? new String(b, StandardCharsets.ISO_8859_1) : (String) text;
  }

  @Override
  public String describe() {
    return file + ":" + line + ": " + text();
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
    if (!(o instanceof SourceLine s) || line != s.line || !file.equals(s.file)) {
      return false;
    }
    // Both sides chose their form by the same rule, so a byte[] and a String never hold one text.
    if (text instanceof byte[] a) {
      return s.text instanceof byte[] b && Arrays.equals(a, b);
    }
    return text.equals(s.text);
  }

  @Override
  public int hashCode() {
    int h = hash;
    if (h == 0) {
      int t;
      if (text instanceof byte[] b) {
        // String.hashCode of the same characters: Latin-1 bytes are their chars' values.
        t = 0;
        for (byte c : b) {
          t = 31 * t + (c & 0xff);
        }
      } else {
        t = text.hashCode();
      }
      h = 31 * (31 * file.hashCode() + Long.hashCode(line)) + t;
      hash = h;
    }
    return h;
  }
}
