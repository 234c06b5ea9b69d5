/**
 * Findings: what an analyzer concluded from the evidence, with the lines it relied on and the
 * change to make at each layer. Codes are stable; users script on them.
 */
package dev.oomlens.core.finding;
