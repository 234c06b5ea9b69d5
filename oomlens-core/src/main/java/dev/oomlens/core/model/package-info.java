/**
 * Evidence: immutable records of what the kernel and the machine wrote down, each fact carrying the
 * {@link dev.oomlens.core.model.SourceLine} it was read from so a finding can quote it.
 *
 * <p>Sizes are in bytes, converted once by the readers, with the unit in the name ({@code Bytes});
 * counts are counts ({@code failcnt}, huge page counts, stat event counters). A field the source
 * did not print is empty ({@code OptionalLong}, {@code Optional}), never zero.
 */
package dev.oomlens.core.model;
