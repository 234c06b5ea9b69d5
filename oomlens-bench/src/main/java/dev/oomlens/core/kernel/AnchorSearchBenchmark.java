package dev.oomlens.core.kernel;

import dev.oomlens.bench.KernelLogGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
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
 * JMH benchmark of the scan loop: every line of a generated 16 MiB log (mixed framing, about one
 * OOM report per MiB, see {@link KernelLogGenerator}) that holds an anchor, found with the newlines
 * before it counted, as the parallel scan's workers do over 64 KiB views. {@code onePass} is {@link
 * AnchorSearch} (SWAR, one pass for every anchor and the newlines); {@code stringIndexOf} the
 * search it replaced (StringAnchorSearch in oomlens-core's test sources: a Latin-1 String per view,
 * one indexOf pass per anchor, a separate newline count). Score: scans of the whole log per second;
 * times 16 MiB is bytes per second.
 *
 * {@snippet lang="shell" :
 * ./mvnw -B -q -pl oomlens-bench -am package -DskipTests
 * java -jar oomlens-bench/target/benchmarks.jar AnchorSearchBenchmark -f 1 -wi 3 -i 5
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
public class AnchorSearchBenchmark {
  private static final int VIEW_BYTES = 64 << 10;

  private byte[] log;
  private int[] viewEnds;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(17 << 20);
    new KernelLogGenerator(16L << 20, 1, "mixed", 1, 1.0).write(out);
    log = out.toByteArray();
    // Views end at a newline, as the scan's do.
    viewEnds = new int[log.length / VIEW_BYTES + 2];
    int n = 0;
    int start = 0;
    while (start < log.length) {
      int end = Math.min(log.length, start + VIEW_BYTES);
      if (end < log.length) {
        end = LineScanner.lastIndexOf(log, (byte) '\n', start, end) + 1;
      }
      viewEnds[n++] = end;
      start = end;
    }
    viewEnds = java.util.Arrays.copyOf(viewEnds, n);
  }

  @Benchmark
  public long onePass() {
    return scan(false);
  }

  /**
   * {@link #onePass} and then, on every line found, the test the scan workers now make before
   * handing a line on ({@link CandidateFilter}): what the filter costs the workers.
   */
  @Benchmark
  public long onePassFiltered() {
    return scan(true);
  }

  private long scan(boolean filter) {
    AnchorSearch search = new AnchorSearch();
    long found = 0;
    int viewStart = 0;
    for (int viewEnd : viewEnds) {
      int pos = viewStart;
      while (pos < viewEnd) {
        int lineStart = search.next(log, pos, viewEnd);
        found += search.newlines();
        if (lineStart < 0) {
          break;
        }
        int nl = LineScanner.indexOf(log, (byte) '\n', lineStart, viewEnd);
        if (!filter || CandidateFilter.mayMatter(log, lineStart, nl < 0 ? viewEnd : nl)) {
          found += lineStart;
        }
        if (nl < 0) {
          break;
        }
        pos = nl + 1;
      }
      viewStart = viewEnd;
    }
    return found;
  }

  @Benchmark
  public long stringIndexOf() {
    StringAnchorSearch search = new StringAnchorSearch();
    long found = 0;
    int viewStart = 0;
    for (int viewEnd : viewEnds) {
      search.view(log, viewStart, viewEnd);
      int pos = viewStart;
      while (pos < viewEnd) {
        int lineStart = search.next(pos);
        found += search.newlines();
        if (lineStart < 0) {
          break;
        }
        found += lineStart;
        int nl = LineScanner.indexOf(log, (byte) '\n', lineStart, viewEnd);
        if (nl < 0) {
          break;
        }
        pos = nl + 1;
      }
      viewStart = viewEnd;
    }
    return found;
  }
}
