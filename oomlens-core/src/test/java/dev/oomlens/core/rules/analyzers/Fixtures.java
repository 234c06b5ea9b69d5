package dev.oomlens.core.rules.analyzers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.kernel.KernelLogReader;
import dev.oomlens.core.kernel.KernelLogSink;
import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.core.model.AllocFailure;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.rules.EvidenceSet;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test helper: reads kernel logs (test resources or text blocks) with the real reader and wraps the
 * reports in an {@link EvidenceSet}, one incident per host and OOM cgroup.
 */
final class Fixtures {
  /** What each input held, by name, so findings' citations can be checked against it. */
  private static final Map<String, String> INPUTS = new ConcurrentHashMap<>();

  private Fixtures() {}

  /** Every report of the given resources, in order. */
  static List<OomReport> resources(String... names) {
    List<OomReport> reports = new ArrayList<>();
    for (String name : names) {
      try (InputStream in = Fixtures.class.getResourceAsStream("/" + name)) {
        if (in == null) {
          throw new IllegalArgumentException("no resource " + name);
        }
        byte[] bytes = in.readAllBytes();
        INPUTS.put(name, new String(bytes, StandardCharsets.UTF_8));
        reports.addAll(read(name, new ByteArrayInputStream(bytes)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return reports;
  }

  /** The reports of a text block, read as a file named {@code name}. */
  static List<OomReport> text(String name, String text) {
    INPUTS.put(name, text);
    return read(name, new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static List<OomReport> read(String name, InputStream in) {
    List<OomReport> reports = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    new KernelLogReader(new ReaderOptions(LocalDate.of(2026, 11, 23)))
        .read(
            name,
            in,
            new KernelLogSink() {
              @Override
              public void report(OomReport report) {
                reports.add(report);
              }

              @Override
              public void allocFailure(AllocFailure failure) {}

              @Override
              public void problem(Problem problem) {
                problems.add(problem);
              }
            });
    return reports;
  }

  /** The evidence of these reports, grouped into incidents as the engine groups them. */
  static EvidenceSet evidence(List<OomReport> reports) {
    return EvidenceSet.builder().reports(reports).build();
  }

  static EvidenceSet evidence(String... resources) {
    return evidence(resources(resources));
  }

  /** Every line the finding cites stands in its input, at that line number, with that text. */
  static void assertCitesRealLines(Finding f) {
    assertThat(f.logLines()).isNotEmpty();
    for (SourceLine l : f.logLines()) {
      String input = INPUTS.get(l.file());
      assertThat(input).as("input %s", l.file()).isNotNull();
      String[] lines = input.split("\n", -1);
      assertThat(l.line()).as("line number of %s", l).isBetween(1L, (long) lines.length);
      assertThat(lines[(int) l.line() - 1]).as("text of %s", l).isEqualTo(l.text());
    }
  }
}
