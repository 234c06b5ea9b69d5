/**
 * Evidence: immutable records of what the kernel and the machine wrote down, each fact carrying the
 * {@link dev.oomlens.core.model.SourceLine} it was read from so a finding can quote it.
 *
 * <p>Sizes carry their unit in the name ({@code Kb}, {@code Pages}, {@code Bytes}); a field the
 * source did not print is empty ({@code OptionalLong}, {@code Optional}), never zero.
 */
package dev.oomlens.core.model;
