package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.model.LogTime;
import dev.oomlens.core.model.MemcgState;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.OomScope;
import dev.oomlens.core.rules.Derived;
import dev.oomlens.core.rules.EvidenceSet;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/*
 * One workload's kills across the whole input: the same oom_memcg on the same host for memcg
 * OOMs, the same victim comm on the same host otherwise. Kills less than a minute apart are one
 * burst of the same shortage (the kernel killing one task after another, as in a pod-level OOM
 * that takes the idle container first): only the last of a burst counts as a separate kill.
 *
 * The size at each kill: for a memcg, its anonymous memory (stat anon/rss, else the victim's
 * anon-rss) and its limit; for a host, the victim's anon-rss.
 */

/** The kills of one workload in input order, bursts collapsed, with its size at each. */
final class KillSeries {
  static final double BURST_SECONDS = 60;

  /** One kill of the series. */
  record Kill(OomReport report, OptionalDouble seconds, long anonBytes, OptionalLong limitBytes) {}

  private final String workload;
  private final boolean memcg;
  private final List<Kill> kills;

  private KillSeries(String workload, boolean memcg, List<Kill> kills) {
    this.workload = workload;
    this.memcg = memcg;
    this.kills = List.copyOf(kills);
  }

  private static final Derived<List<KillSeries>> ALL = Derived.of(e -> of(e.reports()));

  /** Every workload's series over all of {@code evidence}'s reports, computed once per set. */
  static List<KillSeries> of(EvidenceSet evidence) {
    return ALL.get(evidence);
  }

  /** Every workload's series, in the order each was first seen. */
  static List<KillSeries> of(List<OomReport> reports) {
    Map<String, List<OomReport>> groups = new LinkedHashMap<>();
    for (OomReport r : Episodes.shortages(reports)) {
      String key = key(r);
      if (key != null) {
        groups.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
      }
    }
    List<KillSeries> out = new ArrayList<>();
    for (Map.Entry<String, List<OomReport>> g : groups.entrySet()) {
      List<OomReport> rs = g.getValue();
      boolean memcg = rs.get(0).scope().orElse(null) == OomScope.MEMCG;
      boolean wallclock = rs.stream().allMatch(r -> r.time().wallclock().isPresent());
      List<Kill> kills = new ArrayList<>();
      for (OomReport r : rs) {
        Kill k = new Kill(r, seconds(r.time(), wallclock), anon(r, memcg), limit(r));
        if (!kills.isEmpty()) {
          Kill prev = kills.get(kills.size() - 1);
          if (k.seconds().isPresent()
              && prev.seconds().isPresent()
              && k.seconds().getAsDouble() - prev.seconds().getAsDouble() < BURST_SECONDS
              && k.seconds().getAsDouble() >= prev.seconds().getAsDouble()) {
            kills.set(kills.size() - 1, k);
            continue;
          }
        }
        kills.add(k);
      }
      String name =
          memcg
              ? rs.get(0).oomMemcg().orElse("?")
              : rs.get(0).victim().map(v -> v.comm()).orElse("?");
      out.add(new KillSeries(name, memcg, kills));
    }
    return List.copyOf(out);
  }

  private static String key(OomReport r) {
    String host = r.host().orElse("");
    if (r.scope().orElse(null) == OomScope.MEMCG && r.oomMemcg().isPresent()) {
      return "memcg|" + host + "|" + r.oomMemcg().get();
    }
    if (r.victim().isPresent() && r.scope().isPresent()) {
      return r.scope().get() + "|" + host + "|" + r.victim().get().comm();
    }
    return null;
  }

  private static long anon(OomReport r, boolean memcg) {
    if (memcg) {
      OptionalLong a =
          ChargeBreakdown.of(r).map(ChargeBreakdown::anonBytes).orElse(OptionalLong.empty());
      if (a.isPresent()) {
        return a.getAsLong();
      }
    }
    return r.victim().map(v -> v.anonRssBytes().orElse(0)).orElse(0L);
  }

  private static OptionalLong limit(OomReport r) {
    if (r.memcg().isEmpty() || MemcgState.isUnlimited(r.memcg().get().limitBytes())) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(r.memcg().get().limitBytes());
  }

  /** Seconds on one clock: wall-clock when every report has it, else the kernel's monotonic. */
  private static OptionalDouble seconds(LogTime t, boolean wallclock) {
    if (wallclock && t.wallclock().isPresent()) {
      String w = t.wallclock().get();
      try {
        return OptionalDouble.of(
            LocalDateTime.parse(w.length() > 19 ? w.substring(0, 19) : w)
                .toEpochSecond(ZoneOffset.UTC));
      } catch (DateTimeParseException e) {
        return OptionalDouble.empty();
      }
    }
    return t.monotonicSeconds();
  }

  String workload() {
    return workload;
  }

  boolean memcg() {
    return memcg;
  }

  List<Kill> kills() {
    return kills;
  }

  /** True when every kill carries a time, so intervals can be told. */
  boolean timed() {
    return kills.stream().allMatch(k -> k.seconds().isPresent());
  }

  /** The first kill after which the limit was higher, or -1: the limit was raised and hit again. */
  int limitRaisedAt() {
    for (int i = 1; i < kills.size(); i++) {
      OptionalLong a = kills.get(i - 1).limitBytes();
      OptionalLong b = kills.get(i).limitBytes();
      if (a.isPresent() && b.isPresent() && b.getAsLong() * 100 >= a.getAsLong() * 105) {
        return i;
      }
    }
    return -1;
  }

  /** True when the size rose at every kill, by 10% or more overall, over 3 kills or more. */
  boolean risingEveryTime() {
    if (kills.size() < 3) {
      return false;
    }
    for (int i = 1; i < kills.size(); i++) {
      if (kills.get(i).anonBytes() <= kills.get(i - 1).anonBytes()) {
        return false;
      }
    }
    return kills.get(kills.size() - 1).anonBytes() * 10 >= kills.get(0).anonBytes() * 11;
  }

  /** The growth evidence LEAK acts on. */
  boolean showsGrowth() {
    return limitRaisedAt() > 0 || risingEveryTime();
  }
}
