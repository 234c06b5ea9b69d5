/**
 * Readers of logs: framing detection ({@link dev.oomlens.core.kernel.LineFramer}), OOM report
 * assembly ({@link dev.oomlens.core.kernel.ReportAssembler}), the userspace killers' records
 * ({@link dev.oomlens.core.kernel.KillerLogParser}) and the streaming front door that reads a log
 * once for all of them ({@link dev.oomlens.core.kernel.KernelLogReader}).
 *
 * <p>Nothing here throws on bad input: what cannot be read becomes a {@link
 * dev.oomlens.core.model.Problem} with its line, and reading goes on.
 */
package dev.oomlens.core.kernel;
