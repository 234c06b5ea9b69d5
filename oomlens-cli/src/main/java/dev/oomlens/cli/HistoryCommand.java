package dev.oomlens.cli;

import dev.oomlens.agent.History;
import dev.oomlens.agent.HistorySource;
import dev.oomlens.agent.WarningRecord;
import dev.oomlens.core.diagnosis.Diagnosis;
import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.report.json.JsonReportWriter;
import dev.oomlens.report.markdown.Markdown;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
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

/**
 * {@code oomlens history}: what {@code oomlens watch} recorded: the kills, diagnosed again with
 * today's rules, and the warnings as they were raised.
 */
@Command(
    name = "history",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Lists what 'oomlens watch' recorded: every OOM kill (its report as the kernel wrote it,"
          + " diagnosed again with today's rules, across boots) and every early warning (when it"
          + " was raised and cleared, the forecast of TIME-TO-LIMIT).",
      "JSON holds reports and findings in the shape of 'diagnose --format json', plus"
          + " warnings.",
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      ExitCodes.OK_HELP,
      ExitCodes.FINDINGS_HELP,
      ExitCodes.USAGE_HELP,
      "3:the history file is missing or is not an oomlens history",
      ExitCodes.INTERNAL_HELP
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  oomlens history",
      "  oomlens history --since 24h --format json",
      "  oomlens history --db /var/lib/oomlens/oomlens.db --workload payments",
    })
final class HistoryCommand implements Callable<Integer> {
  @ParentCommand OomlensCommand root;

  @Spec CommandSpec spec;

  @Option(
      names = "--db",
      paramLabel = "FILE",
      description =
          "The history file. Default: as 'oomlens watch' (/var/lib/oomlens/oomlens.db"
              + " as root).")
  Path db;

  @Mixin DiagnosisOptions diagnosis;

  @Mixin OutputOptions output;

  @Override
  public Integer call() {
    output
        .conflict()
        .ifPresent(
            c -> {
              throw new ParameterException(spec.commandLine(), c);
            });
    Clock clock = root.environment().clock();
    PrintWriter err = spec.commandLine().getErr();
    Path file = db != null ? db : root.environment().history().orElse(History.defaultFile());
    try (History h = History.openToRead(file, clock)) {
      Diagnosis d;
      try {
        d =
            diagnosis.run(
                List.of(new HistorySource(h, new ReaderOptions(LocalDate.now(clock)), k -> true)),
                clock,
                Optional.empty());
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      Optional<Instant> since = Optional.ofNullable(diagnosis.since).map(t -> t.resolve(clock));
      Optional<Instant> until = Optional.ofNullable(diagnosis.until).map(t -> t.resolve(clock));
      List<WarningRecord> warnings =
          h.warnings(since).stream()
              .filter(w -> until.isEmpty() || !w.raisedAt().isAfter(until.get()))
              .filter(
                  w ->
                      diagnosis.workload == null
                          || w.cgroup().filter(c -> c.contains(diagnosis.workload)).isPresent())
              .toList();
      long userspace =
          h.userspaceKills(since).stream()
              .filter(u -> until.isEmpty() || !u.at().isAfter(until.get()))
              .count();
      String header =
          "oomlens history: "
              + file
              + ", "
              + d.evidence().reports().size()
              + (d.evidence().reports().size() == 1 ? " kill, " : " kills, ")
              + (userspace == 0
                  ? ""
                  : userspace
                      + (userspace == 1 ? " kill" : " kills")
                      + " by userspace killers (verdict userspace), ")
              + warnings.size()
              + (warnings.size() == 1 ? " warning" : " warnings");
      try {
        output.write(
            d,
            Optional.of(header),
            spec.commandLine().getOut(),
            Optional.of(new WarningsOutput(warnings)));
      } catch (java.io.IOException e) {
        err.println(
            "oomlens: cannot write "
                + output.destination()
                + ": "
                + dev.oomlens.core.source.IoReasons.of(e));
        err.flush();
        return ExitCodes.INPUT;
      }
      return diagnosis.exitCode(d.findings());
    } catch (History.HistoryException e) {
      err.println("oomlens: " + e.getMessage());
      err.flush();
      return ExitCodes.INPUT;
    }
  }

  /** The warnings after the diagnosis, in each format. */
  private record WarningsOutput(List<WarningRecord> warnings) implements OutputOptions.Extra {
    @Override
    public void text(PrintWriter out) {
      out.print("\nWarnings (" + warnings.size() + ")\n");
      if (warnings.isEmpty()) {
        out.print("  none recorded\n");
      }
      for (WarningRecord w : warnings) {
        out.print(
            "  "
                + w.raisedAt()
                + "  "
                + w.code()
                + "  "
                + w.summary()
                + w.clearedAt().map(c -> " (cleared " + c + ")").orElse(" (still raised)")
                + "\n");
      }
    }

    @Override
    public void markdown(PrintWriter out) {
      out.print("\n## Warnings\n\n");
      if (warnings.isEmpty()) {
        out.print("None recorded.\n");
        return;
      }
      out.print(Markdown.row(List.of("raised", "code", "cgroup", "what", "cleared")));
      out.print(Markdown.separator(5));
      for (WarningRecord w : warnings) {
        out.print(
            Markdown.row(
                List.of(
                    w.raisedAt().toString(),
                    Markdown.cell(w.code()),
                    Markdown.cell(Markdown.code(w.cgroup().orElse("(host)"))),
                    Markdown.cell(Markdown.text(w.summary())),
                    w.clearedAt().map(Instant::toString).orElse("still raised"))));
      }
    }

    @Override
    public JsonReportWriter.Section json() {
      return g -> {
        g.writeArrayFieldStart("warnings");
        for (WarningRecord w : warnings) {
          g.writeStartObject();
          g.writeStringField("code", w.code());
          if (w.cgroup().isPresent()) {
            g.writeStringField("cgroup", w.cgroup().get());
          } else {
            g.writeNullField("cgroup");
          }
          g.writeStringField("raised_at", w.raisedAt().toString());
          if (w.clearedAt().isPresent()) {
            g.writeStringField("cleared_at", w.clearedAt().get().toString());
          } else {
            g.writeNullField("cleared_at");
          }
          if (w.timeToLimitSeconds().isPresent()) {
            g.writeNumberField("time_to_limit_s", w.timeToLimitSeconds().getAsDouble());
          } else {
            g.writeNullField("time_to_limit_s");
          }
          g.writeStringField("summary", w.summary());
          g.writeStringField("evidence", w.evidence());
          g.writeEndObject();
        }
        g.writeEndArray();
      };
    }
  }
}
