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
 * JMH benchmark of the report-line readers written by hand ({@link KillLineParser}, {@link
 * OomHeaderParser}, {@link MemInfoParser}, {@link OomStackLines}) beside the regular expressions
 * they replaced (KillLineRegexParser, OomHeaderRegexParser, MemInfoRegexParser, OomStackRegexLines,
 * from oomlens-core's test sources). Every line of the generator's corpus reports goes through each
 * reader, as every line of an open report may in the reader; nearly all of them are refused, as
 * they are there. In this package because the readers are package-private. Score: lines per second.
 *
 * {@snippet lang="shell" :
 * ./mvnw -B -q -pl oomlens-bench -am package -DskipTests
 * java -jar oomlens-bench/target/benchmarks.jar ReportLineParsersBenchmark -f 1 -wi 3 -i 5
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
@OperationsPerInvocation(ReportLineParsersBenchmark.LINES)
public class ReportLineParsersBenchmark {
  /** Lines per invocation: the corpus's report lines, repeated as needed. */
  static final int LINES = 2048;

  private String[] messages;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    List<String> lines = new ArrayList<>();
    LineFramer framer = new LineFramer(new ReaderOptions(LocalDate.of(2026, 12, 5)));
    for (String template : read("/dev/oomlens/bench/templates/index.txt")) {
      long number = 1;
      for (String text : read("/dev/oomlens/bench/templates/" + template)) {
        framer.frame(
            new SourceLine(template, number++, text), (LogLine l) -> lines.add(l.message()));
      }
    }
    messages = new String[LINES];
    for (int i = 0; i < LINES; i++) {
      messages[i] = lines.get(i % lines.size());
    }
  }

  @Benchmark
  public void killLineHandWritten(Blackhole bh) {
    for (String m : messages) {
      bh.consume(KillLineParser.parse(m));
    }
  }

  @Benchmark
  public void killLineRegex(Blackhole bh) {
    for (String m : messages) {
      bh.consume(KillLineRegexParser.parse(m));
    }
  }

  /** The trigger and allocation-failure tests every handed-over line meets, then the others. */
  @Benchmark
  public void headerHandWritten(Blackhole bh) {
    for (String m : messages) {
      bh.consume(OomHeaderParser.allocFailure(m));
      bh.consume(OomHeaderParser.trigger(m));
      bh.consume(OomHeaderParser.suppressedHeaders(m));
      bh.consume(OomHeaderParser.cpuset(m));
      bh.consume(OomHeaderParser.cpu(m));
    }
  }

  @Benchmark
  public void headerRegex(Blackhole bh) {
    for (String m : messages) {
      bh.consume(OomHeaderRegexParser.allocFailure(m));
      bh.consume(OomHeaderRegexParser.trigger(m));
      bh.consume(OomHeaderRegexParser.suppressedHeaders(m));
      bh.consume(OomHeaderRegexParser.cpuset(m));
      bh.consume(OomHeaderRegexParser.cpu(m));
    }
  }

  @Benchmark
  public void memInfoHandWritten(Blackhole bh) {
    for (String m : messages) {
      bh.consume(MemInfoParser.parse(m));
    }
  }

  @Benchmark
  public void memInfoRegex(Blackhole bh) {
    for (String m : messages) {
      bh.consume(MemInfoRegexParser.parse(m));
    }
  }

  @Benchmark
  public void stackLineHandWritten(Blackhole bh) {
    for (String m : messages) {
      bh.consume(OomStackLines.isStackLine(m));
    }
  }

  @Benchmark
  public void stackLineRegex(Blackhole bh) {
    for (String m : messages) {
      bh.consume(OomStackRegexLines.isStackLine(m));
    }
  }

  private static List<String> read(String resource) throws IOException {
    try (InputStream in = ReportLineParsersBenchmark.class.getResourceAsStream(resource)) {
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
