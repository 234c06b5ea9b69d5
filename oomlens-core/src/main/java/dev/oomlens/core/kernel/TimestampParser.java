package dev.oomlens.core.kernel;

import java.time.LocalDate;

/*
 * The timestamps that frame kernel log lines, read by hand because this runs on every line of a
 * report: no regex, no java.time objects per line, only the wallclock string itself.
 *
 * - printk: "[%5lu.%06lu]" (kernel/printk/printk.c print_time), seconds since boot.
 * - util-linux dmesg -T: strftime("%a %b %e %H:%M:%S %Y") in the reader's locale, so the names of
 *   day and month may be in any language; the time and the year are always digits at the end.
 * - RFC 3164 / journalctl short: "%b %d %H:%M:%S" (journalctl may add ".%06u"), no year.
 * - RFC 3339 (rsyslog, RFC 5424) and journalctl short-iso: "2024-05-09T14:52:38[.frac](Z|+hh:mm)",
 *   journalctl printing the offset as "+hhmm".
 */

/**
 * A reader of the timestamps found in log framings; each method parses at a position and leaves its
 * result in this object's fields, so that one instance serves a whole input without allocating.
 */
final class TimestampParser {
  private static final long[] POW10_LONG = {
    1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L, 100_000_000L, 1_000_000_000L
  };
  private static final double[] POW10 = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

  /** Month names as dmesg -T and journalctl print them in English and German locales. */
  private static final String[] MONTH_NAMES = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Mär",
    "Mrz", "Mai", "Okt", "Dez"
  };

  private static final int[] MONTH_NUMBERS = {
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 3, 3, 5, 10, 12
  };
  private static final int[] DAYS_IN_MONTH = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

  // A yearless date may lie at most one day after the reference date (time zones, late rotation).
  private final int limitYear;
  private final int limitMonthDay;
  private final StringBuilder buffer = new StringBuilder(40);

  /** Seconds since boot read by the last successful {@link #monotonicBracket}. */
  double monotonicSeconds;

  /** Wallclock read by the last successful date parse; null when the date could not be read. */
  String wallclock;

  TimestampParser(LocalDate referenceDate) {
    LocalDate limit = referenceDate.plusDays(1);
    this.limitYear = limit.getYear();
    this.limitMonthDay = monthDayKey(limit.getMonthValue(), limit.getDayOfMonth());
  }

  /**
   * Reads a printk timestamp {@code [ 3981.080995]} at {@code i}.
   *
   * @return the index after the closing bracket, or -1
   */
  int monotonicBracket(String s, int i, int end) {
    if (i >= end || s.charAt(i) != '[') {
      return -1;
    }
    int p = i + 1;
    while (p < end && s.charAt(p) == ' ') {
      p++;
    }
    long whole = 0;
    int wholeDigits = 0;
    char c;
    while (p < end && (c = s.charAt(p)) >= '0' && c <= '9') {
      if (++wholeDigits > 12) {
        return -1;
      }
      whole = whole * 10 + (c - '0');
      p++;
    }
    if (wholeDigits == 0 || p >= end || s.charAt(p) != '.') {
      return -1;
    }
    p++;
    long fraction = 0;
    int fractionDigits = 0;
    while (p < end && (c = s.charAt(p)) >= '0' && c <= '9') {
      if (++fractionDigits > 9) {
        return -1;
      }
      fraction = fraction * 10 + (c - '0');
      p++;
    }
    if (fractionDigits == 0 || p >= end || s.charAt(p) != ']') {
      return -1;
    }
    // One division of two exact integers rounds like Double.parseDouble of the printed decimal.
    monotonicSeconds =
        wholeDigits + fractionDigits <= 15
            ? (whole * POW10_LONG[fractionDigits] + fraction) / POW10[fractionDigits]
            : whole + fraction / POW10[fractionDigits];
    return p + 1;
  }

  /**
   * Reads a {@code dmesg -T} bracket {@code [Sun Nov 22 20:21:28 2026]} at {@code i}: any bracket
   * that ends in {@code hh:mm:ss yyyy}. Sets {@link #wallclock}, or null when the month is in a
   * language this parser does not know.
   *
   * @return the index after the closing bracket, or -1
   */
  int ctimeBracket(String s, int i, int end) {
    if (i >= end || s.charAt(i) != '[') {
      return -1;
    }
    int limit = Math.min(end, i + 64);
    int close = s.indexOf(']', i + 1);
    // "[1 00:00:00 2024]" is the shortest bracket that could hold a day, a time and a year.
    if (close < 0 || close >= limit || close - i < 16) {
      return -1;
    }
    int yearAt = close - 4;
    int timeAt = yearAt - 9;
    if (!digits(s, yearAt, 4) || s.charAt(yearAt - 1) != ' ' || !clock(s, timeAt)) {
      return -1;
    }
    if (s.charAt(timeAt - 1) != ' ') {
      return -1;
    }
    wallclock = null;
    int p = timeAt - 1;
    while (p > i && s.charAt(p) == ' ') {
      p--;
    }
    int dayEnd = p + 1;
    while (p > i && isDigit(s.charAt(p)) && dayEnd - p <= 2) {
      p--;
    }
    int dayStart = p + 1;
    if (dayStart < dayEnd && dayEnd - dayStart <= 2 && s.charAt(p) == ' ') {
      int day = number(s, dayStart, dayEnd);
      while (p > i && s.charAt(p) == ' ') {
        p--;
      }
      int monthEnd = p + 1;
      while (p > i && s.charAt(p) != ' ') {
        p--;
      }
      int month = monthOf(s, p + 1, monthEnd);
      int year = number(s, yearAt, close);
      if (month > 0 && validDate(year, month, day)) {
        wallclock = format(year, month, day, s, timeAt, timeAt + 8);
      }
    }
    return close + 1;
  }

  /**
   * Reads an RFC 3164 date {@code Feb 3 19:57:08[.123456]} at {@code i}, giving it the latest year
   * that does not put it after the reference date.
   *
   * @return the index after the time (where a space must follow), or -1
   */
  int rfc3164(String s, int i, int end) {
    if (end - i < 15) {
      return -1;
    }
    int month = monthOf(s, i, i + 3);
    if (month == 0 || s.charAt(i + 3) != ' ') {
      return -1;
    }
    int p = i + 4;
    if (s.charAt(p) == ' ') {
      p++;
    }
    int dayStart = p;
    while (p < end && p - dayStart < 3 && isDigit(s.charAt(p))) {
      p++;
    }
    if (p == dayStart || p - dayStart > 2 || p + 9 > end || s.charAt(p) != ' ') {
      return -1;
    }
    int day = number(s, dayStart, p);
    int timeAt = p + 1;
    if (!clock(s, timeAt)) {
      return -1;
    }
    p = fraction(s, timeAt + 8, end);
    if (p < 0) {
      return -1;
    }
    int year = monthDayKey(month, day) <= limitMonthDay ? limitYear : limitYear - 1;
    if (month == 2 && day == 29) {
      while (!isLeap(year)) {
        year--;
      }
    }
    wallclock = validDate(year, month, day) ? format(year, month, day, s, timeAt, p) : null;
    return p;
  }

  /**
   * Reads an RFC 3339 timestamp {@code 2024-05-09T14:52:38[.frac][Z|+hh:mm|+hhmm]} at {@code i}
   * into {@link #wallclock}, with a {@code +hhmm} offset rewritten as {@code +hh:mm}.
   *
   * @return the index after the timestamp, or -1
   */
  int iso(String s, int i, int end) {
    if (end - i < 19
        || !digits(s, i, 4)
        || s.charAt(i + 4) != '-'
        || !digits(s, i + 5, 2)
        || s.charAt(i + 7) != '-'
        || !digits(s, i + 8, 2)
        || s.charAt(i + 10) != 'T'
        || !clock(s, i + 11)) {
      return -1;
    }
    int month = number(s, i + 5, i + 7);
    int day = number(s, i + 8, i + 10);
    if (month < 1 || month > 12 || day < 1 || day > 31) {
      return -1;
    }
    int p = fraction(s, i + 19, end);
    if (p < 0) {
      return -1;
    }
    if (p < end && s.charAt(p) == 'Z') {
      wallclock = s.substring(i, p + 1).replace(',', '.');
      return p + 1;
    }
    if (p < end
        && (s.charAt(p) == '+' || s.charAt(p) == '-')
        && p + 5 <= end
        && digits(s, p + 1, 2)) {
      if (s.charAt(p + 3) == ':' && p + 6 <= end && digits(s, p + 4, 2)) {
        wallclock = s.substring(i, p + 6).replace(',', '.');
        return p + 6;
      }
      if (digits(s, p + 3, 2)) {
        buffer.setLength(0);
        buffer.append(s, i, p + 3).append(':').append(s, p + 3, p + 5);
        wallclock = buffer.toString().replace(',', '.');
        return p + 5;
      }
      return -1;
    }
    wallclock = s.substring(i, p).replace(',', '.');
    return p;
  }

  /** The month a name or number denotes ({@code Nov}, {@code Mär}, {@code 1月}), or 0. */
  static int monthOf(String s, int from, int to) {
    int length = to - from;
    if (length == 3) {
      for (int m = 0; m < MONTH_NAMES.length; m++) {
        if (s.regionMatches(from, MONTH_NAMES[m], 0, 3)) {
          return MONTH_NUMBERS[m];
        }
      }
      // Three letters that name no month: fall through for "10月"-style names.
    }
    if (length >= 2 && length <= 3) {
      char unit = s.charAt(to - 1);
      // Chinese and Japanese 月, Korean 월: the month is the number before the unit.
      if ((unit == '\u6708' || unit == '\uc6d4') && digits(s, from, length - 1)) {
        int month = number(s, from, to - 1);
        return month >= 1 && month <= 12 ? month : 0;
      }
    }
    return 0;
  }

  /**
   * Reads an optional {@code .digits} fraction; returns the index after it, or -1 when malformed.
   */
  private static int fraction(String s, int p, int end) {
    // ISO 8601 allows a comma as the decimal sign; dmesg --time-format=iso uses it.
    if (p < end && (s.charAt(p) == '.' || s.charAt(p) == ',')) {
      int start = ++p;
      while (p < end && p - start < 10 && isDigit(s.charAt(p))) {
        p++;
      }
      if (p == start || (p < end && isDigit(s.charAt(p)))) {
        return -1;
      }
    }
    return p;
  }

  private String format(int year, int month, int day, String s, int timeFrom, int timeTo) {
    buffer.setLength(0);
    if (year < 1000) {
      buffer.append(year < 10 ? "000" : year < 100 ? "00" : "0");
    }
    buffer.append(year).append('-');
    if (month < 10) {
      buffer.append('0');
    }
    buffer.append(month).append('-');
    if (day < 10) {
      buffer.append('0');
    }
    buffer.append(day).append('T').append(s, timeFrom, timeTo);
    return buffer.toString();
  }

  /** True for {@code hh:mm:ss} with hours below 24 and minutes below 60 at {@code i}. */
  private static boolean clock(String s, int i) {
    return i >= 0
        && i + 8 <= s.length()
        && digits(s, i, 2)
        && s.charAt(i + 2) == ':'
        && digits(s, i + 3, 2)
        && s.charAt(i + 5) == ':'
        && digits(s, i + 6, 2)
        && number(s, i, i + 2) < 24
        && number(s, i + 3, i + 5) < 60
        && number(s, i + 6, i + 8) <= 60;
  }

  private static boolean validDate(int year, int month, int day) {
    if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month]) {
      return false;
    }
    return month != 2 || day != 29 || isLeap(year);
  }

  private static boolean isLeap(int year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  }

  private static int monthDayKey(int month, int day) {
    return month * 32 + day;
  }

  private static boolean digits(String s, int from, int count) {
    if (from < 0 || from + count > s.length()) {
      return false;
    }
    for (int i = from; i < from + count; i++) {
      if (!isDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static int number(String s, int from, int to) {
    int n = 0;
    for (int i = from; i < to; i++) {
      n = n * 10 + (s.charAt(i) - '0');
    }
    return n;
  }

  static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
