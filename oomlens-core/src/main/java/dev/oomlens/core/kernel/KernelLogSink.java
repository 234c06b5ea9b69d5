package dev.oomlens.core.kernel;

import dev.oomlens.core.host.KillerEvent;
import dev.oomlens.core.model.AllocFailure;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.Problem;

/** Receives what a kernel log holds, each kind in input order, as soon as it is known. */
public interface KernelLogSink {
  void report(OomReport report);

  void allocFailure(AllocFailure failure);

  void problem(Problem problem);

  /**
   * A userspace killer's record (systemd-oomd, earlyoom, nohang, a kubelet eviction, a systemd unit
   * killed by a signal or the OOM killer) read from the same log. Sinks that show only the kernel's
   * reports ignore it.
   */
  default void killerEvent(KillerEvent event) {}
}
