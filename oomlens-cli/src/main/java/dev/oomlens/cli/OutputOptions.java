package dev.oomlens.cli;

import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.report.escape.EscapingWriter;
import dev.oomlens.report.json.FindingsJsonWriter;
import dev.oomlens.report.json.JsonReportWriter;
import dev.oomlens.report.markdown.MarkdownReport;
import dev.oomlens.report.text.DiagnosisTextWriter;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --format} and {@code --output}: what the report looks like and where it goes. */
final class OutputOptions {
  /** The report formats. */
  enum Format {
    text,
    json,
    markdown
  }

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
      description = "Report format: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
  Format format = Format.text;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE",
      description = "Write the report to FILE instead of standard output.")
  Path output;

  /** What the run found, ready to be written. */
  record Diagnosis(
      Optional<String> header,
      Collected inputs,
      EvidenceSet evidence,
      List<Finding> findings,
      Optional<String> sources) {}

  /**
   * Writes {@code d} in the chosen format to {@code stdout} or the {@code --output} file.
   *
   * @throws IOException when the file cannot be created or written
   */
  void write(Diagnosis d, PrintWriter stdout) throws IOException {
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
        case text -> writeText(d, shown);
        case json -> writeJson(d, target);
        case markdown -> MarkdownReport.write(shown, d.evidence().reports(),
            d.evidence().incidents(), d.findings(), d.evidence().host(), d.evidence().killers());
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

  /** Where the report goes, in words, for error messages. */
  String destination() {
    return output == null ? "standard output" : output.toString();
  }

  private static void writeText(Diagnosis d, PrintWriter out) {
    d.header().ifPresent(h -> out.print(h + "\n\n"));
    DiagnosisTextWriter text = new DiagnosisTextWriter(out);
    text.ladder(d.evidence(), d.findings(), d.sources());
    text.findings(d.findings());
    out.print("\n");
    ReportOutput reports = ReportOutput.text(out);
    d.inputs().replay(reports);
    reports.close();
    text.userspaceKills(d.evidence().killers());
    d.evidence().host().ifPresent(text::host);
  }

  private static void writeJson(Diagnosis d, PrintWriter out) {
    ReportOutput json = ReportOutput.json(new JsonReportWriter(out, true), out,
        FindingsJsonWriter.section(d.evidence(), d.findings()));
    d.inputs().replay(json);
    json.close();
  }
}
