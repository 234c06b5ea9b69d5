package dev.oomlens.core.finding;

import static java.util.Objects.requireNonNull;

import java.util.Objects;
import java.util.Optional;

/**
 * One change that would prevent the kill, at one layer.
 *
 * @param action what to do, in one sentence, with the arithmetic when there is some
 * @param snippet ready-to-paste text (Kubernetes YAML, JVM flags, a systemd drop-in, a NixOS
 *     option); empty when the action needs none
 * @param limit the limit the fix sets, when it sets one
 */
public record Fix(
    Layer layer, String action, Optional<String> snippet, Optional<LimitChange> limit) {
  public Fix {
    requireNonNull(layer, "layer");
    requireNonNull(action, "action");
    requireNonNull(snippet, "snippet");
    requireNonNull(limit, "limit");
  }

  /** A fix that sets no limit. */
  public Fix(Layer layer, String action, Optional<String> snippet) {
    this(layer, action, snippet, Optional.empty());
  }

  // Written out rather than generated: a record's equals and hashCode are bound at their first
  // call by ObjectMethods' bootstrap, which spins method-handle classes a JDK 25 AOT cache cannot
  // store; a small diagnosis hashes fixes once each (deduplicating them), and that bootstrap was
  // about a tenth of its CPU time (docs/benchmarks.md, "Start-up").
  @Override
  public boolean equals(Object o) {
    return o instanceof Fix f
        && layer == f.layer
        && action.equals(f.action)
        && snippet.equals(f.snippet)
        && limit.equals(f.limit);
  }

  @Override
  public int hashCode() {
    return Objects.hash(layer, action, snippet, limit);
  }
}
