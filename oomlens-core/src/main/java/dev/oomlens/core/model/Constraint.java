package dev.oomlens.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/*
 * The kernel prints the constraint by name (mm/oom_kill.c: oom_constraint_text[] in
 * dump_oom_summary(), later dump_oom_victim()). Mainline has the four names of enum oom_constraint;
 * patched kernels print their own: the BPF OOM series (LKML, 2025, not merged) adds CONSTRAINT_BPF
 * and lets a BPF handler name the constraint itself ("CONSTRAINT_BPF_PSI_MEM" in its example). A
 * name this class does not know is kept as printed, and where the memory ran out is then read from
 * the report's shape (OomReport#scope).
 */

/**
 * The constraint of an OOM report as the kernel printed it ({@code oom-kill:constraint=<name>}):
 * which limit the failed allocation ran into. The four mainline names are constants; any other name
 * is kept as printed.
 *
 * @param name the kernel's word, e.g. {@code CONSTRAINT_MEMCG}
 */
public record Constraint(String name) {
  /** The whole machine (or VM) ran out: no cgroup, cpuset or memory policy confined it. */
  public static final Constraint CONSTRAINT_NONE = new Constraint("CONSTRAINT_NONE");

  /** The allocation was confined to the nodes of a cpuset. */
  public static final Constraint CONSTRAINT_CPUSET = new Constraint("CONSTRAINT_CPUSET");

  /** The allocation was confined by an mbind/set_mempolicy policy. */
  public static final Constraint CONSTRAINT_MEMORY_POLICY =
      new Constraint("CONSTRAINT_MEMORY_POLICY");

  /** A memory cgroup hit its limit. */
  public static final Constraint CONSTRAINT_MEMCG = new Constraint("CONSTRAINT_MEMCG");

  public Constraint {
    requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("empty constraint name");
    }
  }

  /** True for the four names of mainline's {@code enum oom_constraint}. */
  public boolean isKnown() {
    return scope().isPresent();
  }

  /** Where the memory ran out, for the four mainline names; empty for any other name. */
  public Optional<OomScope> scope() {
    return switch (name) {
      case "CONSTRAINT_NONE" -> Optional.of(OomScope.GLOBAL);
      case "CONSTRAINT_CPUSET" -> Optional.of(OomScope.CPUSET);
      case "CONSTRAINT_MEMORY_POLICY" -> Optional.of(OomScope.MEMORY_POLICY);
      case "CONSTRAINT_MEMCG" -> Optional.of(OomScope.MEMCG);
      default -> Optional.empty();
    };
  }

  // Written out rather than generated, as in dev.oomlens.core.finding.Fix: a record's equals is
  // bound at its first call by a bootstrap whose classes a JDK 25 AOT cache cannot store, and
  // doctor compares constraints at once.
  @Override
  public boolean equals(Object o) {
    return o instanceof Constraint c && name.equals(c.name);
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }

  @Override
  public String toString() {
    return name;
  }
}
