package dev.oomlens.host.snapshot;

import dev.oomlens.core.host.CgroupMemory;
import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.core.host.KeyedValues;
import dev.oomlens.core.host.PressureStall;
import dev.oomlens.core.host.SwapDevice;
import dev.oomlens.core.host.ZramDevice;
import dev.oomlens.core.host.parse.CgroupFiles;
import dev.oomlens.core.host.parse.CgroupV1MemoryParser;
import dev.oomlens.core.host.parse.CgroupV2MemoryParser;
import dev.oomlens.core.host.parse.MeminfoParser;
import dev.oomlens.core.host.parse.ParseException;
import dev.oomlens.core.host.parse.PressureParser;
import dev.oomlens.core.host.parse.SwapsParser;
import dev.oomlens.core.host.parse.VmstatParser;
import dev.oomlens.core.host.parse.ZramParser;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.host.paths.HostPaths;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/*
 * Which cgroup hierarchy holds the memory controller: cgroup v2 when the root's
 * cgroup.controllers lists "memory" (the unified layout systemd mounts at /sys/fs/cgroup); cgroup
 * v1 when /sys/fs/cgroup/memory is a hierarchy of its own (legacy and hybrid layouts; in the
 * hybrid one /sys/fs/cgroup/unified is v2 without controllers); last, a v2 hierarchy at
 * /sys/fs/cgroup/unified that was given the memory controller. Only one is read: the memory
 * controller can be attached to one hierarchy at a time.
 *
 * The walk is breadth first, sorted by name, so the levels that decide most (slices, the kubepods
 * and QoS levels) come before the thousands of leaves a busy node can have, and the result is the
 * same on every read of the same tree. It keeps a cgroup that has a limit (v2 memory.max or
 * memory.high, v1 memory.limit_in_bytes) or that lies under a top level where workloads live
 * (kubepods, system.slice, user.slice, machine.slice...), and skips a directory without
 * memory.current (v1: memory.usage_in_bytes), where the memory controller is not enabled. Links
 * are not followed.
 */

/**
 * Reads a host's memory evidence (meminfo, vmstat, PSI, swap, zram, zswap, the virtio balloon and
 * the memory cgroups) from the paths given. Never throws: a missing file leaves its field empty, a
 * file that cannot be read or parsed becomes a {@link Problem} in the snapshot.
 */
public final class HostReader {
  /** Deepest cgroup level read below the hierarchy's root. */
  public static final int MAX_DEPTH = 8;

  /** Most cgroups kept in one snapshot. */
  public static final int MAX_CGROUPS = 2000;

  /** Most cgroup directories looked at, kept or not. */
  static final int MAX_VISITED = 50_000;

  static final Set<String> WORKLOAD_TOP_LEVELS =
      Set.of(
          "kubepods",
          "kubepods.slice",
          "kubelet.slice",
          "system.slice",
          "user.slice",
          "machine.slice",
          "machine");

  static final List<String> V1_FILES =
      List.of(
          "memory.limit_in_bytes",
          "memory.usage_in_bytes",
          "memory.max_usage_in_bytes",
          "memory.failcnt",
          "memory.memsw.limit_in_bytes",
          "memory.memsw.usage_in_bytes",
          "memory.stat",
          "memory.oom_control");

  static final List<String> V2_FILES =
      List.of(
          "memory.max",
          "memory.high",
          "memory.current",
          "memory.peak",
          "memory.swap.max",
          "memory.swap.current",
          "memory.stat",
          "memory.events",
          "memory.pressure",
          "memory.oom.group");

  private static final Pattern VIRTIO_DEVICE = Pattern.compile("virtio\\d+");

  private final HostPaths paths;
  private final FileAccess files;
  private final List<Problem> problems = new ArrayList<>();

  private HostReader(HostPaths paths, FileAccess files) {
    this.paths = paths;
    this.files = files;
  }

  /**
   * Reads the host at {@code paths}.
   *
   * @param configuredVmMemoryBytes the memory the VM was configured with ({@code --vm-memory}),
   *     carried into the snapshot to be compared with MemTotal
   */
  public static HostSnapshot read(HostPaths paths, OptionalLong configuredVmMemoryBytes) {
    List<Problem> problems = new ArrayList<>();
    FileAccess files = new FileAccess(false, unreadableOnHost(paths, problems));
    HostReader reader = new HostReader(paths, files);
    reader.problems.addAll(problems);
    return reader.snapshot(configuredVmMemoryBytes);
  }

  static HostSnapshot read(
      HostPaths paths, OptionalLong configuredVmMemoryBytes, FileAccess files) {
    return new HostReader(paths, files).snapshot(configuredVmMemoryBytes);
  }

  /**
   * Why a path of {@code paths} could not be read on the host, when {@code paths} is a snapshot
   * whose manifest says so; nothing for a live host.
   */
  private static Function<Path, Optional<String>> unreadableOnHost(
      HostPaths paths, List<Problem> problems) {
    Optional<SnapshotManifest> manifest;
    try {
      manifest = SnapshotManifest.read(paths.root());
    } catch (IOException e) {
      problems.add(
          new Problem(
              paths.root().resolve(SnapshotManifest.FILE_NAME).toString(),
              0,
              "cannot read the snapshot's manifest ("
                  + e.getMessage()
                  + "); a file missing from"
                  + " the snapshot may have been unreadable on the host, not absent",
              Problem.Kind.UNREADABLE));
      return p -> Optional.empty();
    }
    if (manifest.isEmpty()) {
      return p -> Optional.empty();
    }
    return p -> {
      try {
        return manifest
            .get()
            .entry(SnapshotWriter.relative(paths, p).toString())
            .flatMap(SnapshotManifest.Entry::unreadable);
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    };
  }

  private HostSnapshot snapshot(OptionalLong configuredVmMemoryBytes) {
    Path proc = paths.proc();
    Path sys = paths.sys();
    Optional<String> hostname = firstLine(proc.resolve("sys/kernel/hostname"));
    Optional<String> release = firstLine(proc.resolve("sys/kernel/osrelease"));
    Optional<KeyedValues> meminfo = parse(proc.resolve("meminfo"), MeminfoParser::parse, false);
    Optional<KeyedValues> vmstat = parse(proc.resolve("vmstat"), VmstatParser::parse, false);
    Optional<PressureStall> pressure =
        parse(proc.resolve("pressure/memory"), PressureParser::parse, true);
    List<SwapDevice> swaps =
        parse(proc.resolve("swaps"), SwapsParser::parse, false).orElse(List.of());
    List<ZramDevice> zram = zram(sys.resolve("block"));
    Optional<Boolean> zswap = zswap(sys.resolve("module/zswap/parameters/enabled"));
    Optional<Boolean> balloon = balloon(sys.resolve("bus"));
    List<CgroupMemory> cgroups = cgroups(sys.resolve("fs/cgroup"));
    return new HostSnapshot(
        hostname,
        release,
        meminfo,
        vmstat,
        pressure,
        swaps,
        zram,
        zswap,
        balloon,
        configuredVmMemoryBytes,
        cgroups,
        problems);
  }

  private interface Parser<T> {
    T parse(String text, String path) throws ParseException;
  }

  private <T> Optional<T> parse(Path file, Parser<T> parser, boolean unsupportedIsAbsent) {
    Optional<String> text = files.read(file, problems, unsupportedIsAbsent);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(parser.parse(text.get(), file.toString()));
    } catch (ParseException e) {
      problems.add(e.toProblem());
      return Optional.empty();
    }
  }

  private Optional<String> firstLine(Path file) {
    return files
        .read(file, problems)
        .map(t -> t.lines().findFirst().orElse("").strip())
        .filter(s -> !s.isEmpty());
  }

  private List<ZramDevice> zram(Path block) {
    List<ZramDevice> out = new ArrayList<>();
    for (Path dev : files.list(block, problems)) {
      String name = dev.getFileName().toString();
      if (!name.matches("zram\\d+")) {
        continue;
      }
      Path sizeFile = dev.resolve("disksize");
      Optional<String> sizeText = files.read(sizeFile, problems);
      if (sizeText.isEmpty()) {
        continue;
      }
      long size;
      try {
        size = ZramParser.parseDiskSize(sizeText.get(), sizeFile.toString());
      } catch (ParseException e) {
        problems.add(e.toProblem());
        continue;
      }
      Optional<String> algorithm =
          parse(dev.resolve("comp_algorithm"), ZramParser::parseAlgorithm, false).flatMap(a -> a);
      Optional<ZramParser.MmStat> mmStat =
          parse(dev.resolve("mm_stat"), ZramParser::parseMmStat, false);
      SourceLine source = new SourceLine(sizeFile.toString(), 1, sizeText.get().strip());
      out.add(ZramParser.device(name, size, algorithm, mmStat, source));
    }
    return out;
  }

  private Optional<Boolean> zswap(Path enabled) {
    Optional<String> text = files.read(enabled, problems);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    String v = text.get().strip();
    return switch (v) {
      case "Y", "y", "1" -> Optional.of(true);
      case "N", "n", "0" -> Optional.of(false);
      default -> {
        problems.add(new Problem(enabled.toString(), 1, "expected Y or N, got '" + v + "'"));
        yield Optional.empty();
      }
    };
  }

  /**
   * True when a device is bound to the virtio_balloon driver (the driver's directory links to it),
   * false when sysfs shows none, empty when there is no sysfs to tell.
   */
  private Optional<Boolean> balloon(Path bus) {
    if (!files.isDirectory(bus)) {
      return Optional.empty();
    }
    Path driver = bus.resolve("virtio/drivers/virtio_balloon");
    for (Path entry : files.list(driver, problems)) {
      if (VIRTIO_DEVICE.matcher(entry.getFileName().toString()).matches()) {
        files.marker(entry);
        return Optional.of(true);
      }
    }
    return Optional.of(false);
  }

  private List<CgroupMemory> cgroups(Path base) {
    if (listsMemory(base.resolve("cgroup.controllers"))) {
      return walk(base, 2);
    }
    if (files.isPlainDirectory(base.resolve("memory"))) {
      return walk(base.resolve("memory"), 1);
    }
    Path unified = base.resolve("unified");
    if (files.isPlainDirectory(unified) && listsMemory(unified.resolve("cgroup.controllers"))) {
      return walk(unified, 2);
    }
    return List.of();
  }

  private boolean listsMemory(Path controllers) {
    return files
        .read(controllers, problems)
        .map(t -> List.of(t.strip().split("\\s+")).contains("memory"))
        .orElse(false);
  }

  private record Dir(Path path, String cgroup, int depth, boolean underWorkloads) {}

  private List<CgroupMemory> walk(Path root, int version) {
    List<CgroupMemory> out = new ArrayList<>();
    Deque<Dir> queue = new ArrayDeque<>();
    queue.add(new Dir(root, "/", 0, false));
    int visited = 0;
    while (!queue.isEmpty()) {
      Dir dir = queue.poll();
      if (dir.depth() > 0) {
        if (++visited > MAX_VISITED) {
          problems.add(
              new Problem(
                  root.toString(),
                  0,
                  "more than " + MAX_VISITED + " cgroup directories; the rest were not looked at"));
          break;
        }
        if (keep(dir, version)) {
          if (out.size() == MAX_CGROUPS) {
            problems.add(
                new Problem(
                    root.toString(),
                    0,
                    "more than "
                        + MAX_CGROUPS
                        + " memory cgroups to read; the rest were left out"));
            break;
          }
          out.add(cgroup(dir, version));
        }
      }
      if (dir.depth() == MAX_DEPTH) {
        continue;
      }
      for (Path child : files.list(dir.path(), problems)) {
        if (!files.isPlainDirectory(child)) {
          continue;
        }
        String name = child.getFileName().toString();
        String cgroup = dir.cgroup().equals("/") ? "/" + name : dir.cgroup() + "/" + name;
        boolean under =
            dir.underWorkloads() || (dir.depth() == 0 && WORKLOAD_TOP_LEVELS.contains(name));
        queue.add(new Dir(child, cgroup, dir.depth() + 1, under));
      }
    }
    return out;
  }

  private boolean keep(Dir dir, int version) {
    // Every cgroup the memory controller is enabled in has a usage file; one without it (its
    // parent's cgroup.subtree_control lacks "memory") has no memory evidence to give.
    if (!files.exists(
        dir.path().resolve(version == 2 ? "memory.current" : "memory.usage_in_bytes"))) {
      return false;
    }
    if (dir.underWorkloads()) {
      return true;
    }
    List<String> limits =
        version == 2 ? List.of("memory.max", "memory.high") : List.of("memory.limit_in_bytes");
    for (String name : limits) {
      Path file = dir.path().resolve(name);
      Optional<String> text = files.read(file, problems);
      if (text.isEmpty()) {
        continue;
      }
      try {
        OptionalLong limit =
            version == 2
                ? CgroupV2MemoryParser.parseLimit(text.get(), file.toString())
                : CgroupV1MemoryParser.parseLimit(text.get(), file.toString());
        if (limit.isPresent()) {
          return true;
        }
      } catch (ParseException e) {
        // Kept, so the parse below reports the malformed file with the cgroup's other files.
        return true;
      }
    }
    return false;
  }

  private CgroupMemory cgroup(Dir dir, int version) {
    Map<String, String> texts = new LinkedHashMap<>();
    for (String name : version == 2 ? V2_FILES : V1_FILES) {
      files
          .read(dir.path().resolve(name), problems, name.equals("memory.pressure"))
          .ifPresent(t -> texts.put(name, t));
    }
    CgroupFiles cgroupFiles = new CgroupFiles(dir.cgroup(), dir.path().toString(), texts);
    return version == 2
        ? CgroupV2MemoryParser.parse(cgroupFiles, problems)
        : CgroupV1MemoryParser.parse(cgroupFiles, problems);
  }
}
