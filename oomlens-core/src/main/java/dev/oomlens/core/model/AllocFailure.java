package dev.oomlens.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * A {@code warn_alloc()} report: {@code <comm>: page allocation failure: order:N, mode:0x...}. Not
 * an OOM kill: nothing was killed, an allocation (often a high-order or atomic one) failed.
 *
 * @param kind the words before {@code failure}, e.g. {@code page allocation} or {@code vmemmap
 *     alloc}
 * @param pageSizeBytes the page size the {@code show_mem} block's page counts were converted with:
 *     the zones' present memory against {@code N pages RAM}, else 4096
 */
public record AllocFailure(
    SourceRange source,
    Optional<String> host,
    LogTime time,
    String comm,
    OptionalLong pid,
    int order,
    Optional<String> gfpMask,
    String kind,
    Optional<HostMemory> hostMemory,
    SourceLine line,
    long pageSizeBytes) {
  public AllocFailure {
    requireNonNull(source, "source");
    requireNonNull(host, "host");
    requireNonNull(time, "time");
    requireNonNull(comm, "comm");
    requireNonNull(pid, "pid");
    requireNonNull(gfpMask, "gfpMask");
    requireNonNull(kind, "kind");
    requireNonNull(hostMemory, "hostMemory");
    requireNonNull(line, "line");
    if (pageSizeBytes <= 0) {
      throw new IllegalArgumentException("pageSizeBytes=" + pageSizeBytes);
    }
  }
}
