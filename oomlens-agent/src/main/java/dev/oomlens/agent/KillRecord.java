package dev.oomlens.agent;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One OOM kill as the agent records it: where in the kernel log it was read (boot and sequence
 * numbers), what was killed and where the memory ran out, the main finding of its diagnosis, the
 * kernel's records verbatim and what was read from the host right after.
 *
 * @param killSeq the sequence number of the kill line (or of the report's last record when nothing
 *     was killed): with the boot, what makes a kill the same kill when it is read again
 * @param at the kill's wall-clock time: the boot time plus the record's time since boot
 * @param cgroup the victim's cgroup: from the report, else (a ratelimited bare kill line) from
 *     {@code cgroupSource}
 * @param cgroupSource {@code report}, {@code /proc/PID/cgroup}, {@code earlier report of COMM} or
 *     {@code unknown}
 * @param code the code of the diagnosis's main finding; empty when no rule spoke
 * @param report the kernel's records the report was assembled from, as /dev/kmsg gave them
 * @param captured JSON of what was read from the host right after the kill
 */
public record KillRecord(
    String bootId,
    long firstSeq,
    long killSeq,
    long lastSeq,
    Instant at,
    OptionalLong victimPid,
    Optional<String> victimComm,
    OptionalLong victimRssBytes,
    Optional<String> cgroup,
    String cgroupSource,
    Optional<String> oomCgroup,
    Verdict verdict,
    Optional<String> podUid,
    Optional<String> containerId,
    Optional<String> unit,
    Optional<String> code,
    String summary,
    String report,
    String captured) {
  public KillRecord {
    requireNonNull(bootId, "bootId");
    requireNonNull(at, "at");
    requireNonNull(victimPid, "victimPid");
    requireNonNull(victimComm, "victimComm");
    requireNonNull(victimRssBytes, "victimRssBytes");
    requireNonNull(cgroup, "cgroup");
    requireNonNull(cgroupSource, "cgroupSource");
    requireNonNull(oomCgroup, "oomCgroup");
    requireNonNull(verdict, "verdict");
    requireNonNull(podUid, "podUid");
    requireNonNull(containerId, "containerId");
    requireNonNull(unit, "unit");
    requireNonNull(code, "code");
    requireNonNull(summary, "summary");
    requireNonNull(report, "report");
    requireNonNull(captured, "captured");
    if (firstSeq > killSeq || killSeq > lastSeq) {
      throw new IllegalArgumentException(
          "sequence numbers out of order: " + firstSeq + " " + killSeq + " " + lastSeq);
    }
  }
}
