package dev.oomlens.agent;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A kill by a userspace OOM killer, as the agent read it from the journal and stored it.
 *
 * @param cursor the journal's cursor of the entry: what makes it unique, and where a restart
 *     resumes after
 * @param bootId the boot the entry belongs to ({@code _BOOT_ID})
 * @param at when the killer logged it ({@code __REALTIME_TIMESTAMP}, to the millisecond)
 * @param killer who acted, as {@code KillerEvent.Killer}'s JSON name ({@code systemd-oomd})
 * @param action what the line says was done ({@code kill}, {@code terminate})
 * @param pid the victim's pid, when the killer names one
 * @param comm the victim's name, when named
 * @param unit the cgroup or unit acted on, when named (systemd-oomd kills whole cgroups)
 * @param rssBytes the victim's resident size, when the killer printed it
 * @param reason why, in the killer's words
 * @param line the entry as {@code journalctl -o short-iso-precise} prints it: what {@code oomlens
 *     history} reads back
 */
public record UserspaceKill(
    String cursor,
    String bootId,
    Instant at,
    String killer,
    String action,
    OptionalLong pid,
    Optional<String> comm,
    Optional<String> unit,
    OptionalLong rssBytes,
    Optional<String> reason,
    String line) {
  public UserspaceKill {
    requireNonNull(cursor, "cursor");
    requireNonNull(bootId, "bootId");
    requireNonNull(at, "at");
    requireNonNull(killer, "killer");
    requireNonNull(action, "action");
    requireNonNull(pid, "pid");
    requireNonNull(comm, "comm");
    requireNonNull(unit, "unit");
    requireNonNull(rssBytes, "rssBytes");
    requireNonNull(reason, "reason");
    requireNonNull(line, "line");
  }
}
