package dev.oomlens.cli;

import dev.oomlens.core.diagnosis.Diagnosis;
import dev.oomlens.core.model.Input;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.Problem;
import dev.oomlens.report.escape.EscapingWriter;
import dev.oomlens.report.html.HtmlReport;
import dev.oomlens.report.json.FindingsJsonWriter;
import dev.oomlens.report.json.JsonReportWriter;
import dev.oomlens.report.markdown.MarkdownReport;
import dev.oomlens.report.text.DiagnosisTextWriter;
import dev.oomlens.report.text.TextReportWriter;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --format}, {@code --output} and {@code --one-line}: what the report looks like, where. */
final class OutputOptions {
  /** The report formats. */
  enum Format {
    text,
    json,
    markdown,
    html
  }

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "Report format: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
  Format format = Format.text;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Write the report to FILE instead of standard output.")
  Path output;

  @Option(
      names = "--one-line",
      description =
          "List every OOM kill on one line (when, host,"
              + " victim and size, where the memory ran out, the lines it spans) instead of the full"
              + " diagnosis: for long logs. Text format only.")
  boolean oneLine;

  /**
   * Writes {@code d} in the chosen format to {@code stdout} or the {@code --output} file; {@code
   * header} opens the text (doctor's host line).
   *
   * @throws IOException when the file cannot be created or written
   */
  void write(Diagnosis d, Optional<String> header, PrintWriter stdout) throws IOException {
    write(d, header, stdout, Optional.empty());
  }

  /**
   * What a command adds after the diagnosis in each format ({@code history}'s warnings): text and
   * Markdown written to the escaping writer, JSON as more top-level keys of the same document.
   */
  interface Extra {
    void text(PrintWriter out);

    void markdown(PrintWriter out);

    JsonReportWriter.Section json();
  }

  /** Like {@link #write(Diagnosis, Optional, PrintWriter)}, with {@code extra} after it. */
  void write(Diagnosis d, Optional<String> header, PrintWriter stdout, Optional<Extra> extra)
      throws IOException {
    Writer file = null;
    PrintWriter target = stdout;
    if (output != null) {
      file = new BufferedWriter(Files.newBufferedWriter(output, StandardCharsets.UTF_8));
      target = new PrintWriter(file);
    }
    try {
      // JSON goes around the filter: Jackson escapes those characters itself, as valid JSON.
      PrintWriter shown = EscapingWriter.wrap(target);
      switch (format) {
        case text -> {
          if (oneLine) {
            writeLines(d, shown);
          } else {
            if (header.isPresent()) {
              shown.print(header.get() + "\n\n");
            }
            new DiagnosisTextWriter(shown).write(d);
          }
          extra.ifPresent(e -> e.text(shown));
        }
        case json -> writeJson(d, target, extra.map(Extra::json));
        case markdown -> {
          MarkdownReport.write(shown, d);
          extra.ifPresent(e -> e.markdown(shown));
        }
        case html -> HtmlReport.diagnosis(target, header.orElse("diagnosis"), d);
      }
      shown.flush();
      target.flush();
      if (target.checkError()) {
        throw new IOException("write failed");
      }
    } finally {
      if (file != null) {
        file.close();
      }
    }
  }

  /** True when the options contradict each other; says why. */
  Optional<String> conflict() {
    return oneLine && format != Format.text
        ? Optional.of("--one-line is a text format; drop it or --format " + format)
        : Optional.empty();
  }

  /** Where the report goes, in words, for error messages. */
  String destination() {
    return output == null ? "standard output" : output.toString();
  }

  private static void writeLines(Diagnosis d, PrintWriter out) {
    for (OomReport r : d.evidence().reports()) {
      out.print(TextReportWriter.oneLine(r) + "\n");
    }
  }

  /** The JSON report: the reports, allocation failures and problems, then the findings. */
  static void writeJson(Diagnosis d, PrintWriter out) {
    writeJson(d, out, Optional.empty());
  }

  private static void writeJson(
      Diagnosis d, PrintWriter out, Optional<JsonReportWriter.Section> more) {
    JsonReportWriter json = new JsonReportWriter(out, true);
    d.evidence().reports().forEach(json::report);
    d.evidence().allocFailures().forEach(json::allocFailure);
    for (Input input : d.evidence().inputs()) {
      for (Problem p : input.problems()) {
        json.problem(p);
      }
    }
    JsonReportWriter.Section findings = FindingsJsonWriter.section(d);
    json.close(
        more.isEmpty()
            ? findings
            : g -> {
              findings.write(g);
              more.get().write(g);
            });
    out.flush();
  }
}
