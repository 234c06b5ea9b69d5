package dev.oomlens.bench;

import dev.oomlens.core.kernel.LineFramer;
import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.core.model.LogLine;
import dev.oomlens.core.model.SourceLine;
import java.time.LocalDate;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * JMH benchmark of {@link LineFramer#frame}: the per-line cost of taking the framing off the lines
 * the reader hands on (report lines, and keyword lines between reports), in each framing and in a
 * file that changes framing at every record. The score is physical lines framed per second.
 *
 * {@snippet lang="shell" :
 * ./mvnw -B -q -pl oomlens-bench -am package -DskipTests
 * java -jar oomlens-bench/target/benchmarks.jar LineFramerBenchmark -f 1 -wi 3 -i 5
 * }
 *
 * <p>Latest result (commit c79848b, 2 cores of an AMD EPYC, JDK 25, machine otherwise idle; see
 * {@code docs/benchmarks.md}), lines per second:
 *
 * <pre>
 * DMESG 16.0 M   DMESG_T 8.4 M   KMSG 11.3 M   SYSLOG 6.1 M   SYSLOG_ISO 5.7 M
 * JOURNAL_MONOTONIC 11.3 M   RFC5424 5.6 M   BARE 23.3 M   MIXED 6.4 M
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LineFramerBenchmark {
  @Param({
    "DMESG",
    "DMESG_T",
    "KMSG",
    "SYSLOG",
    "SYSLOG_ISO",
    "JOURNAL_MONOTONIC",
    "RFC5424",
    "BARE",
    "MIXED"
  })
  public String framing;

  private SourceLine[] lines;
  private LineFramer framer;
  private Consumer<LogLine> out;

  @Setup(Level.Trial)
  public void setUp(Blackhole bh) {
    List<String> text = FramedLines.lines(FramedLines.records(1), framing);
    lines = new SourceLine[text.size()];
    for (int i = 0; i < lines.length; i++) {
      lines[i] = new SourceLine("bench.log", i + 1, text.get(i));
    }
    framer = new LineFramer(new ReaderOptions(LocalDate.of(2026, 11, 23)));
    out = bh::consume;
  }

  /** Frames one line; the next call frames the next one, cycling through the input. */
  @Benchmark
  public void frame(LineCursor cursor) {
    framer.frame(lines[cursor.next(lines.length)], out);
  }

  /** Where in the input the next call starts. */
  @State(Scope.Thread)
  public static class LineCursor {
    private int at;

    int next(int length) {
      int i = at;
      at = i + 1 == length ? 0 : i + 1;
      return i;
    }
  }
}
