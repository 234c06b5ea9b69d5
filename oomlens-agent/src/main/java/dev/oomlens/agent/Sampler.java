package dev.oomlens.agent;

import dev.oomlens.core.host.KeyedValues;
import dev.oomlens.core.host.PressureStall;
import dev.oomlens.core.host.parse.CgroupV1MemoryParser;
import dev.oomlens.core.host.parse.CgroupV2MemoryParser;
import dev.oomlens.core.host.parse.MeminfoParser;
import dev.oomlens.core.host.parse.ParseException;
import dev.oomlens.core.host.parse.PressureParser;
import dev.oomlens.host.paths.HostPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/*
 * One sample is a few small files per limited cgroup and four host files: node_exporter-sized
 * work, done with the core's parsers (one parser per kernel file). Cgroups are found by walking
 * the hierarchy each time, so they appear and vanish with their workloads without any
 * bookkeeping that could leak; one that vanishes between listing and reading (a container that
 * just exited) is left out of this sample without a word, since that is not a failure. A file
 * that exists but does not parse is: the source is marked down for that sample.
 */

/** Reads PSI, meminfo, swap, watermarks and every limited memory cgroup, v1 and v2. */
final class Sampler {
  static final int MAX_DEPTH = 8;
  static final int MAX_CGROUPS = 2000;

  /**
   * One limited cgroup in one sample. {@code high}, {@code highEvents} and {@code psi} (its
   * memory.pressure) are v2 only.
   */
  record CgroupSample(
      String path,
      String usageFile,
      long usageBytes,
      long limitBytes,
      OptionalLong highBytes,
      OptionalLong highEvents,
      Optional<PressureStall> psi) {
    CgroupSample(
        String path,
        String usageFile,
        long usageBytes,
        long limitBytes,
        OptionalLong highBytes,
        OptionalLong highEvents) {
      this(path, usageFile, usageBytes, limitBytes, highBytes, highEvents, Optional.empty());
    }
  }

  /**
   * One sample. {@code psi} and {@code meminfo} are empty when the host does not have them (no PSI)
   * or they could not be read; {@code highWatermarkBytes} is the sum of the zones' high watermarks
   * from /proc/zoneinfo.
   */
  record Sample(
      Instant at,
      Optional<PressureStall> psi,
      Optional<KeyedValues> meminfo,
      OptionalLong highWatermarkBytes,
      List<CgroupSample> cgroups) {}

  private final HostPaths paths;
  private final Metrics metrics;
  private long someTotalMicros = -1;
  private long fullTotalMicros = -1;

  Sampler(HostPaths paths, Metrics metrics) {
    this.paths = paths;
    this.metrics = metrics;
  }

  Sample sample(Instant at) {
    Optional<PressureStall> psi =
        timed(
            "psi",
            () -> {
              Path f = paths.proc().resolve("pressure/memory");
              return Files.exists(f)
                  ? Optional.of(PressureParser.parse(read(f), f.toString()))
                  : Optional.<PressureStall>empty();
            });
    Optional<KeyedValues> meminfo =
        timed(
            "meminfo",
            () -> {
              Path f = paths.proc().resolve("meminfo");
              return Optional.of(MeminfoParser.parse(read(f), f.toString()));
            });
    Optional<Long> watermarks =
        timed(
            "zoneinfo",
            () -> {
              Path f = paths.proc().resolve("zoneinfo");
              return Files.exists(f)
                  ? Optional.of(highWatermarkPages(read(f)) * 4096L)
                  : Optional.<Long>empty();
            });
    List<CgroupSample> cgroups = new ArrayList<>();
    long start = System.nanoTime();
    boolean up = true;
    try {
      Path root = paths.sys().resolve("fs/cgroup");
      Path v1 = root.resolve("memory");
      if (Files.isRegularFile(v1.resolve("memory.limit_in_bytes"))) {
        walk(v1, v1, 0, cgroups, false);
      } else if (Files.isRegularFile(root.resolve("cgroup.controllers"))) {
        walk(root, root, 0, cgroups, true);
      }
    } catch (IOException | ParseException e) {
      up = false;
    }
    metrics.source("cgroups", up, System.nanoTime() - start);
    metrics.cgroups.set(cgroups.size());
    psi.ifPresent(
        p -> {
          someTotalMicros = stalled("some", someTotalMicros, p.some().totalMicros());
          p.full()
              .ifPresent(f -> fullTotalMicros = stalled("full", fullTotalMicros, f.totalMicros()));
          metrics.pressure.labelValues("some", "avg10").set(p.some().avg10() / 100);
          metrics.pressure.labelValues("some", "avg60").set(p.some().avg60() / 100);
          p.full()
              .ifPresent(
                  f -> {
                    metrics.pressure.labelValues("full", "avg10").set(f.avg10() / 100);
                    metrics.pressure.labelValues("full", "avg60").set(f.avg60() / 100);
                  });
        });
    return new Sample(
        at,
        psi,
        meminfo,
        watermarks.map(OptionalLong::of).orElse(OptionalLong.empty()),
        List.copyOf(cgroups));
  }

  /** Adds what PSI's total grew since the last sample to the counter; returns the new total. */
  private long stalled(String kind, long before, long total) {
    // The first sample starts the counter at the total since boot, as node_exporter's does.
    long delta = before < 0 ? total : total - before;
    if (delta > 0) {
      metrics.pressureStalled.labelValues(kind).inc(delta / 1e6);
    }
    return total;
  }

  @FunctionalInterface
  private interface Read<T> {
    Optional<T> read() throws IOException, ParseException;
  }

  private <T> Optional<T> timed(String source, Read<T> read) {
    long start = System.nanoTime();
    try {
      Optional<T> v = read.read();
      metrics.source(source, true, System.nanoTime() - start);
      return v;
    } catch (IOException | ParseException | RuntimeException e) {
      metrics.source(source, false, System.nanoTime() - start);
      return Optional.empty();
    }
  }

  private void walk(Path root, Path dir, int depth, List<CgroupSample> out, boolean v2)
      throws IOException, ParseException {
    if (out.size() >= MAX_CGROUPS) {
      return;
    }
    if (dir != root) {
      sampleOne(root, dir, v2).ifPresent(out::add);
    }
    if (depth >= MAX_DEPTH) {
      return;
    }
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, Files::isDirectory)) {
      entries.forEach(children::add);
    } catch (NoSuchFileException e) {
      return; // removed while being walked
    }
    for (Path child : children) {
      walk(root, child, depth + 1, out, v2);
    }
  }

  private Optional<CgroupSample> sampleOne(Path root, Path dir, boolean v2)
      throws ParseException, IOException {
    String cgroup = "/" + root.relativize(dir);
    try {
      if (v2) {
        Path max = dir.resolve("memory.max");
        if (!Files.exists(max)) {
          return Optional.empty();
        }
        OptionalLong limit = CgroupV2MemoryParser.parseLimit(read(max), max.toString());
        OptionalLong high =
            Files.exists(dir.resolve("memory.high"))
                ? CgroupV2MemoryParser.parseLimit(
                    read(dir.resolve("memory.high")), dir.resolve("memory.high").toString())
                : OptionalLong.empty();
        if (limit.isEmpty() && high.isEmpty()) {
          return Optional.empty();
        }
        Path current = dir.resolve("memory.current");
        long usage = CgroupV2MemoryParser.parseBytes(read(current), current.toString()).getAsLong();
        Path events = dir.resolve("memory.events");
        OptionalLong highEvents =
            Files.exists(events)
                ? CgroupV2MemoryParser.parseEvents(read(events), events.toString()).get("high")
                : OptionalLong.empty();
        Path pressure = dir.resolve("memory.pressure");
        Optional<PressureStall> psi =
            Files.exists(pressure)
                ? Optional.of(PressureParser.parse(read(pressure), pressure.toString()))
                : Optional.empty();
        return Optional.of(
            new CgroupSample(
                cgroup,
                current.toString(),
                usage,
                limit.orElse(Long.MAX_VALUE),
                high,
                highEvents,
                psi));
      }
      Path limitFile = dir.resolve("memory.limit_in_bytes");
      OptionalLong limit = CgroupV1MemoryParser.parseLimit(read(limitFile), limitFile.toString());
      if (limit.isEmpty()) {
        return Optional.empty();
      }
      Path usageFile = dir.resolve("memory.usage_in_bytes");
      long usage =
          CgroupV1MemoryParser.parseNumber(read(usageFile), usageFile.toString()).getAsLong();
      return Optional.of(
          new CgroupSample(
              cgroup,
              usageFile.toString(),
              usage,
              limit.getAsLong(),
              OptionalLong.empty(),
              OptionalLong.empty()));
    } catch (NoSuchFileException e) {
      return Optional.empty(); // the cgroup went away between listing and reading
    } catch (IOException e) {
      if (!Files.isDirectory(dir)) {
        return Optional.empty(); // removed: reads of a dying cgroup fail with ENODEV
      }
      throw e;
    }
  }

  /** The sum of every zone's {@code high} watermark in /proc/zoneinfo, in pages. */
  static long highWatermarkPages(String zoneinfo) {
    long sum = 0;
    for (String line : zoneinfo.split("\n")) {
      String s = line.strip();
      if (s.startsWith("high ")) {
        try {
          sum += Long.parseLong(s.substring(5).strip());
        } catch (NumberFormatException e) {
          // a line of another shape: not a watermark
        }
      }
    }
    return sum;
  }

  private static String read(Path f) throws IOException {
    return Files.readString(f, StandardCharsets.UTF_8);
  }
}
