package dev.oomlens.core.model;

import static java.util.Objects.requireNonNull;

import java.util.OptionalLong;

/**
 * One row of the task table ({@code dump_tasks}). Sizes in bytes: the kernel prints the memory
 * columns in pages (except {@code pgtables_bytes}), converted with the report's page size.
 *
 * @param rssAnonBytes 6.8+ kernels only, likewise {@code rssFileBytes} and {@code rssShmemBytes}
 * @param pgtablesBytes 4.14+ kernels; older ones print {@code nr_ptes} ({@code nrPtesBytes}: the
 *     page-table pages) and 4.0-4.13 also {@code nr_pmds} ({@code nrPmdsBytes})
 * @param swapBytes {@code swapents}: the task's pages out in swap
 */
public record TaskRow(
    long pid,
    OptionalLong uid,
    OptionalLong tgid,
    long totalVmBytes,
    long rssBytes,
    OptionalLong rssAnonBytes,
    OptionalLong rssFileBytes,
    OptionalLong rssShmemBytes,
    OptionalLong pgtablesBytes,
    OptionalLong nrPtesBytes,
    OptionalLong nrPmdsBytes,
    OptionalLong swapBytes,
    int oomScoreAdj,
    String comm,
    SourceLine source) {
  public TaskRow {
    requireNonNull(uid, "uid");
    requireNonNull(tgid, "tgid");
    requireNonNull(rssAnonBytes, "rssAnonBytes");
    requireNonNull(rssFileBytes, "rssFileBytes");
    requireNonNull(rssShmemBytes, "rssShmemBytes");
    requireNonNull(pgtablesBytes, "pgtablesBytes");
    requireNonNull(nrPtesBytes, "nrPtesBytes");
    requireNonNull(nrPmdsBytes, "nrPmdsBytes");
    requireNonNull(swapBytes, "swapBytes");
    requireNonNull(comm, "comm");
    requireNonNull(source, "source");
  }
}
