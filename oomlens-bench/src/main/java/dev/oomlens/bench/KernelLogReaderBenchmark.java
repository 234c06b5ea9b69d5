package dev.oomlens.bench;

import dev.oomlens.core.kernel.KernelLogReader;
import dev.oomlens.core.kernel.KernelLogSink;
import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.core.model.OomReport;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.LocalDate;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * JMH benchmark of {@link KernelLogReader#read(String, java.io.InputStream, KernelLogSink)} on a
 * generated kernel log held in memory (mixed framing, about one varied real OOM report per MiB; see
 * {@link KernelLogGenerator}): the reader's whole pipeline, scan, prefilter, framing and assembly,
 * without disk or rendering. The {@code bytes} counter is the throughput in bytes per second;
 * {@code reports} counts reports per second, and must be about {@code bytes} / 2^20.
 *
 * {@snippet lang="shell" :
 * ./mvnw -B -q -pl oomlens-bench -am package -DskipTests
 * java -jar oomlens-bench/target/benchmarks.jar KernelLogReaderBenchmark -f 1 -wi 3 -i 5
 * }
 *
 * <p>Latest result (commit c79848b, 2 cores of an AMD EPYC, JDK 25, machine otherwise idle): 16
 * MiB, 824 ± 8 MB/s (786 reports/s); 64 MiB, 802 ± 30 MB/s (741 reports/s). See {@code
 * docs/benchmarks.md}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(
    value = 1,
    jvmArgs = {"-Xms1g", "-Xmx1g"})
public class KernelLogReaderBenchmark {
  @Param({"16", "64"})
  public int sizeMiB;

  private byte[] log;
  private KernelLogReader reader;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream((sizeMiB + 1) << 20);
    new KernelLogGenerator((long) sizeMiB << 20, 1, "mixed", 1, 1.0).write(out);
    log = out.toByteArray();
    reader = new KernelLogReader(new ReaderOptions(LocalDate.of(2026, 11, 23)));
  }

  /** Throughput counters JMH reports beside the score, per second. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Counters {
    public long bytes;
    public long reports;
  }

  @Benchmark
  public void read(Counters counters, Blackhole bh) {
    KernelLogSink sink =
        new BlackholeSink(bh) {
          @Override
          public void report(OomReport report) {
            counters.reports++;
            super.report(report);
          }
        };
    reader.read("bench.log", new ByteArrayInputStream(log), sink);
    counters.bytes += log.length;
  }
}
