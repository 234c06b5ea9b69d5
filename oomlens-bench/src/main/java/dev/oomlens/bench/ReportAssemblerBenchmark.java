package dev.oomlens.bench;

import dev.oomlens.core.kernel.KernelLogSink;
import dev.oomlens.core.kernel.LineFramer;
import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.core.kernel.ReportAssembler;
import dev.oomlens.core.model.LogLine;
import dev.oomlens.core.model.OomReport;
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
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * JMH benchmark of {@link ReportAssembler}: assembling one real report (a corpus file as published,
 * framed once beforehand by {@link LineFramer}) into an {@link OomReport}, fed the way the reader
 * feeds it: every line while a report is open, only keyword lines otherwise. The score is the time
 * to assemble the whole file, from a new assembler to {@code finish()}.
 *
 * {@snippet lang="shell" :
 * ./mvnw -B -q -pl oomlens-bench -am package -DskipTests
 * java -jar oomlens-bench/target/benchmarks.jar ReportAssemblerBenchmark -f 1 -wi 3 -i 5
 * }
 *
 * <p>Latest result (commit c79848b, 2 cores of an AMD EPYC, JDK 25, machine otherwise idle),
 * microseconds per file:
 *
 * <pre>
 * 015 AKS cgroup v2 pod, 71 lines     41.8 ± 2.0
 * 018 Arch 6.1 host, 174 lines       226.7 ± 19.5
 * 003 Docker memcg v1, 34 lines       33.9 ± 1.2
 * 008 arm64 panic_on_oom, 71 lines    36.4 ± 1.3
 * 011 alloc failure, 48 lines         35.9 ± 0.9
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ReportAssemblerBenchmark {
  /** Corpus files of different shapes: a cgroup v2 pod, a long host report, cgroup v1, panic. */
  @Param({
    "015-jpaztech-aks-5.15-burstable-pod-cgv2.log",
    "018-oomanalyser-arch-6.1-host.log",
    "003-ubuntu-3.13-docker-java-memcg-v1.log",
    "008-panic-on-oom-arm64-5.4.log",
    "011-lkml-hyperv-5.13-vmemmap-alloc-failure.log"
  })
  public String template;

  private LogLine[] lines;
  private KernelLogSink sink;

  @Setup(Level.Trial)
  public void setUp(Blackhole bh) throws IOException {
    List<LogLine> framed = new ArrayList<>();
    LineFramer framer = new LineFramer(new ReaderOptions(LocalDate.of(2026, 11, 23)));
    long number = 1;
    for (String text : read("templates/" + template)) {
      framer.frame(new SourceLine(template, number++, text), framed::add);
    }
    lines = framed.toArray(LogLine[]::new);
    sink = new BlackholeSink(bh);
  }

  @Benchmark
  public ReportAssembler assemble() {
    ReportAssembler assembler = new ReportAssembler(sink);
    for (LogLine line : lines) {
      if (assembler.inReport() || hasAnchor(line.source().text())) {
        assembler.accept(line);
      }
    }
    assembler.finish();
    return assembler;
  }

  /** The reader's prefilter: lines outside a report are handed on only when they hold one. */
  private static boolean hasAnchor(String text) {
    return text.contains("oom") || text.contains("ill") || text.contains("failure");
  }

  private static List<String> read(String resource) throws IOException {
    try (InputStream in = ReportAssemblerBenchmark.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("missing resource " + resource);
      }
      return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList();
    }
  }
}
