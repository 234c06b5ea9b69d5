package dev.oomlens.report.escape;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;

/*
 * One filter at the output boundary rather than an escape at every place a renderer puts a name:
 * a process names itself, and so do units, cgroups and hosts, and they reach the text through
 * hundreds of string concatenations (the ladder, the findings' reasoning and fixes, quoted log
 * lines, problems); one forgotten call site would be enough. The filter is sound because of what
 * the renderers themselves write: the text report, the Markdown draft and the error messages use
 * no control character but '\n' (no CR, no tab: the JVM indents a --debug stack trace with tabs,
 * which the CLI turns into spaces; the Markdown syntax is printable ASCII), so everything else the
 * filter escapes came from input, and '\n' is the one character it has to let through without
 * knowing where it came from.
 *
 * Whether input can hold a '\n': the kernel-log readers hand over one logical line at a time and
 * split at every newline, including the \x0a of /dev/kmsg and the #012 of rsyslog they decode, so
 * no field of a report or of a userspace killer's record holds one; the kernel refuses '\n' in a
 * cgroup's name (cgroup_mkdir, cgroup1_rename), so none of its paths does either. What is left are
 * files of a host or a snapshot given by hand (a hostname set with '\n' in it, a directory made in
 * a copied tree): the Markdown helpers show those visibly, and in the text report such a name
 * starts a new line, which can make a line look like oomlens wrote it but cannot act on the
 * terminal. The JSON document never goes through this filter: Jackson escapes the same
 * characters there as JSON escapes (see JsonEscapes), which a parser reads back exactly.
 */

/**
 * A {@link Writer} that passes text on with every character {@link Controls#isHidden} calls hidden,
 * except {@code \n}, in its visible form (<code>&#92;u{1b}</code>): what the text report, the
 * Markdown draft and the error messages are written through, so that no name in the input can act
 * on the terminal or hide text.
 */
public final class EscapingWriter extends Writer {
  private final Writer out;

  /** A high surrogate that ended the last write, waiting to see whether a low one follows. */
  private char pendingHigh;

  public EscapingWriter(Writer out) {
    super(requireNonNull(out, "out"));
    this.out = out;
  }

  /**
   * {@code out} behind an escaping writer that flushes on {@code println}, as picocli's writers do;
   * {@code out} itself when it escapes already, so wrapping twice costs nothing. The errors {@code
   * out} swallows show in the wrapper's {@code checkError()} too.
   */
  public static PrintWriter wrap(PrintWriter out) {
    requireNonNull(out, "out");
    return out instanceof Escaping ? out : new Escaping(out);
  }

  @Override
  public void write(char[] buf, int off, int len) throws IOException {
    write(new String(buf, off, len), 0, len);
  }

  @Override
  public void write(String text, int off, int len) throws IOException {
    synchronized (lock) {
      StringBuilder s = null;
      int run = off;
      int end = off + len;
      for (int i = off; i < end; i++) {
        char c = text.charAt(i);
        if (pendingHigh == 0 && ((c >= ' ' && c < 0x7f) || c == '\n')) {
          continue;
        }
        if (s == null) {
          s = new StringBuilder(len + 16);
        }
        s.append(text, run, i);
        run = i + 1;
        if (pendingHigh != 0) {
          char high = pendingHigh;
          pendingHigh = 0;
          if (Character.isLowSurrogate(c)) {
            append(s, Character.toCodePoint(high, c), high, c);
            continue;
          }
          Controls.appendVisible(s, high);
        }
        if (Character.isHighSurrogate(c)) {
          if (i + 1 == end) {
            pendingHigh = c;
          } else if (Character.isLowSurrogate(text.charAt(i + 1))) {
            append(s, Character.toCodePoint(c, text.charAt(i + 1)), c, text.charAt(i + 1));
            i++;
            run = i + 1;
          } else {
            Controls.appendVisible(s, c);
          }
        } else if (c != '\n' && Controls.isHidden(c)) {
          Controls.appendVisible(s, c);
        } else {
          s.append(c);
        }
      }
      if (s == null) {
        out.write(text, off, len);
      } else {
        out.write(s.append(text, run, end).toString());
      }
    }
  }

  /**
   * Flushes {@code out}. A high surrogate that ended the last write is shown as the lone half it
   * then is: flushing between the halves of a pair does not happen with whole strings.
   */
  @Override
  public void flush() throws IOException {
    synchronized (lock) {
      if (pendingHigh != 0) {
        out.write(Controls.appendVisible(new StringBuilder(), pendingHigh).toString());
        pendingHigh = 0;
      }
      out.flush();
    }
  }

  @Override
  public void close() throws IOException {
    synchronized (lock) {
      flush();
      out.close();
    }
  }

  private static void append(StringBuilder s, int codePoint, char high, char low) {
    if (Controls.isHidden(codePoint)) {
      Controls.appendVisible(s, codePoint);
    } else {
      s.append(high).append(low);
    }
  }

  /** The print writer {@link #wrap} makes, told apart so it is not wrapped twice. */
  private static final class Escaping extends PrintWriter {
    private final PrintWriter target;

    Escaping(PrintWriter target) {
      super(new EscapingWriter(target), true);
      this.target = target;
    }

    /** The target swallows its own I/O errors, as a print writer does; they count here too. */
    @Override
    public boolean checkError() {
      return super.checkError() | target.checkError();
    }
  }
}
