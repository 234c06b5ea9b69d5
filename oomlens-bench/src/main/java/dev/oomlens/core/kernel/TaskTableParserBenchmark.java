package dev.oomlens.core.kernel;

import dev.oomlens.core.model.LogLine;
import dev.oomlens.core.model.SourceLine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * JMH benchmark of the task-table row reader, hand-written ({@link TaskTableParser}) beside the
 * regular expressions it replaced (TaskTableRegexParser, from oomlens-core's test sources). Each
 * row goes through the calls OomReportBuilder makes on it: is it a header, does it look like a row,
 * read it. The rows are every task-table row of the generator's corpus reports (kernels 3.10 to
 * 6.8), after their framing is taken off. In this package, not the bench's own, because the readers
 * are package-private. Score: rows per second.
 *
 * {@snippet lang="shell" :
 * ./mvnw -B -q -pl oomlens-bench -am package -DskipTests
 * java -jar oomlens-bench/target/benchmarks.jar TaskTableParserBenchmark -f 1 -wi 3 -i 5
 * }
 *
 * <p>Results: docs/benchmarks.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@OperationsPerInvocation(TaskTableParserBenchmark.ROWS)
public class TaskTableParserBenchmark {
  /** Rows per invocation: the corpus's rows, repeated as needed. */
  static final int ROWS = 1024;

  private String[] messages;
  private List<Optional<TaskTableParser.Layout>> layouts;
  private SourceLine source;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    List<String> rows = new ArrayList<>();
    List<Optional<TaskTableParser.Layout>> rowLayouts = new ArrayList<>();
    LineFramer framer = new LineFramer(new ReaderOptions(LocalDate.of(2026, 12, 5)));
    for (String template : read("/dev/oomlens/bench/templates/index.txt")) {
      List<LogLine> framed = new ArrayList<>();
      long number = 1;
      for (String text : read("/dev/oomlens/bench/templates/" + template)) {
        framer.frame(new SourceLine(template, number++, text), framed::add);
      }
      Optional<TaskTableParser.Layout> layout = Optional.empty();
      for (LogLine line : framed) {
        String m = line.message();
        Optional<TaskTableParser.Layout> header = TaskTableRegexParser.header(m);
        if (header.isPresent()) {
          layout = header;
        } else if (TaskTableRegexParser.looksLikeRow(m)) {
          rows.add(m);
          rowLayouts.add(layout);
        }
      }
    }
    if (rows.isEmpty()) {
      throw new IllegalStateException("no task-table rows in the corpus templates");
    }
    messages = new String[ROWS];
    layouts = new ArrayList<>(ROWS);
    for (int i = 0; i < ROWS; i++) {
      messages[i] = rows.get(i % rows.size());
      layouts.add(rowLayouts.get(i % rows.size()));
    }
    source = new SourceLine("bench", 1, "row");
  }

  @Benchmark
  public void handWritten(Blackhole bh) {
    for (int i = 0; i < ROWS; i++) {
      String m = messages[i];
      if (TaskTableParser.header(m).isEmpty() && TaskTableParser.looksLikeRow(m)) {
        bh.consume(TaskTableParser.row(m, layouts.get(i), source));
      }
    }
  }

  @Benchmark
  public void regex(Blackhole bh) {
    for (int i = 0; i < ROWS; i++) {
      String m = messages[i];
      if (TaskTableRegexParser.header(m).isEmpty() && TaskTableRegexParser.looksLikeRow(m)) {
        bh.consume(TaskTableRegexParser.row(m, layouts.get(i), source));
      }
    }
  }

  private static List<String> read(String resource) throws IOException {
    try (InputStream in = TaskTableParserBenchmark.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("missing resource " + resource);
      }
      return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))
          .lines()
          .filter(l -> !l.isBlank())
          .toList();
    }
  }
}
