package dev.oomlens.core.kernel;

import dev.oomlens.bench.KernelLogGenerator;
import dev.oomlens.core.host.KillerEvent;
import dev.oomlens.core.model.LogLine;
import dev.oomlens.core.model.SourceLine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * JMH benchmark of the userspace killers' line reader: {@code handWritten} ({@link
 * KillerLogParser}, the fixed starts and the {@code name[pid]: } tag read by hand before any
 * pattern) beside {@code regex} (KillerLogRegexParser in oomlens-core's test sources, every pattern
 * tried on every line). The lines are those of a generated 16 MiB log (mixed framing, see {@link
 * KernelLogGenerator}) that hold one of the scan's anchors, framed as the reader frames them: the
 * lines the reader hands the parser outside reports (their number is printed at setup). Score:
 * passes over those lines per second.
 *
 * {@snippet lang="shell" :
 * ./mvnw -B -q -pl oomlens-bench -am package -DskipTests
 * java -jar oomlens-bench/target/benchmarks.jar KillerLogParserBenchmark -f 1 -wi 3 -i 5
 * }
 *
 * <p>Results: docs/benchmarks.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class KillerLogParserBenchmark {
  private LogLine[] lines;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(17 << 20);
    new KernelLogGenerator(16L << 20, 1, "mixed", 1, 1.0).write(out);
    byte[] log = out.toByteArray();
    LineFramer framer = new LineFramer(new ReaderOptions(LocalDate.of(2026, 12, 6)));
    List<LogLine> framed = new ArrayList<>();
    AnchorSearch search = new AnchorSearch();
    int start = 0;
    long number = 1;
    while (start < log.length) {
      int end = LineScanner.indexOf(log, (byte) '\n', start, log.length);
      end = end < 0 ? log.length : end;
      if (search.next(log, start, end) >= 0) {
        String text = new String(log, start, end - start, StandardCharsets.UTF_8);
        framer.frame(new SourceLine("bench.log", number, text), framed::add);
      }
      number++;
      start = end + 1;
    }
    lines = framed.toArray(LogLine[]::new);
    System.out.println("killer-parser lines: " + lines.length);
  }

  @Benchmark
  public void handWritten(Blackhole bh) {
    KillerLogParser parser = new KillerLogParser();
    Consumer<KillerEvent> sink = bh::consume;
    for (LogLine line : lines) {
      parser.accept(line, sink);
    }
  }

  @Benchmark
  public void regex(Blackhole bh) {
    KillerLogRegexParser parser = new KillerLogRegexParser();
    Consumer<KillerEvent> sink = bh::consume;
    for (LogLine line : lines) {
      parser.accept(line, sink);
    }
  }
}
