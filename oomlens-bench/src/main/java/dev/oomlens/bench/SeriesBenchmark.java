package dev.oomlens.bench;

import dev.oomlens.core.series.MemoryProfile;
import dev.oomlens.core.series.Series;
import dev.oomlens.metrics.MatrixReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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

/**
 * JMH benchmark of the two steps {@code oomlens size} spends its CPU on: reading a Prometheus
 * {@code query_range} answer as a stream ({@link MatrixReader}), and summing series up per
 * container ({@link MemoryProfile}: log histogram, bucket minima and maxima, drops). Input: 50
 * containers x 1 day at 30 s (144,000 samples) held in memory. The {@code samples} counter is the
 * throughput in samples per second.
 *
 * {@snippet lang="shell" :
 * ./mvnw -B -q -pl oomlens-bench -am package -DskipTests
 * java -jar oomlens-bench/target/benchmarks.jar SeriesBenchmark -f 1 -wi 3 -i 5
 * }
 *
 * <p>Results: see {@code docs/benchmarks.md}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(
    value = 1,
    jvmArgs = {"-Xms512m", "-Xmx512m"})
public class SeriesBenchmark {
  static final int CONTAINERS = 50;
  static final int POINTS = 2880;

  private byte[] answer;
  private Series[] series;

  /** Samples handled, per second. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Counters {
    public long samples;
  }

  @Setup(Level.Trial)
  public void setUp() {
    StringBuilder s =
        new StringBuilder(
            "{\"status\":\"success\",\"data\":{\"resultType\":" + "\"matrix\",\"result\":[");
    series = new Series[CONTAINERS];
    for (int c = 0; c < CONTAINERS; c++) {
      s.append(c == 0 ? "" : ",")
          .append(
              "{\"metric\":{\"__name__\":\"container_memory_working_"
                  + "set_bytes\",\"namespace\":\"bench\",\"pod\":\"app-")
          .append(c)
          .append("-0\",\"container\":\"c")
          .append(c)
          .append("\",\"id\":\"/kubepods/pod")
          .append(c)
          .append("/c0\"},\"values\":[");
      long[] t = new long[POINTS];
      double[] v = new double[POINTS];
      for (int i = 0; i < POINTS; i++) {
        t[i] = (1_767_225_600L + i * 30L) * 1000;
        v[i] = (100 + c) * 1048576.0 * (1 + 0.1 * Math.sin(i / 20.0 + c));
        s.append(i == 0 ? "" : ",")
            .append('[')
            .append(t[i] / 1000)
            .append(",\"")
            .append((long) v[i])
            .append("\"]");
      }
      s.append("]}");
      series[c] =
          new Series(
              Series.Role.WORKING_SET,
              "q",
              Map.of(
                  "namespace",
                  "bench",
                  "pod",
                  "app-" + c + "-0",
                  "container",
                  "c" + c,
                  "id",
                  "/kubepods/pod" + c + "/c0"),
              t,
              v);
    }
    answer = s.append("]}}").toString().getBytes(StandardCharsets.UTF_8);
  }

  @Benchmark
  public long parseQueryRange(Counters counters) throws IOException {
    long[] n = {0};
    long samples =
        MatrixReader.read(
            new ByteArrayInputStream(answer), "q", MatrixReader::roleOf, s -> n[0] += s.size());
    counters.samples += samples;
    return n[0];
  }

  @Benchmark
  public Object profile(Counters counters) {
    MemoryProfile last = null;
    for (Series s : series) {
      MemoryProfile p = new MemoryProfile(MemoryProfile.Id.of(s.labels(), ""));
      p.add(s);
      counters.samples += s.size();
      last = p;
    }
    return last.shape();
  }
}
