package dev.oomlens.bench;

import dev.oomlens.core.diagnosis.Diagnosis;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.k8s.ClusterConverter;
import dev.oomlens.k8s.DumpReader;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmark of reading a kubectl-shaped cluster dump held in memory (see {@link
 * ClusterDumpGenerator}): {@code read} is the dump reader and the converter into cluster records;
 * {@code diagnose} adds every rule. Times are per dump.
 *
 * {@snippet lang="shell" :
 * ./mvnw -B -q -pl oomlens-bench -am package -DskipTests
 * java -jar oomlens-bench/target/benchmarks.jar ClusterDumpReaderBenchmark -f 1 -wi 2 -i 3
 * }
 *
 * <p>Results: docs/benchmarks.md, "Cluster dumps".
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(
    value = 1,
    jvmArgs = {"-Xms2g", "-Xmx2g"})
public class ClusterDumpReaderBenchmark {
  /** Pods in the dump; nodes are a thirtieth of them. */
  @Param({"3000", "30000"})
  public int pods;

  private byte[] dump;

  /** Made once, as one run of oomlens makes it: fabric8's serialization scans the class path. */
  private DumpReader reader;

  @Setup(Level.Trial)
  public void setUp() {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
      new ClusterDumpGenerator(Math.max(1, pods / 30), pods, 1).write(w);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    dump = out.toByteArray();
    reader = new DumpReader();
  }

  private ClusterConverter readAll() throws IOException {
    ClusterConverter converter = new ClusterConverter((object, message) -> {});
    reader.read(
        new ByteArrayInputStream(dump),
        "dump",
        new DumpReader.Sink() {
          @Override
          public void object(HasMetadata object, String file) {
            converter.add(object);
          }

          @Override
          public void problem(Problem problem) {
            throw new IllegalStateException(problem.toString());
          }

          @Override
          public void fileRead(String file) {}
        });
    return converter;
  }

  /** The dump into cluster records. */
  @Benchmark
  public Object read() throws IOException {
    return readAll().build("dump");
  }

  /** The dump into cluster records, then every rule. */
  @Benchmark
  public Object diagnose() throws IOException {
    return Diagnosis.of(EvidenceSet.builder().cluster(readAll().build("dump")).build()).findings();
  }
}
