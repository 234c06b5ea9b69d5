package dev.oomlens.agent;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One early warning as the history keeps it: raised once per episode, cleared when the condition
 * ends.
 *
 * @param cgroup the cgroup it is about; empty for the host (pressure, swap, low memory)
 * @param timeToLimitSeconds the forecast when the warning is a time-to-limit one
 * @param evidence the samples it was judged on, as text that cites their files
 */
public record WarningRecord(
    long id,
    String code,
    Optional<String> cgroup,
    Instant raisedAt,
    Optional<Instant> clearedAt,
    OptionalDouble timeToLimitSeconds,
    String summary,
    String evidence) {
  public WarningRecord {
    requireNonNull(code, "code");
    requireNonNull(cgroup, "cgroup");
    requireNonNull(raisedAt, "raisedAt");
    requireNonNull(clearedAt, "clearedAt");
    requireNonNull(timeToLimitSeconds, "timeToLimitSeconds");
    requireNonNull(summary, "summary");
    requireNonNull(evidence, "evidence");
  }
}
