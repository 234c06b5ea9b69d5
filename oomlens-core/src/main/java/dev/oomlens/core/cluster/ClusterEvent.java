package dev.oomlens.core.cluster;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * An event: the kubelet's {@code SystemOOM}, {@code Evicted}, {@code EvictionThresholdMet}, the
 * node problem detector's {@code OOMKilling}, a scheduler's {@code FailedScheduling}.
 *
 * @param ref the Event object itself
 * @param involved the object the event is about
 * @param count how many times it was seen; 1 when the API left it out
 * @param lastTimestamp the latest time it was seen, when given
 */
public record ClusterEvent(
    ObjectRef ref,
    ObjectRef involved,
    String reason,
    String message,
    Optional<String> type,
    int count,
    Optional<String> lastTimestamp) {
  public ClusterEvent {
    requireNonNull(ref, "ref");
    requireNonNull(involved, "involved");
    requireNonNull(reason, "reason");
    requireNonNull(message, "message");
    requireNonNull(type, "type");
    requireNonNull(lastTimestamp, "lastTimestamp");
  }
}
