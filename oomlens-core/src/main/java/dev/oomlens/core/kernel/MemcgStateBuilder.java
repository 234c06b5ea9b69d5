package dev.oomlens.core.kernel;

import dev.oomlens.core.model.MemcgState;
import dev.oomlens.core.model.SourceLine;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Gathers the memory-cgroup section of one report into a {@link MemcgState}: the usage counters and
 * every {@code Memory cgroup stats for} block, one-line (v1, {@code KB}) or multi-line ({@code key
 * value}).
 */
final class MemcgStateBuilder {
  private MemcgBlockParser.Counter memory;
  private SourceLine memorySource;
  private MemcgBlockParser.Counter memsw;
  private MemcgBlockParser.Counter swap;
  private MemcgBlockParser.Counter kmem;
  private MemcgBlockParser.TaskIn taskIn;
  private final Map<String, Map<String, Long>> statByCgroup = new LinkedHashMap<>();
  private String firstStatCgroup;
  private Map<String, Long> openStats;

  /** True while a multi-line stats block is being read. */
  boolean inStats() {
    return openStats != null;
  }

  /** Takes the line if it belongs to the section; false leaves it to others. */
  boolean accept(String message, SourceLine line) {
    Optional<MemcgBlockParser.Line> parsed = MemcgBlockParser.parse(message, openStats != null);
    if (parsed.isEmpty()) {
      openStats = null;
      return false;
    }
    MemcgBlockParser.Line l = parsed.get();
    if (!(l instanceof MemcgBlockParser.StatValue)) {
      openStats = null;
    }
    switch (l) {
      case MemcgBlockParser.TaskIn t -> {
        if (taskIn == null) {
          taskIn = t;
        }
      }
      case MemcgBlockParser.Counter c -> {
        switch (c.counter()) {
          case "memory" -> {
            if (memory == null) {
              memory = c;
              memorySource = line;
            }
          }
          case "memory+swap" -> memsw = memsw == null ? c : memsw;
          case "swap" -> swap = swap == null ? c : swap;
          case "kmem" -> kmem = kmem == null ? c : kmem;
          default -> {
            // tcp and other counters some kernels add: part of the section, nothing to keep.
          }
        }
      }
      case MemcgBlockParser.Stats s -> {
        Map<String, Long> stat = new LinkedHashMap<>(s.stat());
        if (!statByCgroup.containsKey(s.cgroup())) {
          statByCgroup.put(s.cgroup(), stat);
          if (firstStatCgroup == null) {
            firstStatCgroup = s.cgroup();
          }
          if (!s.inline()) {
            openStats = stat;
          }
        }
      }
      case MemcgBlockParser.StatValue v -> openStats.putIfAbsent(v.key(), v.value());
    }
    return true;
  }

  Optional<MemcgBlockParser.TaskIn> taskIn() {
    return Optional.ofNullable(taskIn);
  }

  /** True when the section shows a memcg OOM: a {@code Task in} line or a {@code memory:} counter. */
  boolean showsMemcgOom() {
    return taskIn != null || memory != null;
  }

  Optional<String> statCgroup() {
    return Optional.ofNullable(firstStatCgroup);
  }

  /** The state, when the {@code memory: usage} line was read whole. */
  Optional<MemcgState> build() {
    if (memory == null || memory.usageKb().isEmpty() || memory.limitKb().isEmpty()) {
      return Optional.empty();
    }
    Map<String, Long> first =
        firstStatCgroup == null ? Map.of() : statByCgroup.get(firstStatCgroup);
    Map<String, Map<String, Long>> all = new LinkedHashMap<>();
    statByCgroup.forEach((k, v) -> all.put(k, Map.copyOf(v)));
    return Optional.of(new MemcgState(
        memory.usageKb().getAsLong(),
        memory.limitKb().getAsLong(),
        memory.failcnt(),
        usage(swap), limit(swap), failcnt(swap),
        usage(memsw), limit(memsw), failcnt(memsw),
        usage(kmem), limit(kmem), failcnt(kmem),
        Optional.ofNullable(firstStatCgroup),
        first,
        all,
        memorySource));
  }

  private static OptionalLong usage(MemcgBlockParser.Counter c) {
    return c == null ? OptionalLong.empty() : c.usageKb();
  }

  private static OptionalLong limit(MemcgBlockParser.Counter c) {
    return c == null ? OptionalLong.empty() : c.limitKb();
  }

  private static OptionalLong failcnt(MemcgBlockParser.Counter c) {
    return c == null ? OptionalLong.empty() : c.failcnt();
  }
}
