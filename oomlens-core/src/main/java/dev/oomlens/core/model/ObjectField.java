package dev.oomlens.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * A field of an object a finding relied on: a Kubernetes object's field ({@code Pod default/web
 * spec.containers[0].resources.limits.memory}), or a field of another structured record.
 *
 * @param kind the object's kind ({@code Pod}, {@code Node})
 * @param namespace empty for cluster-scoped objects
 * @param fieldPath dotted path with indexes, as {@code kubectl explain} names fields
 * @param value the field's value as the object held it; empty when the field is absent (and its
 *     absence is the fact)
 */
public record ObjectField(
    String kind, Optional<String> namespace, String name, String fieldPath, Optional<String> value)
    implements Citation {
  public ObjectField {
    requireNonNull(kind, "kind");
    requireNonNull(namespace, "namespace");
    requireNonNull(name, "name");
    requireNonNull(fieldPath, "fieldPath");
    requireNonNull(value, "value");
  }

  @Override
  public String describe() {
    return kind
        + " "
        + namespace.map(n -> n + "/").orElse("")
        + name
        + " "
        + fieldPath
        + ": "
        + value.orElse("(not set)");
  }

  @Override
  public String toString() {
    return describe();
  }
}
