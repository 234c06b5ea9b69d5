/**
 * The systemd journal of the current boot, read through {@code journalctl}: the kernel's messages
 * ({@link dev.oomlens.host.journal.JournalReader}) and the records of the userspace OOM killers,
 * the kubelet and the service managers ({@link dev.oomlens.host.journal.KillerJournalReader}).
 */
package dev.oomlens.host.journal;
