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
 * JMH benchmark of the memory cgroup section's reader, hand-written ({@link MemcgBlockParser})
 * beside the regular expressions it replaced (MemcgBlockRegexParser, from oomlens-core's test
 * sources). Every line of the generator's corpus reports goes through it, as every line of an open
 * report does in the reader, inside a stats block or not as the report has it. In this package
 * because the readers are package-private. Score: lines per second.
 *
 * {@snippet lang="shell" :
 * ./mvnw -B -q -pl oomlens-bench -am package -DskipTests
 * java -jar oomlens-bench/target/benchmarks.jar MemcgBlockParserBenchmark -f 1 -wi 3 -i 5
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
@OperationsPerInvocation(MemcgBlockParserBenchmark.LINES)
public class MemcgBlockParserBenchmark {
  /** Lines per invocation: the corpus's report lines, repeated as needed. */
  static final int LINES = 2048;

  private String[] messages;
  private boolean[] inStats;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    List<String> lines = new ArrayList<>();
    List<Boolean> stats = new ArrayList<>();
    LineFramer framer = new LineFramer(new ReaderOptions(LocalDate.of(2026, 12, 5)));
    for (String template : read("/dev/oomlens/bench/templates/index.txt")) {
      List<LogLine> framed = new ArrayList<>();
      long number = 1;
      for (String text : read("/dev/oomlens/bench/templates/" + template)) {
        framer.frame(new SourceLine(template, number++, text), framed::add);
      }
      boolean open = false;
      for (LogLine line : framed) {
        String m = line.message();
        lines.add(m);
        stats.add(open);
        var parsed = MemcgBlockRegexParser.parse(m, open);
        if (parsed.isPresent() && parsed.get() instanceof MemcgBlockParser.Stats s) {
          open = !s.inline();
        } else if (parsed.isEmpty()) {
          open = false;
        }
      }
    }
    messages = new String[LINES];
    inStats = new boolean[LINES];
    for (int i = 0; i < LINES; i++) {
      messages[i] = lines.get(i % lines.size());
      inStats[i] = stats.get(i % lines.size());
    }
  }

  @Benchmark
  public void handWritten(Blackhole bh) {
    for (int i = 0; i < LINES; i++) {
      bh.consume(MemcgBlockParser.parse(messages[i], inStats[i]));
    }
  }

  @Benchmark
  public void regex(Blackhole bh) {
    for (int i = 0; i < LINES; i++) {
      bh.consume(MemcgBlockRegexParser.parse(messages[i], inStats[i]));
    }
  }

  private static List<String> read(String resource) throws IOException {
    try (InputStream in = MemcgBlockParserBenchmark.class.getResourceAsStream(resource)) {
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
