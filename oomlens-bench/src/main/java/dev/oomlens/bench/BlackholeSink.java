package dev.oomlens.bench;

import dev.oomlens.core.kernel.KernelLogSink;
import dev.oomlens.core.model.AllocFailure;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.Problem;
import org.openjdk.jmh.infra.Blackhole;

/** A sink that hands every event to JMH's blackhole, so no read's work is optimised away. */
public class BlackholeSink implements KernelLogSink {
  private final Blackhole bh;

  public BlackholeSink(Blackhole bh) {
    this.bh = bh;
  }

  @Override
  public void report(OomReport report) {
    bh.consume(report);
  }

  @Override
  public void allocFailure(AllocFailure failure) {
    bh.consume(failure);
  }

  @Override
  public void problem(Problem problem) {
    bh.consume(problem);
  }
}
