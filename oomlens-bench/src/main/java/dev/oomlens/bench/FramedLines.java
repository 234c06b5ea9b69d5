package dev.oomlens.bench;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Real kernel lines in each framing the reader knows, for the per-line benchmarks: every record of
 * every report template, plus the ordinary lines that carry a keyword the reader's prefilter lets
 * through, written as dmesg, dmesg -T, /dev/kmsg, syslog, syslog RFC 3339, journalctl
 * short-monotonic, RFC 5424 or bare text. Physical lines are what the framer is handed, so
 * multi-line records come out as the framing writes them: indented continuation lines for dmesg and
 * the journal, {@code #012} for rsyslog, {@code \x0a} for kmsg.
 */
final class FramedLines {
  /** The framings, named as {@code dev.oomlens.core.model.Framing} names them. */
  static final List<String> FRAMINGS =
      List.of(
          "DMESG",
          "DMESG_T",
          "KMSG",
          "SYSLOG",
          "SYSLOG_ISO",
          "JOURNAL_MONOTONIC",
          "RFC5424",
          "BARE");

  private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  private static final String[] MONTHS = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
  };

  private FramedLines() {}

  /** The kernel records the per-line benchmarks frame: report records and keyword lines. */
  static List<ReportTemplates.Rec> records(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    ReportTemplates templates = new ReportTemplates();
    OrdinaryLines ordinary = new OrdinaryLines();
    List<ReportTemplates.Rec> records = new ArrayList<>();
    List<ReportTemplates.Template> all = new ArrayList<>(templates.oomTemplates());
    all.addAll(templates.allocFailureTemplates());
    ByteBuf b = new ByteBuf(256);
    for (ReportTemplates.Template t : all) {
      List<ReportTemplates.Rec> report = ReportTemplates.vary(t, rnd);
      for (int i = 0; i < report.size(); i++) {
        records.add(report.get(i));
        // between reports the reader hands on only lines with a keyword; some are ordinary
        if (i == report.size() - 1) {
          for (int k = 0; k < 10; ) {
            b.clear();
            ordinary.kernel(b, rnd);
            String s = b.toString();
            if (s.contains("oom") || s.contains("ill") || s.contains("failure")) {
              records.add(new ReportTemplates.Rec(s, List.of()));
              k++;
            }
          }
        }
      }
    }
    return records;
  }

  /** The records as physical lines of one framing ({@code MIXED}: each record in the next one). */
  static List<String> lines(List<ReportTemplates.Rec> records, String framing) {
    List<String> lines = new ArrayList<>();
    long micros = 3_981_080_995L;
    for (int i = 0; i < records.size(); i++) {
      ReportTemplates.Rec r = records.get(i);
      String f = framing.equals("MIXED") ? FRAMINGS.get(i % FRAMINGS.size()) : framing;
      micros += 37;
      String prefix = prefix(f, i, micros);
      boolean escaped =
          switch (f) {
            case "KMSG", "SYSLOG", "SYSLOG_ISO", "RFC5424" -> true;
            default -> false;
          };
      StringBuilder first = new StringBuilder(prefix).append(r.first());
      for (String c : escaped ? r.continuations() : List.<String>of()) {
        first.append(f.equals("KMSG") ? "\\x0a" : "#012").append(c);
      }
      lines.add(first.toString());
      for (String c : escaped ? List.<String>of() : r.continuations()) {
        lines.add(" ".repeat(prefix.length()) + c);
      }
    }
    return lines;
  }

  private static String prefix(String framing, int index, long micros) {
    LocalDateTime t =
        LocalDateTime.ofEpochSecond(1_795_219_200L + micros / 1_000_000, 0, ZoneOffset.UTC);
    String mono = String.format(Locale.ROOT, "[%5d.%06d]", micros / 1_000_000, micros % 1_000_000);
    String clock =
        String.format(Locale.ROOT, "%02d:%02d:%02d", t.getHour(), t.getMinute(), t.getSecond());
    String month = MONTHS[t.getMonthValue() - 1];
    String iso =
        String.format(
            Locale.ROOT,
            "%d-%02d-%02dT%s",
            t.getYear(),
            t.getMonthValue(),
            t.getDayOfMonth(),
            clock);
    return switch (framing) {
      case "DMESG" -> mono + " ";
      case "DMESG_T" ->
          String.format(
              Locale.ROOT,
              "[%s %s %2d %s %d] ",
              DAYS[t.getDayOfWeek().getValue() - 1],
              month,
              t.getDayOfMonth(),
              clock,
              t.getYear());
      case "KMSG" -> String.format(Locale.ROOT, "4,%d,%d,-;", 500 + index, micros);
      // Ubuntu's kern.log keeps the kernel's own time after the tag; journalctl short does not
      case "SYSLOG" ->
          String.format(
              Locale.ROOT,
              "%s %2d %s node-01 kernel: %s",
              month,
              t.getDayOfMonth(),
              clock,
              index % 2 == 0 ? mono + " " : "");
      case "SYSLOG_ISO" ->
          String.format(Locale.ROOT, "%s.%06d+00:00 node-02 kernel: ", iso, micros % 1_000_000);
      case "JOURNAL_MONOTONIC" -> mono + " node-03 kernel: ";
      case "RFC5424" ->
          String.format(
              Locale.ROOT, "<4>1 %s.%03d+00:00 node-04 kernel - - - ", iso, micros / 1000 % 1000);
      case "BARE" -> "";
      default -> throw new IllegalArgumentException("framing " + framing);
    };
  }
}
