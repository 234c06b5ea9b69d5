package dev.oomlens.core.diagnosis;

import dev.oomlens.core.model.HostMemory;
import dev.oomlens.core.model.MemcgState;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.OomScope;
import dev.oomlens.core.rules.MemcgLevel;
import dev.oomlens.core.rules.ReportFacts;
import dev.oomlens.core.rules.Sizes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/*
 * Two lengths of the same answer. words() is the ladder's "Where": the level whose limit was hit
 * and the cgroup, no numbers. account() is the sentence of a post-mortem: the same place with the
 * numbers the report printed (usage, limit, failcnt; free RAM and swap for a host). Both are made
 * here, once, so every renderer says the same thing.
 */

/** Where one OOM report says the memory ran out, in words. */
public final class Place {
  private Place() {}

  /** The short answer: {@code the pod limit: memory cgroup /kubepods/...}. */
  public static String words(OomReport r) {
    if (ReportFacts.isManual(r)) {
      return "no limit was hit: the OOM killer was invoked by hand (SysRq-f)";
    }
    Optional<OomScope> scope = r.scope();
    if (r.oomMemcg().isPresent() || scope.filter(s -> s == OomScope.MEMCG).isPresent()) {
      String cgroup = cgroup(r).orElse("(not named)");
      String level = MemcgLevel.of(r).map(MemcgLevel::words).orElse("cgroup");
      return "the " + level + " limit: memory cgroup " + cgroup;
    }
    if (scope.isEmpty()) {
      return "not shown by the report";
    }
    return switch (scope.get()) {
      case GLOBAL -> "the whole host: no cgroup limit, the machine ran out of memory";
      case CPUSET -> "a cpuset's memory nodes" + r.cpuset().map(c -> " (" + c + ")").orElse("");
      case MEMORY_POLICY -> "the memory nodes of a memory policy (mbind/set_mempolicy)";
      case MEMCG -> "a memory cgroup";
    };
  }

  /** The memory cgroup whose limit was hit, when the report names it. */
  public static Optional<String> cgroup(OomReport r) {
    return r.oomMemcg().or(() -> r.memcg().flatMap(MemcgState::statCgroup));
  }

  /** The long answer, with the numbers the report printed; names as they stand. */
  public static String account(OomReport r) {
    return account(r, UnaryOperator.identity());
  }

  /**
   * The long answer, with the numbers the report printed: {@code memory cgroup X hit its limit of
   * 500.0 MiB (usage 500.0 MiB, failcnt 37)}, {@code the whole machine ran out: free 4.1 MiB of
   * 511.5 MiB RAM, no swap}.
   *
   * @param name how a renderer quotes a name taken from the input (a cgroup, a cpuset)
   */
  public static String account(OomReport r, UnaryOperator<String> name) {
    Optional<OomScope> scope = r.scope();
    if (ReportFacts.isManual(r)) {
      return "no limit was hit: the OOM killer was invoked by hand (SysRq-f, order=-1), memory"
          + " was not necessarily short"
          + (scope.filter(s -> s == OomScope.MEMCG).isPresent()
              ? ""
              : "; the machine had " + hostTotals(r));
    }
    if (scope.isEmpty()) {
      return "the report does not show where the memory ran out";
    }
    return switch (scope.get()) {
      case MEMCG -> memcg(r, name);
      case GLOBAL -> "the whole machine ran out: " + hostTotals(r);
      case CPUSET ->
          "the allocation was confined to "
              + r.cpuset().map(c -> "cpuset " + name.apply(c)).orElse("its cpuset")
              + r.memsAllowed().map(m -> " (memory nodes " + m + ")").orElse("")
              + ", whose nodes ran out; the machine as a whole had "
              + hostTotals(r);
      case MEMORY_POLICY ->
          "the allocation was bound by a memory policy (mbind/set_mempolicy)"
              + " to nodes that ran out; the machine as a whole had "
              + hostTotals(r);
    };
  }

  private static String memcg(OomReport r, UnaryOperator<String> name) {
    String cgroup = cgroup(r).map(name).orElse("(not named)");
    if (r.memcg().isEmpty()) {
      return "memory cgroup " + cgroup + " hit its limit";
    }
    MemcgState m = r.memcg().get();
    String usage =
        "usage "
            + Sizes.bytes(m.usageBytes())
            + m.failcnt().stream().mapToObj(f -> ", failcnt " + f).findFirst().orElse("");
    if (m.memswLimitHit()) {
      return "memory cgroup "
          + cgroup
          + " hit its memory+swap limit of "
          + Sizes.bytes(m.memswLimitBytes().getAsLong())
          + " (memory+swap usage "
          + Sizes.bytes(m.memswUsageBytes().getAsLong())
          + m.memswFailcnt().stream().mapToObj(f -> ", failcnt " + f).findFirst().orElse("")
          + "; memory alone "
          + Sizes.bytes(m.usageBytes())
          + (MemcgState.isUnlimited(m.limitBytes()) ? "" : " of " + Sizes.bytes(m.limitBytes()))
          + ")";
    }
    if (MemcgState.isUnlimited(m.limitBytes())) {
      return "memory cgroup "
          + cgroup
          + " ran out, though its own memory limit is unlimited"
          + " (a parent's limit was hit, or the OOM was forced; "
          + usage
          + ")";
    }
    return "memory cgroup "
        + cgroup
        + " hit its limit of "
        + Sizes.bytes(m.limitBytes())
        + " ("
        + usage
        + ")";
  }

  /** Free RAM and swap from a host-wide report's Mem-Info block. */
  public static String hostTotals(OomReport r) {
    if (r.hostMemory().isEmpty()) {
      return "no memory counters in the report";
    }
    HostMemory h = r.hostMemory().get();
    List<String> parts = new ArrayList<>();
    Long free = h.counterBytes().get("free");
    if (free != null) {
      parts.add(
          "free "
              + Sizes.bytes(free)
              + h.ramBytes().stream()
                  .mapToObj(b -> " of " + Sizes.bytes(b) + " RAM")
                  .findFirst()
                  .orElse(""));
    } else {
      h.ramBytes().ifPresent(b -> parts.add(Sizes.bytes(b) + " RAM"));
    }
    if (h.totalSwapBytes().isPresent()) {
      long total = h.totalSwapBytes().getAsLong();
      parts.add(
          total == 0
              ? "no swap"
              : "swap free "
                  + h.freeSwapBytes().stream().mapToObj(Sizes::bytes).findFirst().orElse("?")
                  + " of "
                  + Sizes.bytes(total));
    }
    return parts.isEmpty() ? "no memory totals in the report" : String.join(", ", parts);
  }

  /** The scope as a short word for tables. */
  public static String scopeWord(OomReport r) {
    if (ReportFacts.isManual(r)) {
      return "manual (SysRq)";
    }
    return r.scope()
        .map(
            s ->
                switch (s) {
                  case MEMCG -> "memory cgroup";
                  case GLOBAL -> "host-wide";
                  case CPUSET -> "cpuset";
                  case MEMORY_POLICY -> "memory policy";
                })
        .orElse("unknown");
  }
}
