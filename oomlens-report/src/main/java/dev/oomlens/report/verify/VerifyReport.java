package dev.oomlens.report.verify;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import dev.oomlens.core.model.SeriesWindow;
import dev.oomlens.core.verify.Verification;
import dev.oomlens.report.markdown.Markdown;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Writes the outcome of {@code oomlens verify}: per criterion, pass or the hosts that fail. */
public final class VerifyReport {
  private VerifyReport() {}

  /** Text: one line per criterion, then each offending host with its labels and values. */
  public static void text(PrintWriter out, String source, Verification v) {
    out.print(
        "Criteria from "
            + v.from()
            + " to "
            + v.to()
            + " (step "
            + v.step().toSeconds()
            + "s) against "
            + source
            + "\n\n");
    for (Verification.Result r : v.results()) {
      out.print((r.passed() ? "PASS  " : "FAIL  ") + r.criterion().name() + "\n");
      out.print("      " + r.criterion().expr() + "\n");
      if (!v.hosts().isEmpty()) {
        List<String> passed = v.passedHosts(r);
        out.print(
            "      passed on " + (passed.isEmpty() ? "no host" : String.join(", ", passed)) + "\n");
      }
      for (SeriesWindow w : r.offending()) {
        String host = v.hostOf(w);
        out.print(
            "      "
                + (host.isEmpty() ? "(no " + v.hostLabel() + ")" : host)
                + " "
                + labels(w.labels())
                + ": "
                + w.samples().size()
                + " values from "
                + w.from()
                + " to "
                + w.to()
                + ", "
                + values(w)
                + "\n");
      }
    }
    if (!v.hosts().isEmpty()) {
      out.print(
          (v.silentHosts().isEmpty() ? "PASS  " : "FAIL  ")
              + "every host reports data ("
              + String.join(", ", v.hosts())
              + ")\n");
      for (String h : v.silentHosts()) {
        out.print("      " + h + ": no sample of up{" + v.hostLabel() + "} in the window\n");
      }
    }
    long failed =
        v.results().stream().filter(r -> !r.passed()).count() + (v.silentHosts().isEmpty() ? 0 : 1);
    out.print(
        "\n"
            + (v.passed()
                ? "The fix holds: every criterion passed."
                : failed + (failed == 1 ? " criterion failed." : " criteria failed."))
            + "\n");
    out.flush();
  }

  /**
   * Markdown, for a ticket or a post-mortem: a table of the criteria with their results and hosts,
   * then each failing criterion with its expression fenced and each offending series. Every name
   * from the criteria file or the server goes through the project's Markdown escaping (a cell's
   * pipes escaped, code spans fenced longer than any backtick run), so a hostile name keeps the
   * table's cells and turns into no markup.
   */
  public static void markdown(PrintWriter out, String source, Verification v) {
    out.print("# Verification: " + (v.passed() ? "passed" : "failed") + "\n\n");
    out.print(
        "Criteria from "
            + v.from()
            + " to "
            + v.to()
            + " (step "
            + v.step().toSeconds()
            + "s) against "
            + Markdown.code(source)
            + ".\n\n");
    out.print(Markdown.row(List.of("criterion", "result", "passed on", "offending")));
    out.print(Markdown.separator(4));
    for (Verification.Result r : v.results()) {
      out.print(
          Markdown.row(
              List.of(
                  Markdown.cell(Markdown.text(r.criterion().name())),
                  r.passed() ? "PASS" : "**FAIL**",
                  Markdown.cell(hostList(v.hosts().isEmpty() ? List.of() : v.passedHosts(r))),
                  Markdown.cell(
                      hostList(
                          r.offending().stream()
                              .map(v::hostOf)
                              .map(h -> h.isEmpty() ? "(no " + v.hostLabel() + ")" : h)
                              .distinct()
                              .toList())))));
    }
    if (!v.hosts().isEmpty()) {
      List<String> reporting =
          v.hosts().stream().filter(h -> !v.silentHosts().contains(h)).toList();
      out.print(
          Markdown.row(
              List.of(
                  "every host reports data",
                  v.silentHosts().isEmpty() ? "PASS" : "**FAIL**",
                  Markdown.cell(hostList(reporting)),
                  Markdown.cell(hostList(v.silentHosts())))));
    }
    for (Verification.Result r : v.results()) {
      if (r.passed()) {
        continue;
      }
      out.print("\n## FAIL: " + Markdown.text(r.criterion().name()) + "\n\n");
      out.print(Markdown.fenced("promql", r.criterion().expr()));
      out.print("\n");
      for (SeriesWindow w : r.offending()) {
        String host = v.hostOf(w);
        out.print(
            "- "
                + (host.isEmpty()
                    ? "(no " + Markdown.text(v.hostLabel()) + ")"
                    : Markdown.code(host))
                + " "
                + Markdown.code(labels(w.labels()))
                + ": "
                + w.samples().size()
                + " values from "
                + w.from()
                + " to "
                + w.to()
                + ", "
                + Markdown.text(values(w))
                + "\n");
      }
    }
    for (String h : v.silentHosts()) {
      out.print(
          "\n- "
              + Markdown.code(h)
              + ": no sample of "
              + Markdown.code("up{" + v.hostLabel() + "}")
              + " in the window\n");
    }
    long failed =
        v.results().stream().filter(r -> !r.passed()).count() + (v.silentHosts().isEmpty() ? 0 : 1);
    out.print(
        "\n"
            + (v.passed()
                ? "The fix holds: every criterion passed."
                : failed + (failed == 1 ? " criterion failed." : " criteria failed."))
            + "\n");
    out.flush();
  }

  /** Hosts as code spans, comma-separated; an en dash for none. */
  private static String hostList(List<String> hosts) {
    return hosts.isEmpty()
        ? "\u2013"
        : hosts.stream().map(Markdown::code).collect(Collectors.joining(", "));
  }

  /** JSON: {@code passed}, {@code criteria} each with name, expr, passed, offending. */
  public static void json(Writer out, Verification v) throws IOException {
    JsonGenerator json = new JsonFactory().createGenerator(out);
    json.setPrettyPrinter(new DefaultPrettyPrinter());
    json.writeStartObject();
    json.writeBooleanField("passed", v.passed());
    json.writeStringField("from", v.from().toString());
    json.writeStringField("to", v.to().toString());
    json.writeStringField("host_label", v.hostLabel());
    json.writeArrayFieldStart("criteria");
    for (Verification.Result r : v.results()) {
      json.writeStartObject();
      json.writeStringField("name", r.criterion().name());
      json.writeStringField("expr", r.criterion().expr());
      json.writeBooleanField("passed", r.passed());
      json.writeArrayFieldStart("passed_hosts");
      for (String h : v.passedHosts(r)) {
        json.writeString(h);
      }
      json.writeEndArray();
      json.writeArrayFieldStart("offending");
      for (SeriesWindow w : r.offending()) {
        json.writeStartObject();
        json.writeStringField("host", v.hostOf(w));
        json.writeObjectFieldStart("labels");
        for (Map.Entry<String, String> e : w.labels().entrySet()) {
          json.writeStringField(e.getKey(), e.getValue());
        }
        json.writeEndObject();
        json.writeArrayFieldStart("values");
        for (SeriesWindow.Sample s : w.samples()) {
          json.writeStartArray();
          json.writeString(s.time().toString());
          json.writeNumber(s.value());
          json.writeEndArray();
        }
        json.writeEndArray();
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeEndObject();
    }
    json.writeEndArray();
    json.writeArrayFieldStart("hosts_without_data");
    for (String h : v.silentHosts()) {
      json.writeString(h);
    }
    json.writeEndArray();
    json.writeEndObject();
    json.flush();
    out.write("\n");
    out.flush();
  }

  private static String labels(Map<String, String> l) {
    return l.entrySet().stream()
        .map(e -> e.getKey() + "=\"" + e.getValue() + "\"")
        .collect(Collectors.joining(",", "{", "}"));
  }

  private static String values(SeriesWindow w) {
    return w.samples().stream()
            .limit(5)
            .map(s -> String.format(Locale.ROOT, "%s=%s", s.time(), number(s.value())))
            .collect(Collectors.joining(", "))
        + (w.samples().size() > 5 ? ", ..." : "");
  }

  private static String number(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15
        ? Long.toString((long) d)
        : String.format(Locale.ROOT, "%.3g", d);
  }
}
