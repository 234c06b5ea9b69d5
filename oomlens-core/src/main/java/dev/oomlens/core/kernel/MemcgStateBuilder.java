package dev.oomlens.core.kernel;

import dev.oomlens.core.model.KiB;
import dev.oomlens.core.model.MemcgState;
import dev.oomlens.core.model.SourceLine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Gathers the memory-cgroup section of one report into a {@link MemcgState}: the usage counters
 * (printed in kB, kept in bytes) and every {@code Memory cgroup stats for} block, one-line (v1,
 * {@code KB}) or multi-line ({@code key value}).
 */
final class MemcgStateBuilder {
  private MemcgBlockParser.Counter memory;
  private SourceLine memorySource;
  private MemcgBlockParser.Counter memsw;
  private SourceLine memswSource;
  private MemcgBlockParser.Counter swap;
  private SourceLine swapSource;
  private MemcgBlockParser.Counter kmem;
  private SourceLine kmemSource;
  private MemcgBlockParser.TaskIn taskIn;
  private SourceLine taskInSource;
  private final Map<String, Block> blocks = new LinkedHashMap<>();
  private Block openStats;

  /** One stats block as it is read: values and their lines, in printed order. */
  private record Block(
      String cgroup, SourceLine header, Map<String, Long> values, Map<String, SourceLine> lines) {}

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
          taskInSource = line;
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
          case "memory+swap" -> {
            if (memsw == null) {
              memsw = c;
              memswSource = line;
            }
          }
          case "swap" -> {
            if (swap == null) {
              swap = c;
              swapSource = line;
            }
          }
          case "kmem" -> {
            if (kmem == null) {
              kmem = c;
              kmemSource = line;
            }
          }
          default -> {
            // tcp and other counters some kernels add: part of the section, nothing to keep.
          }
        }
      }
      case MemcgBlockParser.Stats s -> {
        if (!blocks.containsKey(s.cgroup())) {
          Block block =
              new Block(s.cgroup(), line, new LinkedHashMap<>(s.stat()), new LinkedHashMap<>());
          s.stat().keySet().forEach(k -> block.lines().put(k, line));
          blocks.put(s.cgroup(), block);
          if (!s.inline()) {
            openStats = block;
          }
        }
      }
      case MemcgBlockParser.StatValue v -> {
        if (openStats.values().putIfAbsent(v.key(), v.value()) == null) {
          openStats.lines().put(v.key(), line);
        }
      }
    }
    return true;
  }

  Optional<MemcgBlockParser.TaskIn> taskIn() {
    return Optional.ofNullable(taskIn);
  }

  /** The {@code Task in ... killed as a result of limit of ...} line. */
  Optional<SourceLine> taskInLine() {
    return Optional.ofNullable(taskInSource);
  }

  /**
   * True when the section shows a memcg OOM: a {@code Task in} line or a {@code memory:} counter.
   */
  boolean showsMemcgOom() {
    return taskIn != null || memory != null;
  }

  Optional<String> statCgroup() {
    return blocks.isEmpty() ? Optional.empty() : Optional.of(blocks.keySet().iterator().next());
  }

  /** The first {@code Memory cgroup stats for} line. */
  Optional<SourceLine> statHeader() {
    return blocks.isEmpty()
        ? Optional.empty()
        : Optional.of(blocks.values().iterator().next().header());
  }

  /** The state, when the {@code memory: usage} line was read whole. */
  Optional<MemcgState> build() {
    if (memory == null || memory.usageKb().isEmpty() || memory.limitKb().isEmpty()) {
      return Optional.empty();
    }
    List<MemcgState.StatBlock> statBlocks = new ArrayList<>();
    blocks
        .values()
        .forEach(
            b ->
                statBlocks.add(
                    new MemcgState.StatBlock(b.cgroup(), b.values(), b.lines(), b.header())));
    return Optional.of(
        new MemcgState(
            KiB.toBytes(memory.usageKb().getAsLong()),
            KiB.toBytes(memory.limitKb().getAsLong()),
            memory.failcnt(),
            usage(swap),
            limit(swap),
            failcnt(swap),
            usage(memsw),
            limit(memsw),
            failcnt(memsw),
            usage(kmem),
            limit(kmem),
            failcnt(kmem),
            statBlocks,
            memorySource,
            Optional.ofNullable(swapSource),
            Optional.ofNullable(memswSource),
            Optional.ofNullable(kmemSource)));
  }

  private static OptionalLong usage(MemcgBlockParser.Counter c) {
    return c == null ? OptionalLong.empty() : bytes(c.usageKb());
  }

  private static OptionalLong limit(MemcgBlockParser.Counter c) {
    return c == null ? OptionalLong.empty() : bytes(c.limitKb());
  }

  private static OptionalLong bytes(OptionalLong kb) {
    return kb.isPresent() ? OptionalLong.of(KiB.toBytes(kb.getAsLong())) : OptionalLong.empty();
  }

  private static OptionalLong failcnt(MemcgBlockParser.Counter c) {
    return c == null ? OptionalLong.empty() : c.failcnt();
  }
}
