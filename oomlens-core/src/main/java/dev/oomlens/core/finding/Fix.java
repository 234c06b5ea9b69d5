package dev.oomlens.core.finding;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * One change that would prevent the kill, at one layer.
 *
 * @param action what to do, in one sentence, with the arithmetic when there is some
 * @param snippet ready-to-paste text (Kubernetes YAML, JVM flags, a systemd drop-in, a NixOS
 *     option); empty when the action needs none
 */
public record Fix(Layer layer, String action, Optional<String> snippet) {
  public Fix {
    requireNonNull(layer, "layer");
    requireNonNull(action, "action");
    requireNonNull(snippet, "snippet");
  }
}
