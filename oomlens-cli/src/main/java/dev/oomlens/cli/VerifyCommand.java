package dev.oomlens.cli;

import dev.oomlens.core.verify.Verification;
import dev.oomlens.metrics.CriteriaFile;
import dev.oomlens.metrics.PrometheusClient;
import dev.oomlens.metrics.Verifier;
import dev.oomlens.report.escape.EscapingWriter;
import dev.oomlens.report.html.HtmlReport;
import dev.oomlens.report.verify.VerifyReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code oomlens verify}: checks the success criteria of a fix against Prometheus. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Checks the success criteria of a fix against Prometheus over the days since it: each"
          + " criterion is PromQL that selects what is wrong (as an alert does) and passes when"
          + " it selects nothing in the window; each host named must report data.",
      "Built-in checks: swap-present, no-oom-kills, no-alert: NAME, available-above: SIZE.",
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:Every criterion passed.",
      "1:A criterion failed, or a host reported no data.",
      ExitCodes.USAGE_HELP,
      "3:The criteria file could not be read, or a query failed (no verdict is given).",
      ExitCodes.INTERNAL_HELP
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  oomlens verify --prometheus http://prometheus:9090 zram-fix.yaml",
      "  oomlens verify --prometheus http://prometheus:9090 --format json zram-fix.yaml",
    })
final class VerifyCommand implements Callable<Integer> {
  /** The formats of verify. */
  enum Format {
    text,
    json,
    markdown,
    html
  }

  @ParentCommand OomlensCommand root;

  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "CRITERIA.yaml",
      description = "The criteria file (see" + " docs/commands/verify.md).")
  Path criteria;

  @Mixin PrometheusOptions server;

  @Option(
      names = "--step",
      paramLabel = "DURATION",
      converter = SeriesOptions.StepConverter.class,
      description =
          "Resolution of the criteria's range queries, when the file gives no 'step'."
              + " Default: 5m.")
  Duration step;

  @Option(
      names = "--until",
      paramLabel = "TIME",
      converter = TimeConverters.TimeConverter.class,
      description = "End of the window, when the file gives no 'until'. Default: now.")
  TimeArgument until;

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

  @Override
  public Integer call() throws IOException {
    if (server.prometheus == null) {
      throw new ParameterException(
          spec.commandLine(), "verify needs --prometheus URL: the criteria are PromQL");
    }
    Environment env = root.environment();
    PrintWriter err = spec.commandLine().getErr();
    CriteriaFile file;
    try {
      file = CriteriaFile.read(criteria);
    } catch (NoSuchFileException e) {
      err.println("oomlens: cannot read " + criteria + ": no such file");
      return ExitCodes.INPUT;
    } catch (IOException e) {
      err.println("oomlens: " + e.getMessage());
      return ExitCodes.INPUT;
    }
    Instant to =
        file.until().orElse(until == null ? env.clock().instant() : until.resolve(env.clock()));
    if (to.isBefore(file.since())) {
      err.println(
          "oomlens: "
              + criteria
              + ": the window ends ("
              + to
              + ") before 'since' ("
              + file.since()
              + ")");
      return ExitCodes.INPUT;
    }
    Duration resolution = file.step().orElse(step == null ? Duration.ofMinutes(5) : step);
    PrometheusClient client = server.client();
    Verification v;
    try {
      v = new Verifier(client).verify(file, to, resolution);
    } catch (PrometheusClient.QueryFailed e) {
      err.println("oomlens: " + e.getMessage());
      return ExitCodes.INPUT;
    }
    StringWriter buffer = new StringWriter();
    switch (format) {
      case text -> {
        PrintWriter shown = EscapingWriter.wrap(new PrintWriter(buffer));
        VerifyReport.text(shown, client.base().toString(), v);
        shown.flush();
      }
      case json -> VerifyReport.json(buffer, v);
      case markdown -> {
        PrintWriter shown = new PrintWriter(buffer);
        VerifyReport.markdown(shown, client.base().toString(), v);
        shown.flush();
      }
      case html -> HtmlReport.verify(buffer, client.base().toString(), v);
    }
    if (output == null) {
      spec.commandLine().getOut().print(buffer);
      spec.commandLine().getOut().flush();
    } else {
      try {
        Files.writeString(output, buffer.toString(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        err.println(
            "oomlens: cannot write " + output + ": " + dev.oomlens.core.source.IoReasons.of(e));
        return ExitCodes.INPUT;
      }
    }
    return v.passed() ? ExitCodes.OK : ExitCodes.FINDINGS;
  }
}
