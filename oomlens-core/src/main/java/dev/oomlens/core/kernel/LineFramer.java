package dev.oomlens.core.kernel;

import dev.oomlens.core.model.Framing;
import dev.oomlens.core.model.LogLine;
import dev.oomlens.core.model.LogTime;
import dev.oomlens.core.model.SourceLine;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Consumer;

/*
 * Framings, as their writers print them:
 *
 * - printk / dmesg (kernel/printk/printk.c print_time, print_caller): "[%5lu.%06lu] ", optionally
 *   followed by the caller id "[%6s]" ("T3106", "C1") with CONFIG_PRINTK_CALLER. A record with
 *   embedded newlines is printed by dmesg with its later lines indented to the message column.
 * - util-linux dmesg -T: "[%a %b %e %H:%M:%S %Y] " in the locale of the reader; dmesg -x puts
 *   "%-6s:%-6s: " (facility, level) in front.
 * - /dev/kmsg (Documentation/ABI/testing/dev-kmsg): "prio,seq,usec,flags[,more];message", then
 *   dictionary lines " KEY=value"; flag 'c' (and '+' on kernels before 4.9) marks a fragment that
 *   continues the previous record. Non-printable bytes are escaped as \xNN.
 * - RFC 3164 (rsyslog's traditional file format, journalctl -o short/short-precise):
 *   "[<PRI>]Mmm dd hh:mm:ss[.uuuuuu] host tag[pid]: message"; rsyslog's imklog keeps the kernel's
 *   own "[  123.456789] " at the start of the message. rsyslog escapes control characters as #ooo.
 * - RFC 3339 files (rsyslog RSYSLOG_FileFormat, journalctl -o short-iso/short-iso-precise):
 *   "2024-05-09T14:52:38[.frac]+00:00 host tag: message" (journalctl prints "+0000").
 * - journalctl -o short-monotonic: "[%5llu.%06llu] host tag: message".
 * - RFC 5424: "<PRI>1 TIMESTAMP HOST APP PROCID MSGID STRUCTURED-DATA [MSG]", "-" for nil fields.
 *
 * Detection dispatches on the first character and reads fields by hand: this runs on every line of
 * every report, so the common path has no regex and allocates only the LogLine and its strings.
 */

/**
 * Takes the framing off log lines: raw dmesg, dmesg -T, /dev/kmsg records, syslog and journal
 * formats, or none. One instance per input: it remembers the previous record so continuation lines
 * inherit its host and time.
 */
public final class LineFramer {
  private static final Optional<String> ABSENT = Optional.empty();
  private static final Optional<String> KERNEL = Optional.of("kernel");

  /** Longest host or tag word read; longer words mean the line is not framed that way. */
  private static final int MAX_WORD = 256;

  private enum Escapes {
    NONE,
    RSYSLOG,
    KMSG
  }

  private final TimestampParser timestamps;

  // The line being framed, its text (taken once: SourceLine may build it anew on every call) and
  // where its logical lines go, for the duration of frame().
  private SourceLine line;
  private String text;
  private Consumer<LogLine> out;

  // The last record that began with a framing of its own; null after a bare line.
  private Framing recordFraming;
  private Optional<String> recordHost = ABSENT;
  private Optional<String> recordTag = ABSENT;
  private LogTime recordTime = LogTime.UNKNOWN;

  // Hosts and tags repeat line after line: the last ones are reused instead of copied again.
  private Optional<String> lastHost = ABSENT;
  private Optional<String> lastTag = ABSENT;

  // Where the last header(...) found its parts.
  private int hostFrom;
  private int hostTo;
  private int tagFrom;
  private int tagTo;
  private int messageFrom;

  public LineFramer(ReaderOptions options) {
    this.timestamps = new TimestampParser(options.referenceDate());
  }

  /**
   * Frames one physical line, handing {@code out} one {@link LogLine} per logical line: several for
   * records whose newlines were escaped ({@code #012}, {@code \x0a}), none for lines that hold no
   * message (kmsg {@code KEY=value} dictionary lines, empty lines).
   */
  public void frame(SourceLine line, Consumer<LogLine> out) {
    frame(line, line.text(), out);
  }

  /**
   * Frames one physical line whose text the caller has at hand ({@code line.text()}'s), so a line
   * that keeps only its place in a file is not read back to be framed.
   */
  public void frame(SourceLine line, String text, Consumer<LogLine> out) {
    this.line = line;
    this.text = text;
    this.out = out;
    try {
      frame(text);
    } finally {
      this.line = null;
      this.text = null;
      this.out = null;
    }
  }

  private void frame(String s) {
    int end = trimEnd(s, 0, s.length());
    if (end == 0) {
      return;
    }
    int start = 0;
    while (s.charAt(start) <= ' ') {
      start++;
    }
    // /dev/kmsg writes dictionary entries as one space and KEY=value; a tab is not one.
    if (start == 1
        && s.charAt(0) == ' '
        && recordFraming == Framing.KMSG
        && isDictionaryEntry(s, start, end)) {
      return;
    }
    if (framed(s, start, end, true) || decorated(s, start, end)) {
      return;
    }
    if (start > 0 && recordFraming != null) {
      emit(recordFraming, recordHost, recordTag, recordTime, true, start, end);
      return;
    }
    recordFraming = null;
    emit(Framing.BARE, ABSENT, ABSENT, LogTime.UNKNOWN, false, start, end);
  }

  private boolean framed(String s, int p, int end, boolean priAllowed) {
    char c = s.charAt(p);
    if (c == '[') {
      return bracketed(s, p, end);
    }
    if (c >= '0' && c <= '9') {
      return kmsg(s, p, end) || iso(s, p, end);
    }
    if (c == '<') {
      return priAllowed && priority(s, p, end);
    }
    if (c >= 'a' && c <= 'z') {
      return levelPrefixed(s, p, end);
    }
    return c >= 'A' && c <= 'Z' && rfc3164(s, p, end);
  }

  /** Chat and Markdown copies: {@code `...`} and {@code - } around a framed line. */
  private boolean decorated(String s, int start, int end) {
    int p = start;
    boolean backtick = false;
    for (int round = 0; round < 2 && p < end; round++) {
      if (s.charAt(p) == '`' && !backtick) {
        backtick = true;
        p++;
      } else if (s.charAt(p) == '-' && p + 1 < end && s.charAt(p + 1) == ' ') {
        p += 2;
      }
    }
    if (p == start) {
      return false;
    }
    int e = end;
    if (backtick && s.charAt(e - 1) == '`' && e - 1 > p) {
      e = trimEnd(s, p, e - 1);
    }
    while (p < e && s.charAt(p) == ' ') {
      p++;
    }
    return p < e && framed(s, p, e, true);
  }

  /**
   * {@code [ 3981.080995] msg}, {@code [ 3981.080995] host kernel: msg}, {@code [Sun Nov 22...]}.
   */
  private boolean bracketed(String s, int p, int end) {
    int q = timestamps.monotonicBracket(s, p, end);
    if (q > 0) {
      LogTime time = new LogTime(OptionalDouble.of(timestamps.monotonicSeconds), ABSENT, false);
      int r = skipCallerId(s, q, end);
      if (r < end && s.charAt(r) == ' ' && header(s, r + 1, end, true)) {
        record(Framing.JOURNAL_MONOTONIC, host(s), tag(s), time, false, messageFrom, end);
      } else {
        record(Framing.DMESG, ABSENT, ABSENT, time, false, afterSpace(s, r, end), end);
      }
      return true;
    }
    q = timestamps.ctimeBracket(s, p, end);
    if (q > 0) {
      LogTime time = wallclockTime(false);
      int r = skipCallerId(s, q, end);
      record(Framing.DMESG_T, ABSENT, ABSENT, time, false, afterSpace(s, r, end), end);
      return true;
    }
    return false;
  }

  /** {@code dmesg -x}: {@code kern :warn : [...] msg}. */
  private boolean levelPrefixed(String s, int p, int end) {
    int q = lowercaseField(s, p, end);
    if (q < 0) {
      return false;
    }
    q = lowercaseField(s, q, end);
    if (q < 0 || q >= end || s.charAt(q) != ' ') {
      return false;
    }
    while (q < end && s.charAt(q) == ' ') {
      q++;
    }
    return q < end && s.charAt(q) == '[' && bracketed(s, q, end);
  }

  /** Reads {@code name :} (a dmesg -x facility or level); returns the index after the colon. */
  private static int lowercaseField(String s, int p, int end) {
    int q = p;
    while (q < end
        && q - p <= 8
        && ((s.charAt(q) >= 'a' && s.charAt(q) <= 'z')
            || (s.charAt(q) >= '0' && s.charAt(q) <= '9'))) {
      q++;
    }
    if (q == p || q - p > 8) {
      return -1;
    }
    while (q < end && s.charAt(q) == ' ') {
      q++;
    }
    return q < end && s.charAt(q) == ':' ? q + 1 : -1;
  }

  /** A /dev/kmsg record: {@code 4,503,3981080995,-;msg}. */
  private boolean kmsg(String s, int p, int end) {
    int q = digitsThenComma(s, p, end, 4);
    q = q < 0 ? -1 : digitsThenComma(s, q, end, 20);
    if (q < 0) {
      return false;
    }
    long micros = 0;
    int usecStart = q;
    while (q < end && q - usecStart < 19 && TimestampParser.isDigit(s.charAt(q))) {
      micros = micros * 10 + (s.charAt(q) - '0');
      q++;
    }
    if (q == usecStart || q >= end || s.charAt(q) != ',') {
      return false;
    }
    boolean continuation = false;
    boolean inFlags = true;
    int limit = Math.min(end, q + 128);
    int semicolon = -1;
    for (int i = q + 1; i < limit; i++) {
      char c = s.charAt(i);
      if (c == ';') {
        semicolon = i;
        break;
      }
      if (c == ' ') {
        return false;
      }
      if (c == ',') {
        inFlags = false;
      } else if (inFlags && (c == 'c' || c == '+')) {
        continuation = true;
      }
    }
    if (semicolon < 0) {
      return false;
    }
    LogTime time = new LogTime(OptionalDouble.of(micros / 1e6), ABSENT, false);
    record(Framing.KMSG, ABSENT, ABSENT, time, continuation, semicolon + 1, end);
    return true;
  }

  private static int digitsThenComma(String s, int p, int end, int maxDigits) {
    int q = p;
    while (q < end && q - p <= maxDigits && TimestampParser.isDigit(s.charAt(q))) {
      q++;
    }
    return q > p && q - p <= maxDigits && q < end && s.charAt(q) == ',' ? q + 1 : -1;
  }

  /**
   * {@code 2024-05-09T14:52:38+0000 host kernel: msg}, or {@code dmesg --time-format=iso}'s {@code
   * 2024-05-09T14:52:38,123456+02:00 msg} (told apart by its comma and the missing tag).
   */
  private boolean iso(String s, int p, int end) {
    int q = timestamps.iso(s, p, end);
    if (q < 0 || q >= end || s.charAt(q) != ' ') {
      return false;
    }
    if (header(s, q + 1, end, false)) {
      tagged(Framing.SYSLOG_ISO, wallclockTime(false), s, end);
      return true;
    }
    if (s.charAt(p + 19) == ',') {
      record(
          Framing.DMESG_T, ABSENT, ABSENT, wallclockTime(false), false, afterSpace(s, q, end), end);
      return true;
    }
    return false;
  }

  /** {@code Feb 3 19:57:08 host kernel: msg}. */
  private boolean rfc3164(String s, int p, int end) {
    int q = timestamps.rfc3164(s, p, end);
    if (q < 0 || q >= end || s.charAt(q) != ' ' || !header(s, q + 1, end, false)) {
      return false;
    }
    tagged(Framing.SYSLOG, wallclockTime(true), s, end);
    return true;
  }

  /** {@code <PRI>} before RFC 5424, RFC 3164, RFC 3339 or a printk timestamp. */
  private boolean priority(String s, int p, int end) {
    int q = p + 1;
    while (q < end && q - p <= 4 && TimestampParser.isDigit(s.charAt(q))) {
      q++;
    }
    if (q == p + 1 || q - p > 4 || q >= end || s.charAt(q) != '>' || ++q >= end) {
      return false;
    }
    if (s.charAt(q) == '1' && q + 1 < end && s.charAt(q + 1) == ' ' && rfc5424(s, q + 2, end)) {
      return true;
    }
    return framed(s, q, end, false);
  }

  /** {@code <4>1 2024-05-09T14:52:38.123456+00:00 host kernel - - - msg}, after the version. */
  private boolean rfc5424(String s, int p, int end) {
    LogTime time;
    int q;
    if (p >= end) {
      return false;
    }
    if (s.charAt(p) == '-') {
      time = LogTime.UNKNOWN;
      q = p + 1;
    } else {
      q = timestamps.iso(s, p, end);
      if (q < 0) {
        return false;
      }
      time = wallclockTime(false);
    }
    // HOSTNAME, APP-NAME, PROCID and MSGID: one word each, "-" when nil.
    int hostAt = q + 1;
    int hostEnd = field(s, q, end);
    int appAt = hostEnd + 1;
    int appEnd = hostEnd < 0 ? -1 : field(s, hostEnd, end);
    int procIdEnd = appEnd < 0 ? -1 : field(s, appEnd, end);
    q = procIdEnd < 0 ? -1 : field(s, procIdEnd, end);
    if (q < 0) {
      return false;
    }
    if (q >= end || s.charAt(q) != ' ') {
      return false;
    }
    q = structuredData(s, q + 1, end);
    if (q < 0 || (q < end && s.charAt(q) != ' ')) {
      return false;
    }
    int message = q < end ? q + 1 : end;
    if (message < end && s.charAt(message) == '\uFEFF') {
      message++;
    }
    Optional<String> host = nil(s, hostAt, hostEnd) ? ABSENT : host(s, hostAt, hostEnd);
    Optional<String> tag = nil(s, appAt, appEnd) ? ABSENT : tag(s, appAt, appEnd);
    messageFrom = message;
    if (tag.equals(KERNEL)) {
      time = kernelStamp(s, end, time);
    }
    record(Framing.RFC5424, host, tag, time, false, messageFrom, end);
    return true;
  }

  /** Reads " word" at {@code q}; returns the end of the word, or -1. */
  private static int field(String s, int q, int end) {
    if (q >= end || s.charAt(q) != ' ') {
      return -1;
    }
    int w = wordEnd(s, q + 1, end);
    return w <= q + 1 ? -1 : w;
  }

  /** Skips RFC 5424 STRUCTURED-DATA ({@code -} or {@code [id k="v"]...}); -1 when malformed. */
  private static int structuredData(String s, int p, int end) {
    if (p < end && s.charAt(p) == '-') {
      return p + 1;
    }
    int q = p;
    while (q < end && s.charAt(q) == '[') {
      boolean quoted = false;
      q++;
      while (q < end && (quoted || s.charAt(q) != ']')) {
        char c = s.charAt(q);
        if (c == '\\') {
          q++;
        } else if (c == '"') {
          quoted = !quoted;
        }
        q++;
      }
      if (q >= end) {
        return -1;
      }
      q++;
    }
    return q == p ? -1 : q;
  }

  private static boolean nil(String s, int from, int to) {
    return to - from == 1 && s.charAt(from) == '-';
  }

  /** Emits a syslog-family record whose host and tag {@link #header} just found. */
  private void tagged(Framing framing, LogTime time, String s, int end) {
    Optional<String> tag = tag(s);
    if (tag.equals(KERNEL)) {
      time = kernelStamp(s, end, time);
    }
    record(framing, host(s), tag, time, false, messageFrom, end);
  }

  /** Takes the kernel's own {@code [ 123.456789]} off the message, into the time. */
  private LogTime kernelStamp(String s, int end, LogTime time) {
    int q = timestamps.monotonicBracket(s, messageFrom, end);
    if (q < 0) {
      return time;
    }
    messageFrom = afterSpace(s, skipCallerId(s, q, end), end);
    return new LogTime(
        OptionalDouble.of(timestamps.monotonicSeconds), time.wallclock(), time.yearInferred());
  }

  /**
   * Reads {@code host tag: } at {@code p}, right after the timestamp's space. Strict (journalctl
   * short-monotonic, where a dmesg message could look alike) wants a host and a tag that is {@code
   * kernel} or {@code name[pid]}; lenient (syslog) takes any {@code word:} as tag and allows the
   * host to be missing ({@code Mar 10 11:19:17 kernel: msg}).
   */
  private boolean header(String s, int p, int end, boolean strict) {
    hostFrom = -1;
    hostTo = -1;
    if (p >= end) {
      return false;
    }
    if (s.charAt(p) == ' ') {
      return !strict && tagAt(s, p + 1, end, false);
    }
    int w = wordEnd(s, p, end);
    if (w < 0) {
      return false;
    }
    if (!strict && tagShaped(s, p, w, false)) {
      return tagAt(s, p, end, false);
    }
    if (w >= end) {
      return false;
    }
    hostFrom = p;
    hostTo = w;
    return tagAt(s, w + 1, end, strict);
  }

  private boolean tagAt(String s, int p, int end, boolean strict) {
    int w = wordEnd(s, p, end);
    if (w < 0 || !tagShaped(s, p, w, strict)) {
      return false;
    }
    messageFrom = w < end ? w + 1 : end;
    return true;
  }

  /** True for {@code name:} or {@code name[pid]:}; sets {@link #tagFrom}/{@link #tagTo} to name. */
  private boolean tagShaped(String s, int from, int to, boolean strict) {
    if (to - from < 2 || s.charAt(to - 1) != ':') {
      return false;
    }
    int nameEnd = to - 1;
    if (s.charAt(nameEnd - 1) == ']') {
      int b = nameEnd - 2;
      while (b > from && TimestampParser.isDigit(s.charAt(b))) {
        b--;
      }
      if (b > from && b < nameEnd - 2 && s.charAt(b) == '[') {
        nameEnd = b;
      } else if (strict) {
        return false;
      }
    } else if (strict && !(nameEnd - from == 6 && s.startsWith("kernel", from))) {
      return false;
    }
    tagFrom = from;
    tagTo = nameEnd;
    return true;
  }

  /** The end of the word starting at {@code p}; -1 when longer than {@link #MAX_WORD}. */
  private static int wordEnd(String s, int p, int end) {
    int limit = Math.min(end, p + MAX_WORD);
    for (int q = p; q < limit; q++) {
      if (s.charAt(q) == ' ') {
        return q;
      }
    }
    return limit == end ? end : -1;
  }

  private Optional<String> host(String s) {
    return hostFrom < 0 ? ABSENT : host(s, hostFrom, hostTo);
  }

  private Optional<String> host(String s, int from, int to) {
    String last = lastHost.orElse(null);
    if (last == null || last.length() != to - from || !s.startsWith(last, from)) {
      lastHost = Optional.of(s.substring(from, to));
    }
    return lastHost;
  }

  private Optional<String> tag(String s) {
    return tag(s, tagFrom, tagTo);
  }

  private Optional<String> tag(String s, int from, int to) {
    if (to - from == 6 && s.startsWith("kernel", from)) {
      return KERNEL;
    }
    String last = lastTag.orElse(null);
    if (last == null || last.length() != to - from || !s.startsWith(last, from)) {
      lastTag = Optional.of(s.substring(from, to));
    }
    return lastTag;
  }

  private LogTime wallclockTime(boolean yearInferred) {
    String wallclock = timestamps.wallclock;
    return wallclock == null
        ? LogTime.UNKNOWN
        : new LogTime(OptionalDouble.empty(), Optional.of(wallclock), yearInferred);
  }

  /** Skips a printk caller id {@code [ T3106]} / {@code [ C1]} at {@code q}, if there is one. */
  private static int skipCallerId(String s, int q, int end) {
    if (q >= end || s.charAt(q) != '[') {
      return q;
    }
    int p = q + 1;
    while (p < end && p - q <= 8 && s.charAt(p) == ' ') {
      p++;
    }
    if (p >= end || (s.charAt(p) != 'T' && s.charAt(p) != 'C')) {
      return q;
    }
    int digits = ++p;
    while (p < end && p - q <= 16 && TimestampParser.isDigit(s.charAt(p))) {
      p++;
    }
    return p > digits && p < end && s.charAt(p) == ']' ? p + 1 : q;
  }

  /** A kmsg dictionary line: one space, then {@code KEY=value}. */
  private static boolean isDictionaryEntry(String s, int start, int end) {
    int p = start;
    while (p < end) {
      char c = s.charAt(p);
      if (c == '=') {
        return p > start;
      }
      if (!((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '_')) {
        return false;
      }
      p++;
    }
    return false;
  }

  private static int afterSpace(String s, int p, int end) {
    return p < end && s.charAt(p) == ' ' ? p + 1 : p;
  }

  private static int trimEnd(String s, int from, int to) {
    while (to > from && s.charAt(to - 1) <= ' ') {
      to--;
    }
    return to;
  }

  private static Escapes escapesOf(Framing framing) {
    return switch (framing) {
      case KMSG -> Escapes.KMSG;
      case SYSLOG, SYSLOG_ISO, RFC5424, BARE -> Escapes.RSYSLOG;
      case DMESG, DMESG_T, JOURNAL_MONOTONIC -> Escapes.NONE;
    };
  }

  /** Emits a record that starts with its own framing, and remembers it for continuation lines. */
  private void record(
      Framing framing,
      Optional<String> host,
      Optional<String> tag,
      LogTime time,
      boolean continuation,
      int from,
      int to) {
    recordFraming = framing;
    recordHost = host;
    recordTag = tag;
    recordTime = time;
    emit(framing, host, tag, time, continuation, from, to);
  }

  /** Hands the current line's text {@code [from, to)} to the consumer as one or more lines. */
  private void emit(
      Framing framing,
      Optional<String> host,
      Optional<String> tag,
      LogTime time,
      boolean continuation,
      int from,
      int to) {
    String s = this.text;
    Escapes escapes = escapesOf(framing);
    from = Math.min(from, to);
    String text;
    if (escapes == Escapes.RSYSLOG && FramingEscapes.hasRsyslogEscape(s, from, to)) {
      text = FramingEscapes.unescapeRsyslog(s, from, to);
    } else if (escapes == Escapes.KMSG && FramingEscapes.hasKmsgEscape(s, from, to)) {
      text = FramingEscapes.unescapeKmsg(s, from, to);
    } else {
      String message = s.substring(from, trimEnd(s, from, to));
      out.accept(new LogLine(line, framing, host, tag, time, continuation, message));
      return;
    }
    // One logical line per newline; the first keeps its indentation, the later ones are
    // continuation lines of the same record and lose it, as dmesg continuation lines do.
    boolean first = true;
    int a = 0;
    while (a <= text.length()) {
      int newline = text.indexOf('\n', a);
      int b = newline < 0 ? text.length() : newline;
      int pieceFrom = a;
      if (!first) {
        while (pieceFrom < b && text.charAt(pieceFrom) <= ' ') {
          pieceFrom++;
        }
      }
      int pieceTo = trimEnd(text, pieceFrom, b);
      if (pieceTo > pieceFrom || (first && newline < 0)) {
        String piece = text.substring(pieceFrom, pieceTo);
        out.accept(new LogLine(line, framing, host, tag, time, first ? continuation : true, piece));
        first = false;
      }
      if (newline < 0) {
        break;
      }
      a = newline + 1;
    }
  }
}
