/**
 * Live readers of this machine: the kernel log ({@code /dev/kmsg}, the systemd journal), and the
 * files of /proc and the cgroup hierarchies.
 *
 * <p>A live kernel log is handed over as a {@link dev.oomlens.host.LiveLog}: a name, a byte stream
 * the core's kernel-log reader consumes like a file, and the problems met while reading. Opening
 * one never throws: a source that cannot be read yields an empty stream and a problem saying why
 * and what to do instead.
 */
package dev.oomlens.host;
