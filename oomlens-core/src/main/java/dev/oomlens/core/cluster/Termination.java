package dev.oomlens.core.cluster;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * How a container's run ended, from {@code state.terminated} or {@code lastState.terminated}.
 *
 * @param fieldPath where it stands: {@code status.containerStatuses[0].lastState.terminated}
 * @param reason {@code OOMKilled}, {@code Error}, {@code Completed}, ...
 * @param finishedAt as the API wrote it (RFC 3339)
 */
public record Termination(
    String fieldPath,
    Optional<String> reason,
    int exitCode,
    Optional<String> startedAt,
    Optional<String> finishedAt,
    Optional<String> message) {
  public Termination {
    requireNonNull(fieldPath, "fieldPath");
    requireNonNull(reason, "reason");
    requireNonNull(startedAt, "startedAt");
    requireNonNull(finishedAt, "finishedAt");
    requireNonNull(message, "message");
  }

  /** True when the kubelet says the kernel killed it for memory. */
  public boolean oomKilled() {
    return reason.filter("OOMKilled"::equals).isPresent();
  }
}
