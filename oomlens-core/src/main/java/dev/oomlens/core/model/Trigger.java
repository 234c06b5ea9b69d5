package dev.oomlens.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The task whose allocation invoked the OOM killer: {@code X invoked oom-killer: gfp_mask=...,
 * order=N, oom_score_adj=N}, with its pid from the {@code CPU: n PID: n Comm: x} header.
 *
 * @param order the allocation order; -1 means a manual OOM (SysRq-f), not a real shortage
 * @param oomScoreAdj empty on kernels that did not print it
 */
public record Trigger(
    String comm,
    OptionalLong pid,
    Optional<String> gfpMask,
    OptionalInt order,
    OptionalInt oomScoreAdj,
    SourceLine source) {
  public Trigger {
    comm = Names.of(comm);
    requireNonNull(pid, "pid");
    gfpMask = Names.constant(gfpMask);
    requireNonNull(order, "order");
    requireNonNull(oomScoreAdj, "oomScoreAdj");
    requireNonNull(source, "source");
  }
}
