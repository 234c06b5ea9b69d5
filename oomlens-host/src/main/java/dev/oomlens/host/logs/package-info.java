/**
 * Where the kernel log and the userspace killers' records of a host root are, when that root is not
 * this machine's ({@code --path.rootfs}: a host mounted elsewhere, or a saved snapshot), and saved
 * log files handed over like live ones.
 */
package dev.oomlens.host.logs;
