package dev.oomlens.core.model;

import static java.util.Objects.requireNonNull;

import java.util.OptionalLong;

/**
 * One row of the task table ({@code dump_tasks}). Memory columns are in pages, as the kernel prints
 * them, except {@code pgtablesBytes}.
 *
 * @param rssAnonPages 6.8+ kernels only, likewise {@code rssFilePages} and {@code rssShmemPages}
 * @param pgtablesBytes 4.14+ kernels; older ones print {@code nrPtesPages} (and 4.0-4.13 {@code nrPmdsPages})
 */
public record TaskRow(
    long pid,
    OptionalLong uid,
    OptionalLong tgid,
    long totalVmPages,
    long rssPages,
    OptionalLong rssAnonPages,
    OptionalLong rssFilePages,
    OptionalLong rssShmemPages,
    OptionalLong pgtablesBytes,
    OptionalLong nrPtesPages,
    OptionalLong nrPmdsPages,
    OptionalLong swapents,
    int oomScoreAdj,
    String comm,
    SourceLine source) {
  public TaskRow {
    requireNonNull(uid, "uid");
    requireNonNull(tgid, "tgid");
    requireNonNull(rssAnonPages, "rssAnonPages");
    requireNonNull(rssFilePages, "rssFilePages");
    requireNonNull(rssShmemPages, "rssShmemPages");
    requireNonNull(pgtablesBytes, "pgtablesBytes");
    requireNonNull(nrPtesPages, "nrPtesPages");
    requireNonNull(nrPmdsPages, "nrPmdsPages");
    requireNonNull(swapents, "swapents");
    requireNonNull(comm, "comm");
    requireNonNull(source, "source");
  }
}
