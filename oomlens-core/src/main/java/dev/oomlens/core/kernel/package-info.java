/**
 * Readers of kernel logs: framing detection ({@link dev.oomlens.core.kernel.LineFramer}), report
 * assembly ({@link dev.oomlens.core.kernel.ReportAssembler}), cgroup path decoding
 * ({@link dev.oomlens.core.kernel.CgroupPaths}) and the streaming front door
 * ({@link dev.oomlens.core.kernel.KernelLogReader}).
 *
 * <p>Nothing here throws on bad input: what cannot be read becomes a
 * {@link dev.oomlens.core.model.Problem} with its line, and reading goes on.
 */
package dev.oomlens.core.kernel;
