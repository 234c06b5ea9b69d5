/**
 * The live kernel ring buffer, {@code /dev/kmsg}, read from its oldest record up to the present
 * without blocking: {@link dev.oomlens.host.kmsg.KmsgReader}.
 */
package dev.oomlens.host.kmsg;
