package dev.oomlens.core.kernel;

import dev.oomlens.bench.BlackholeSink;
import dev.oomlens.bench.KernelLogGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * JMH benchmark of {@link KernelLogReader#read(Path, KernelLogSink)} on a generated 64 MiB log file
 * (mixed framing, about one OOM report per MiB, see {@link KernelLogGenerator}): the parallel scan
 * the CLI runs on a large file, with the scan workers turning away the anchor lines no consumer
 * uses ({@code filter=true}, {@link CandidateFilter}) or handing every anchor line to the ordered
 * thread ({@code filter=false}, the reader before the filter). The file is in the page cache after
 * the first read. Score: reads of the whole file per second.
 *
 * {@snippet lang="shell" :
 * ./mvnw -B -q -pl oomlens-bench -am package -DskipTests
 * java -jar oomlens-bench/target/benchmarks.jar ParallelReadBenchmark -f 1 -wi 3 -i 5 \
 *     -jvmArgsAppend -XX:TieredStopAtLevel=1
 * }
 *
 * <p>Results: docs/benchmarks.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(1)
public class ParallelReadBenchmark {
  @Param({"true", "false"})
  public boolean filter;

  private Path file;
  private KernelLogReader reader;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    file = Files.createTempFile("oomlens-parallel-read", ".log");
    try (OutputStream out = Files.newOutputStream(file)) {
      new KernelLogGenerator(64L << 20, 1, "mixed", 1, 1.0).write(out);
    }
    reader = new KernelLogReader(new ReaderOptions(LocalDate.of(2026, 11, 23)), filter);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    Files.deleteIfExists(file);
  }

  @Benchmark
  public void read(Blackhole bh) throws IOException {
    reader.read(file, new BlackholeSink(bh));
  }
}
