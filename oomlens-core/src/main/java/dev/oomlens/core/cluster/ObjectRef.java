package dev.oomlens.core.cluster;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.model.ObjectField;
import java.util.Optional;

/**
 * A Kubernetes object by kind, namespace and name; a finding names the objects it is about with
 * these and cites their fields.
 *
 * @param namespace empty for cluster-scoped objects (Node, PersistentVolume, PriorityClass)
 */
public record ObjectRef(String kind, Optional<String> namespace, String name) {
  public ObjectRef {
    requireNonNull(kind, "kind");
    requireNonNull(namespace, "namespace");
    requireNonNull(name, "name");
  }

  /** A namespaced object; an empty {@code namespace} makes it cluster-scoped. */
  public static ObjectRef of(String kind, String namespace, String name) {
    return new ObjectRef(
        kind,
        namespace == null || namespace.isEmpty() ? Optional.empty() : Optional.of(namespace),
        name);
  }

  /** The field {@code path} of this object, holding {@code value} (empty: not set). */
  public ObjectField field(String path, Optional<String> value) {
    return new ObjectField(kind, namespace, name, path, value);
  }

  /** The field {@code path} of this object, holding {@code value}. */
  public ObjectField field(String path, String value) {
    return field(path, Optional.of(value));
  }

  /** {@code Kind ns/name}, as kubectl names it in messages. */
  public String describe() {
    return kind + " " + namespace.map(n -> n + "/").orElse("") + name;
  }

  @Override
  public String toString() {
    return describe();
  }
}
