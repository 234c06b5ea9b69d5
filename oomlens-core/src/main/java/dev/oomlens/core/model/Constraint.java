package dev.oomlens.core.model;

/** {@code enum oom_constraint} of mm/oom_kill.c: which limit the failed allocation ran into. */
public enum Constraint {
  CONSTRAINT_NONE,
  CONSTRAINT_CPUSET,
  CONSTRAINT_MEMORY_POLICY,
  CONSTRAINT_MEMCG
}
