/**
 * Sources: where evidence is read from (saved kernel logs, standard input), each read into an
 * {@link dev.oomlens.core.rules.EvidenceSet.Builder} with what became of it recorded as an {@link
 * dev.oomlens.core.model.Input}. The host module adds the live sources of a machine.
 */
package dev.oomlens.core.source;
