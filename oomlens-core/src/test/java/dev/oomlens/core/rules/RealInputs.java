package dev.oomlens.core.rules;

import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.kernel.KernelLogReader;
import dev.oomlens.core.kernel.KernelLogSink;
import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.core.model.AllocFailure;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The real kernel reports the rule tests run on: the corpus, the 6.18 kmsg captures, the pasted
 * ones and the QEMU-lab captures, each named by its path under {@code src/test/resources}.
 */
public final class RealInputs {
  /** Test resources, relative to the module (Maven runs tests there). */
  public static final Path RESOURCES = Path.of("src", "test", "resources");

  private RealInputs() {}

  /**
   * Every real report file we have, sorted: corpus, kmsg captures, reports as people paste them
   * (real reports cut, see pasted/SOURCE.md), QEMU-lab captures.
   */
  public static List<String> all() {
    List<String> out = new ArrayList<>();
    out.addAll(list("corpus", ".log"));
    out.addAll(list("kmsg", ".kmsg"));
    out.addAll(list("pasted", ".log"));
    Path vmlab = RESOURCES.resolve("vmlab");
    if (Files.isDirectory(vmlab)) {
      try (Stream<Path> s = Files.walk(vmlab)) {
        s.filter(Files::isRegularFile)
            .filter(p -> p.getFileName().toString().endsWith(".log"))
            .map(p -> RESOURCES.relativize(p).toString().replace('\\', '/'))
            .sorted()
            .forEach(out::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  private static List<String> list(String dir, String suffix) {
    try (Stream<Path> s = Files.list(RESOURCES.resolve(dir))) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(suffix))
          .sorted()
          .map(n -> dir + "/" + n)
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What the reader found in one input. */
  public record Read(List<OomReport> reports, List<AllocFailure> allocFailures) {}

  /** Reads one input, naming it by its resource path. */
  public static Read read(String name) {
    List<OomReport> reports = new ArrayList<>();
    List<AllocFailure> failures = new ArrayList<>();
    try (InputStream in = Files.newInputStream(RESOURCES.resolve(name))) {
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
                public void allocFailure(AllocFailure failure) {
                  failures.add(failure);
                }

                @Override
                public void problem(Problem problem) {}
              });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Read(reports, failures);
  }

  /** The evidence of one input: its reports grouped into incidents. */
  public static EvidenceSet evidence(String name) {
    Read r = read(name);
    return EvidenceSet.builder().reports(r.reports()).allocFailures(r.allocFailures()).build();
  }

  /** The first report of one input. */
  public static OomReport first(String name) {
    return read(name).reports().getFirst();
  }

  /** The findings of one analyzer over one input. */
  public static List<Finding> run(Analyzer analyzer, String name) {
    return analyzer.analyze(evidence(name));
  }
}
