package dev.oomlens.cli;

import dev.oomlens.report.json.JsonReportWriter;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --format} and {@code --output}: what the report looks like and where it goes. */
final class OutputOptions {
  /** The report formats. */
  enum Format {
    text,
    json
  }

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
      description = "Report format: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
  Format format = Format.text;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE",
      description = "Write the report to FILE instead of standard output.")
  Path output;

  /** The output the user chose, writing to {@code stdout} unless {@code --output} was given. */
  Target open(PrintWriter stdout) throws IOException {
    PrintWriter target = stdout;
    Writer file = null;
    if (output != null) {
      file = new BufferedWriter(Files.newBufferedWriter(output, StandardCharsets.UTF_8));
      target = new PrintWriter(file);
    }
    ReportOutput report = switch (format) {
      case text -> ReportOutput.text(target);
      case json -> ReportOutput.json(new JsonReportWriter(target, true), target);
    };
    return new Target(report, format == Format.text ? target : null, file);
  }

  /** An opened output; closing it ends the report and closes the file, if there is one. */
  static final class Target implements AutoCloseable {
    private final ReportOutput report;
    private final PrintWriter text;
    private final Writer file;
    private boolean failed;

    Target(ReportOutput report, PrintWriter text, Writer file) {
      this.report = report;
      this.text = text;
      this.file = file;
    }

    ReportOutput report() {
      return report;
    }

    /** Where the text report goes, for a command's own lines; null for other formats. */
    PrintWriter text() {
      return text;
    }

    /** True when writing failed; known once closed. */
    boolean failed() {
      return failed;
    }

    @Override
    public void close() throws IOException {
      report.close();
      failed = report.failed();
      if (file != null) {
        file.close();
      }
    }
  }
}
