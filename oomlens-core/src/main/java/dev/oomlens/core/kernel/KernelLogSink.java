package dev.oomlens.core.kernel;

import dev.oomlens.core.model.AllocFailure;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.Problem;

/** Receives what a kernel log holds, each kind in input order, as soon as it is known. */
public interface KernelLogSink {
  void report(OomReport report);

  void allocFailure(AllocFailure failure);

  void problem(Problem problem);
}
