/**
 * The kernel messages of the systemd journal for the current boot, read through {@code journalctl}:
 * {@link dev.oomlens.host.journal.JournalReader}.
 */
package dev.oomlens.host.journal;
