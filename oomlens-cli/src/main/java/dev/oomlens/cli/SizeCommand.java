package dev.oomlens.cli;

import dev.oomlens.agent.History;
import dev.oomlens.agent.HistorySeries;
import dev.oomlens.core.diagnosis.Diagnosis;
import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.core.model.Input;
import dev.oomlens.core.series.MemoryProfile;
import dev.oomlens.core.series.Sizing;
import dev.oomlens.core.source.EvidenceSource;
import dev.oomlens.core.source.KernelLogFile;
import dev.oomlens.report.escape.EscapingWriter;
import dev.oomlens.report.html.HtmlReport;
import dev.oomlens.report.size.SizeReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code oomlens size}: requests and limits from observed memory, and the shape behind them. */
@Command(
    name = "size",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Sizes memory requests and limits from each container's memory over time, and says what"
          + " shape it has: leak, cache, spike, sawtooth, near-limit, oversized or steady.",
      "The request goes near the p95, the limit to 1.5x the observed peak (2x for spikes); a"
          + " leak keeps its limit and gets the LEAK finding instead. Beside each: what the VPA"
          + " recommender's method and KRR's simple strategy give on the same data.",
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      ExitCodes.OK_HELP,
      ExitCodes.FINDINGS_HELP,
      ExitCodes.USAGE_HELP,
      ExitCodes.INPUT_HELP,
      ExitCodes.INTERNAL_HELP
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  oomlens size --prometheus http://prometheus:9090 --namespace shop --since 7d",
      "  oomlens size --series rss-log.txt",
      "  oomlens size --prometheus http://prometheus:9090 --kernel-log node-3-kern.log",
      "  oomlens size --prometheus http://prometheus:9090 --format patch > resize.sh",
    })
final class SizeCommand implements Callable<Integer> {
  /** The formats of size. */
  enum Format {
    text,
    json,
    patch,
    markdown,
    html
  }

  @ParentCommand OomlensCommand root;

  @Spec CommandSpec spec;

  @Mixin SeriesOptions series;

  @Mixin DiagnosisOptions diagnosis;

  @Option(
      names = "--kernel-log",
      paramLabel = "FILE",
      description =
          "Kernel logs whose OOM"
              + " reports are matched to the containers by their ID: each kill is marked, and no limit"
              + " is proposed below what the kernel saw the container hold when it killed it.")
  List<String> kernelLogs = new ArrayList<>();

  @Option(
      names = "--db",
      paramLabel = "FILE",
      description =
          "Also size the cgroups whose usage 'oomlens watch' recorded in this history (a point a"
              + " minute, each cgroup a workload named by its path). Default: the agent's default"
              + " history, when it exists and neither --series nor --prometheus is given.")
  Path db;

  @Mixin DateOptions dates;

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
    Environment env = root.environment();
    Path historyFile =
        db != null
            ? db
            : series.any() ? null : env.history().filter(Files::isRegularFile).orElse(null);
    if (!series.any() && historyFile == null) {
      throw new ParameterException(
          spec.commandLine(),
          "nothing to size: give --prometheus URL, --series FILE... or --db FILE");
    }
    PrintWriter err = spec.commandLine().getErr();
    Instant to =
        diagnosis.until == null ? env.clock().instant() : diagnosis.until.resolve(env.clock());
    Optional<Instant> from = Optional.ofNullable(diagnosis.since).map(t -> t.resolve(env.clock()));
    List<EvidenceSource> sources = new ArrayList<>();
    ReaderOptions options = dates.readerOptions(env.clock());
    kernelLogs.forEach(f -> sources.add(new KernelLogFile(f, options, env.stdin())));
    sources.addAll(series.sources(from, to, env.clock()));
    Optional<History> history =
        historyFile == null
            ? Optional.empty()
            : DoctorCommand.openHistory(historyFile, env, sources);
    history.ifPresent(
        h ->
            sources.add(
                new HistorySeries(h, from.orElse(to.minus(SeriesOptions.DEFAULT_WINDOW)), to)));
    Diagnosis d;
    try {
      d = diagnosis.run(sources, env.clock(), Optional.empty());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    } finally {
      history.ifPresent(History::close);
    }
    int code = unread(d, err);
    List<Sizing.SizePlan> plans = new ArrayList<>();
    for (MemoryProfile p : d.evidence().memory()) {
      plans.add(Sizing.of(p));
    }
    String source =
        String.join(
            ", ", d.evidence().inputs(Input.Kind.SERIES).stream().map(Input::name).toList());
    // The report goes straight to its file or standard output as it is laid out: at 10,000
    // containers the JSON is 33 MB, and built in memory first it was held three times over (the
    // growing buffer, its String, the encoded bytes) at the run's highest heap.
    if (output == null) {
      PrintWriter out = spec.commandLine().getOut();
      report(out, source, plans, d);
      out.flush();
    } else {
      try (Writer file = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
        report(file, source, plans, d);
      } catch (IOException e) {
        err.println(
            "oomlens: cannot write " + output + ": " + dev.oomlens.core.source.IoReasons.of(e));
        err.flush();
        return ExitCodes.INPUT;
      }
    }
    return Math.max(code, diagnosis.exitCode(d.findings()));
  }

  private void report(Writer out, String source, List<Sizing.SizePlan> plans, Diagnosis d)
      throws IOException {
    PrintWriter printed =
        switch (format) {
          case text -> {
            PrintWriter shown = EscapingWriter.wrap(new PrintWriter(out));
            SizeReport.text(shown, source, plans, d);
            yield shown;
          }
          case json -> {
            SizeReport.json(out, plans, d);
            yield null;
          }
          case patch -> {
            PrintWriter shown = EscapingWriter.wrap(new PrintWriter(out));
            SizeReport.patch(shown, plans);
            yield shown;
          }
          case markdown -> {
            PrintWriter md = new PrintWriter(out);
            SizeReport.markdown(md, source, plans, d);
            yield md;
          }
          case html -> {
            HtmlReport.size(out, source, plans, d);
            yield null;
          }
        };
    // A PrintWriter keeps a failed write to itself; to a file that is a report cut short.
    if (printed != null && printed.checkError() && output != null) {
      throw new IOException("the write failed (disk full?)");
    }
  }

  /** Says which inputs could not be read whole; 3 when one could not, else 0. */
  static int unread(Diagnosis d, PrintWriter err) {
    int code = ExitCodes.OK;
    for (Input input : d.evidence().inputs()) {
      if (input.whyNotWhole().isPresent()) {
        err.println("oomlens: " + RunOutcome.message(input));
        code = ExitCodes.INPUT;
      }
    }
    err.flush();
    return code;
  }
}
