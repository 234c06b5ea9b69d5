/**
 * The live sources of a machine as evidence sources: its kernel log (/dev/kmsg, else the journal),
 * the journal's records of userspace OOM killers, its /proc and /sys.
 */
package dev.oomlens.host.source;
