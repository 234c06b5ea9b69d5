package dev.oomlens.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.kernel.KernelLogReader;
import dev.oomlens.core.kernel.KernelLogSink;
import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.core.model.AllocFailure;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.IncidentBuilder;
import dev.oomlens.core.rules.RuleEngine;
import dev.oomlens.core.rules.RuleRegistry;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One kernel log diagnosed end to end, as {@code oomlens} does it: the core reader turns the text
 * into reports, {@link IncidentBuilder} groups them into evidence, and the {@link RuleEngine} with
 * every registered analyzer turns that into findings.
 *
 * <p>{@link #expect(String)} checks the findings against a scenario. It collects every mismatch
 * before failing, and says so plainly when an expected code has no analyzer registered yet, so a
 * failure tells "the rule is wrong" from "the rule is not there".
 */
final class Diagnosis {
  /** The codes of the analyzers the engine runs now. */
  static final Set<String> REGISTERED =
      RuleRegistry.all().stream()
          .map(Analyzer::info)
          .map(info -> info.code())
          .collect(Collectors.toCollection(TreeSet::new));

  /** A size below zero, which no amount of memory can be: a sign of arithmetic gone wrong. */
  private static final Pattern NEGATIVE_SIZE =
      Pattern.compile("(?<![\\w.])-\\d+(\\.\\d+)? ?(kB|KiB|MiB|GiB|Mi|Gi)\\b");

  final String file;
  final String text;
  final List<OomReport> reports;
  final List<Problem> problems;
  final List<Finding> findings;

  private Diagnosis(
      String file,
      String text,
      List<OomReport> reports,
      List<Problem> problems,
      List<Finding> findings) {
    this.file = file;
    this.text = text;
    this.reports = reports;
    this.problems = problems;
    this.findings = findings;
  }

  /** Reads {@code text} as the kernel log file {@code file} and runs the engine over it. */
  static Diagnosis of(String file, String text, LocalDate today) {
    List<OomReport> reports = new ArrayList<>();
    List<AllocFailure> failures = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    new KernelLogReader(new ReaderOptions(today))
        .read(
            file,
            new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
            new KernelLogSink() {
              @Override
              public void report(OomReport report) {
                reports.add(report);
              }

              @Override
              public void allocFailure(AllocFailure failure) {
                failures.add(failure);
              }

              @Override
              public void problem(Problem problem) {
                problems.add(problem);
              }
            });
    EvidenceSet evidence = EvidenceSet.builder().reports(reports).allocFailures(failures).build();
    List<Finding> findings = new RuleEngine().run(evidence);
    return new Diagnosis(file, text, List.copyOf(reports), List.copyOf(problems), findings);
  }

  /** The one report of the log; fails when there is not exactly one, or it was hard to read. */
  OomReport report() {
    assertThat(problems).as("problems reading %s", file).isEmpty();
    assertThat(reports).as("reports in %s", file).hasSize(1);
    return reports.getFirst();
  }

  /** The codes that fired, in the engine's order, without repeats. */
  List<String> codes() {
    return findings.stream().map(Finding::code).distinct().toList();
  }

  /** Starts checking the findings against what scenario {@code name} must and must not show. */
  Expectation expect(String name) {
    return new Expectation(name);
  }

  /** What one scenario's findings must show; {@link #verify()} fails with every mismatch. */
  final class Expectation {
    private final String scenario;
    private final List<String> failures = new ArrayList<>();
    private final List<String> unchecked = new ArrayList<>();

    private Expectation(String scenario) {
      this.scenario = scenario;
    }

    /** {@code code} fires, once, and its finding passes {@code details}. */
    Expectation fires(String code, Consumer<Finding> details) {
      List<Finding> found = findings.stream().filter(f -> f.code().equals(code)).toList();
      if (!REGISTERED.contains(code)) {
        failures.add(
            code
                + ": MISSING ANALYZER: no analyzer with this code is registered in"
                + " RuleRegistry.all() yet, and this scenario must make it fire");
      } else if (found.isEmpty()) {
        failures.add(code + ": did not fire (registered, but silent on this scenario)");
      } else {
        try {
          details.accept(found.getFirst());
        } catch (AssertionError e) {
          failures.add(
              code
                  + ": fired, but "
                  + e.getMessage().strip()
                  + "\n    summary: "
                  + found.getFirst().summary()
                  + "\n    reasoning: "
                  + found.getFirst().reasoning());
        }
      }
      return this;
    }

    /** {@code code} fires, whatever its details. */
    Expectation fires(String code) {
      return fires(code, f -> {});
    }

    /** {@code code}, when it fires, passes {@code details}; silence is fine too. */
    Expectation mayFire(String code, Consumer<Finding> details) {
      findings.stream()
          .filter(f -> f.code().equals(code))
          .findFirst()
          .ifPresent(
              f -> {
                try {
                  details.accept(f);
                } catch (AssertionError e) {
                  failures.add(
                      code
                          + ": fired, but "
                          + e.getMessage().strip()
                          + "\n    summary: "
                          + f.summary());
                }
              });
      return this;
    }

    /** None of {@code codes} fires. */
    Expectation silent(String... codes) {
      for (String code : codes) {
        if (!REGISTERED.contains(code)) {
          unchecked.add(code);
        }
        findings.stream()
            .filter(f -> f.code().equals(code))
            .findFirst()
            .ifPresent(f -> failures.add(code + ": fired but must not: " + f.summary()));
      }
      return this;
    }

    /**
     * Fails with every mismatch at once; also when an analyzer failed (ENGINE-ERROR), a summary
     * states a negative size, or a finding cites a line that is not in the input as it stands.
     */
    void verify() {
      for (Finding f : findings) {
        Matcher negative = NEGATIVE_SIZE.matcher(f.summary());
        if (negative.find()) {
          failures.add(
              f.code() + ": states a negative size, " + negative.group() + ": " + f.summary());
        }
        if (f.code().equals(RuleEngine.ENGINE_ERROR)) {
          failures.add(f.code() + ": " + f.summary() + ": " + f.reasoning());
        }
        for (SourceLine cited : f.logLines()) {
          Optional<String> line = lineOf(cited);
          if (!cited.file().equals(file) || line.isEmpty() || !line.get().contains(cited.text())) {
            failures.add(f.code() + ": cites " + cited + ", which is not a line of " + file);
          }
        }
      }
      System.out.println(
          "RealKernelDiagnosis: "
              + scenario
              + " ("
              + file
              + "): findings "
              + codes()
              + (unchecked.isEmpty()
                  ? ""
                  : "; silence of " + unchecked + " unchecked: no such analyzer registered yet")
              + describe());
      if (!failures.isEmpty()) {
        throw new AssertionError(
            "diagnosis of "
                + scenario
                + " ("
                + file
                + ") is wrong:\n  - "
                + String.join("\n  - ", failures)
                + "\n  findings: "
                + describe());
      }
    }

    private Optional<String> lineOf(SourceLine cited) {
      List<String> lines = text.lines().toList();
      return cited.line() <= lines.size()
          ? Optional.of(lines.get((int) cited.line() - 1))
          : Optional.empty();
    }
  }

  private String describe() {
    StringBuilder s = new StringBuilder();
    for (Finding f : findings) {
      s.append("\n    ").append(f.code()).append(": ").append(f.summary());
    }
    return s.isEmpty() ? "none" : s.toString();
  }
}
