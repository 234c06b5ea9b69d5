package dev.oomlens.report.html;

import dev.oomlens.core.diagnosis.Diagnosis;
import dev.oomlens.core.diagnosis.IncidentDiagnosis;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.model.Citation;
import dev.oomlens.core.model.SeriesWindow;
import dev.oomlens.core.series.HostSeries;
import dev.oomlens.core.series.MemoryProfile;
import dev.oomlens.core.series.MemoryShape;
import dev.oomlens.core.series.Series;
import dev.oomlens.core.series.Sizing;
import dev.oomlens.core.verify.Verification;
import dev.oomlens.report.escape.Controls;
import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/*
 * One file that opens anywhere and fetches nothing: styles inline, charts as inline SVG, no script
 * at all, and a Content-Security-Policy that forbids every fetch (default-src 'none'), so even a
 * name from the input that slipped through escaping could not load anything. Every string from the
 * input goes through text(), which escapes HTML and shows control and invisible characters
 * visibly (as the text renderer does).
 *
 * A chart is the working set's lowest and highest value per time bucket (a band), the limit as a
 * dashed line, and each kernel kill as a red mark at its time. A host's chart is its available
 * memory the same way, its RAM as the dashed line, and its longest memory stall (PSI full at or
 * above 10 %) as a shaded stretch.
 */

/** Writes diagnoses, size plans and verifications as self-contained HTML pages. */
public final class HtmlReport {
  static final String CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
  private static final int W = 720;
  private static final int H = 180;

  private HtmlReport() {}

  /** {@code oomlens doctor/diagnose --format html}: the ladder, the findings, charts. */
  public static void diagnosis(Writer out, String title, Diagnosis d) throws IOException {
    StringBuilder b = open(title);
    b.append("<h2>Incidents</h2>\n");
    if (d.incidents().isEmpty()) {
      b.append("<p>No OOM kill in the evidence read.</p>\n");
    } else {
      b.append("<ol class=\"ladder\">\n");
      for (IncidentDiagnosis i : d.incidents()) {
        b.append("<li>")
            .append(text(i.where()))
            .append(" — ")
            .append(i.kills())
            .append(i.kills() == 1 ? " kill" : " kills")
            .append(", ")
            .append(i.severity().jsonName())
            .append("</li>\n");
      }
      b.append("</ol>\n");
    }
    charts(b, d.evidence().memory());
    hostCharts(b, d.evidence().hostSeries());
    findings(b, d.findings());
    out.write(close(b));
    out.flush();
  }

  /** {@code oomlens size --format html}: the table, a chart per workload, the findings. */
  public static void size(Writer out, String source, List<Sizing.SizePlan> plans, Diagnosis d)
      throws IOException {
    StringBuilder b = open("Memory sizes");
    b.append("<p>From ")
        .append(text(source))
        .append(
            "</p>\n<table>\n<tr><th>workload</th>"
                + "<th>shape</th><th>p50</th><th>p95</th><th>peak</th><th>limit</th><th>request</th>"
                + "<th>new limit</th><th>VPA</th><th>KRR</th></tr>\n");
    for (Sizing.SizePlan p : plans) {
      MemoryShape s = p.shape();
      b.append("<tr><td>")
          .append(text(p.id().name()))
          .append("</td><td class=\"shape\">")
          .append(s.shape().label())
          .append("</td><td>")
          .append(mi(s.p50Bytes()))
          .append("</td><td>")
          .append(mi(s.p95Bytes()))
          .append("</td><td>")
          .append(mi(s.peakBytes()))
          .append("</td><td>")
          .append(mi(s.limitBytes()))
          .append("</td><td>")
          .append(mi(p.ours().requestBytes()))
          .append("</td><td>")
          .append(mi(p.ours().limitBytes()))
          .append("</td><td>")
          .append(mi(p.vpa().requestBytes()))
          .append("</td><td>")
          .append(mi(p.krr().limitBytes()))
          .append("</td></tr>\n");
    }
    b.append("</table>\n");
    charts(b, d.evidence().memory());
    findings(b, d.findings());
    out.write(close(b));
    out.flush();
  }

  /** {@code oomlens verify --format html}: pass or fail per criterion and host. */
  public static void verify(Writer out, String source, Verification v) throws IOException {
    StringBuilder b = open("Verification: " + (v.passed() ? "passed" : "failed"));
    b.append("<p>")
        .append(text(source))
        .append(", ")
        .append(v.from())
        .append(" to ")
        .append(v.to())
        .append(
            "</p>\n<table>\n<tr><th>criterion</th><th>expression</th>"
                + "<th>result</th><th>offending</th></tr>\n");
    for (Verification.Result r : v.results()) {
      b.append("<tr class=\"")
          .append(r.passed() ? "pass" : "fail")
          .append("\"><td>")
          .append(text(r.criterion().name()))
          .append("</td><td><code>")
          .append(text(r.criterion().expr()))
          .append("</code></td><td>")
          .append(r.passed() ? "pass" : "fail")
          .append("</td><td>");
      for (SeriesWindow w : r.offending()) {
        b.append("<div>")
            .append(text(v.hostOf(w)))
            .append(": ")
            .append(w.samples().size())
            .append(" values, highest ")
            .append(
                number(
                    w.samples().stream()
                        .mapToDouble(SeriesWindow.Sample::value)
                        .max()
                        .orElse(Double.NaN)))
            .append("</div>");
      }
      b.append("</td></tr>\n");
    }
    if (!v.hosts().isEmpty()) {
      b.append("<tr class=\"")
          .append(v.silentHosts().isEmpty() ? "pass" : "fail")
          .append("\"><td>every host reports data</td><td><code>up</code></td><td>")
          .append(v.silentHosts().isEmpty() ? "pass" : "fail")
          .append("</td><td>");
      for (String h : v.silentHosts()) {
        b.append("<div>").append(text(h)).append(": no data</div>");
      }
      b.append("</td></tr>\n");
    }
    b.append("</table>\n");
    out.write(close(b));
    out.flush();
  }

  private static StringBuilder open(String title) {
    StringBuilder b = new StringBuilder(8192);
    b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"")
        .append(CSP)
        .append("\">\n<meta name=\"referrer\" content=\"no-referrer\">\n<title>oomlens: ")
        .append(text(title))
        .append("</title>\n<style>\n")
        .append("body{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222}\n")
        .append(
            "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;"
                + "text-align:left}\n")
        .append(".fail td{background:#fdd}.pass td{background:#dfd}\n")
        .append(".finding{border-left:4px solid #c60;padding-left:8px;margin:1em 0}\n")
        .append("pre{background:#f4f4f4;padding:6px;overflow-x:auto}\n")
        .append("svg.chart{border:1px solid #ccc;background:#fff}\n")
        .append("</style>\n</head>\n<body>\n<h1>oomlens: ")
        .append(text(title))
        .append("</h1>\n");
    return b;
  }

  private static String close(StringBuilder b) {
    return b.append("</body>\n</html>\n").toString();
  }

  private static void findings(StringBuilder b, List<Finding> findings) {
    b.append("<h2>Findings</h2>\n");
    if (findings.isEmpty()) {
      b.append("<p>None.</p>\n");
    }
    for (Finding f : findings) {
      b.append("<div class=\"finding\" id=\"")
          .append(f.code())
          .append("\"><h3>")
          .append(f.code())
          .append(" (")
          .append(f.severity().jsonName())
          .append("): ")
          .append(text(f.summary()))
          .append("</h3>\n<p>")
          .append(text(f.reasoning()))
          .append("</p>\n<ul class=\"evidence\">\n");
      for (Citation c : f.evidence()) {
        b.append("<li>").append(text(c.describe())).append("</li>\n");
      }
      b.append("</ul>\n");
      for (Fix x : f.fixes()) {
        b.append("<p><b>")
            .append(x.layer().jsonName())
            .append(":</b> ")
            .append(text(x.action()))
            .append("</p>\n");
        x.snippet().ifPresent(s -> b.append("<pre>").append(text(s)).append("</pre>\n"));
      }
      b.append("</div>\n");
    }
  }

  private static void charts(StringBuilder b, List<MemoryProfile> profiles) {
    if (profiles.isEmpty()) {
      return;
    }
    b.append("<h2>Memory over time</h2>\n");
    for (MemoryProfile p : profiles) {
      b.append("<h3>")
          .append(text(p.id().name()))
          .append(" — ")
          .append(p.shape().shape().label())
          .append("</h3>\n");
      chart(b, p);
    }
  }

  private static void hostCharts(StringBuilder b, List<HostSeries> hosts) {
    List<HostSeries> shown =
        hosts.stream().filter(h -> h.samples(Series.Role.HOST_MEM_AVAILABLE) > 0).toList();
    if (shown.isEmpty()) {
      return;
    }
    b.append("<h2>Hosts over time</h2>\n");
    for (HostSeries h : shown) {
      OptionalDouble swap = h.max(Series.Role.HOST_SWAP_TOTAL);
      b.append("<h3>")
          .append(text(h.host()))
          .append(" — available memory")
          .append(
              swap.isEmpty()
                  ? ""
                  : swap.getAsDouble() > 0
                      ? ", swap up to " + mi((long) swap.getAsDouble())
                      : ", no swap")
          .append("</h3>\n");
      hostChart(b, h);
    }
  }

  static void hostChart(StringBuilder b, HostSeries h) {
    double[][] c = h.chart(Series.Role.HOST_MEM_AVAILABLE);
    int n = c[0].length;
    double t0 = c[0][0];
    double t1 = Math.max(c[0][n - 1], t0 + 1);
    double top = 0;
    for (double v : c[2]) {
      top = Math.max(top, v);
    }
    OptionalDouble ram = h.last(Series.Role.HOST_MEM_TOTAL);
    if (ram.isPresent()) {
      top = Math.max(top, ram.getAsDouble());
    }
    top = top * 1.05 + 1;
    b.append("<svg class=\"chart host\" width=\"")
        .append(W)
        .append("\" height=\"")
        .append(H + 20)
        .append("\" role=\"img\" aria-label=\"available memory of ")
        .append(text(h.host()))
        .append("\">\n");
    Optional<HostSeries.Stall> stall = h.longestStall();
    if (stall.isPresent()) {
      double sx = x(stall.get().from().getEpochSecond(), t0, t1);
      double ex = x(stall.get().to().getEpochSecond(), t0, t1);
      b.append("<rect class=\"stall\" x=\"")
          .append(Math.max(0, sx))
          .append("\" y=\"0\" width=\"")
          .append(Math.max(1, ex - sx))
          .append("\" height=\"")
          .append(H)
          .append("\" fill=\"#fcc\"><title>memory stall (PSI full)</title></rect>\n");
    }
    band(b, c, t0, t1, top);
    if (ram.isPresent()) {
      double ly = y(ram.getAsDouble(), top);
      b.append("<line class=\"ram\" x1=\"0\" x2=\"")
          .append(W)
          .append("\" y1=\"")
          .append(ly)
          .append("\" y2=\"")
          .append(ly)
          .append("\" stroke=\"#555\" stroke-dasharray=\"6 3\"/>")
          .append("<text x=\"4\" y=\"")
          .append(Math.max(12, ly - 3))
          .append("\" font-size=\"11\">RAM ")
          .append(mi((long) ram.getAsDouble()))
          .append("</text>\n");
    }
    axis(b, t0, t1);
  }

  private static void band(StringBuilder b, double[][] c, double t0, double t1, double top) {
    int n = c[0].length;
    StringBuilder upper = new StringBuilder();
    StringBuilder lower = new StringBuilder();
    for (int i = 0; i < n; i++) {
      upper
          .append(i == 0 ? "M" : "L")
          .append(x(c[0][i], t0, t1))
          .append(',')
          .append(y(c[2][i], top))
          .append(' ');
    }
    for (int i = n - 1; i >= 0; i--) {
      lower.append("L").append(x(c[0][i], t0, t1)).append(',').append(y(c[1][i], top)).append(' ');
    }
    b.append("<path class=\"band\" d=\"")
        .append(upper)
        .append(lower)
        .append("Z\" fill=\"#8ab\" stroke=\"#357\" stroke-width=\"0.5\"/>\n");
  }

  private static void axis(StringBuilder b, double t0, double t1) {
    b.append("<text x=\"4\" y=\"")
        .append(H + 15)
        .append("\" font-size=\"11\">")
        .append(java.time.Instant.ofEpochSecond((long) t0))
        .append("</text><text x=\"")
        .append(W - 4)
        .append("\" y=\"")
        .append(H + 15)
        .append("\" font-size=\"11\" text-anchor=\"end\">")
        .append(java.time.Instant.ofEpochSecond((long) t1))
        .append("</text>\n</svg>\n");
  }

  static void chart(StringBuilder b, MemoryProfile p) {
    double[][] c = p.chart();
    int n = c[0].length;
    if (n == 0) {
      return;
    }
    double t0 = c[0][0];
    double t1 = Math.max(c[0][n - 1], t0 + 1);
    for (long k : p.kills()) {
      t0 = Math.min(t0, k / 1000.0);
      t1 = Math.max(t1, k / 1000.0);
    }
    double top = 0;
    for (double v : c[2]) {
      top = Math.max(top, v);
    }
    OptionalLong limit = p.limitBytes();
    if (limit.isPresent()) {
      top = Math.max(top, limit.getAsLong());
    }
    top = top * 1.05 + 1;
    StringBuilder upper = new StringBuilder();
    StringBuilder lower = new StringBuilder();
    for (int i = 0; i < n; i++) {
      upper
          .append(i == 0 ? "M" : "L")
          .append(x(c[0][i], t0, t1))
          .append(',')
          .append(y(c[2][i], top))
          .append(' ');
    }
    for (int i = n - 1; i >= 0; i--) {
      lower.append("L").append(x(c[0][i], t0, t1)).append(',').append(y(c[1][i], top)).append(' ');
    }
    b.append("<svg class=\"chart\" width=\"")
        .append(W)
        .append("\" height=\"")
        .append(H + 20)
        .append("\" role=\"img\" aria-label=\"working set of ")
        .append(text(p.id().name()))
        .append("\">\n");
    b.append("<path class=\"band\" d=\"")
        .append(upper)
        .append(lower)
        .append("Z\" fill=\"#8ab\" stroke=\"#357\" stroke-width=\"0.5\"/>\n");
    if (limit.isPresent()) {
      double ly = y(limit.getAsLong(), top);
      b.append("<line class=\"limit\" x1=\"0\" x2=\"")
          .append(W)
          .append("\" y1=\"")
          .append(ly)
          .append("\" y2=\"")
          .append(ly)
          .append("\" stroke=\"#c00\" stroke-dasharray=\"6 3\"/>")
          .append("<text x=\"4\" y=\"")
          .append(Math.max(12, ly - 3))
          .append("\" font-size=\"11\">" + "limit ")
          .append(mi(limit.getAsLong()))
          .append("</text>\n");
    }
    for (long k : p.kills()) {
      double kx = x(k / 1000.0, t0, t1);
      b.append("<line class=\"kill\" x1=\"")
          .append(kx)
          .append("\" x2=\"")
          .append(kx)
          .append("\" y1=\"0\" y2=\"")
          .append(H)
          .append("\" stroke=\"#e00\" stroke-width=\"2\">" + "<title>OOM kill</title></line>\n");
    }
    b.append("<text x=\"4\" y=\"")
        .append(H + 15)
        .append("\" font-size=\"11\">")
        .append(java.time.Instant.ofEpochSecond((long) t0))
        .append("</text><text x=\"")
        .append(W - 4)
        .append("\" y=\"")
        .append(H + 15)
        .append("\" font-size=\"11\" text-anchor=\"end\">")
        .append(java.time.Instant.ofEpochSecond((long) t1))
        .append("</text>\n</svg>\n");
  }

  private static double x(double t, double t0, double t1) {
    return Math.round((t - t0) / (t1 - t0) * W * 10) / 10.0;
  }

  private static double y(double v, double top) {
    return Math.round((H - v / top * H) * 10) / 10.0;
  }

  /** Escapes HTML and shows control and invisible characters visibly. */
  static String text(String s) {
    if (s.indexOf('\n') >= 0) {
      return String.join(
          "\n", java.util.Arrays.stream(s.split("\n", -1)).map(HtmlReport::text).toList());
    }
    String v = Controls.visible(s);
    StringBuilder b = new StringBuilder(v.length());
    for (int i = 0; i < v.length(); i++) {
      char ch = v.charAt(i);
      switch (ch) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(ch);
      }
    }
    return b.toString();
  }

  private static String mi(long v) {
    return Math.ceilDiv(v, 1L << 20) + "Mi";
  }

  private static String mi(OptionalLong v) {
    return v.isPresent() ? mi(v.getAsLong()) : "–";
  }

  private static String number(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15
        ? Long.toString((long) d)
        : String.format(Locale.ROOT, "%.3g", d);
  }
}
