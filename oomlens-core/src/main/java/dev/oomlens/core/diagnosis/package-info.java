/**
 * The diagnosis pipeline: sources are read into evidence, the rule engine turns evidence into
 * findings, and {@link dev.oomlens.core.diagnosis.Diagnosis} holds what every renderer needs,
 * computed once: what is confirmed, where each incident ran out, its findings and fixes, their
 * rank.
 */
package dev.oomlens.core.diagnosis;
