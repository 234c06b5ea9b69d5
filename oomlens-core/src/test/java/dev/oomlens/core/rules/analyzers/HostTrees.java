package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.host.CgroupMemory;
import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.core.host.KeyedValues;
import dev.oomlens.core.host.KillerEvent;
import dev.oomlens.core.host.PressureStall;
import dev.oomlens.core.host.SwapDevice;
import dev.oomlens.core.host.parse.CgroupFiles;
import dev.oomlens.core.host.parse.CgroupV2MemoryParser;
import dev.oomlens.core.host.parse.MeminfoParser;
import dev.oomlens.core.host.parse.ParseException;
import dev.oomlens.core.host.parse.PressureParser;
import dev.oomlens.core.host.parse.SwapsParser;
import dev.oomlens.core.host.parse.VmstatParser;
import dev.oomlens.core.kernel.KernelLogReader;
import dev.oomlens.core.kernel.KernelLogSink;
import dev.oomlens.core.kernel.KillerLogParser;
import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.core.model.AllocFailure;
import dev.oomlens.core.model.Input;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.RealInputs;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * Test inputs for the host rules: captured host trees (proc/ and cgroup v2 sys/fs/cgroup, the vmlab
 * captures of oomlens-host) read with the core's own parsers, hand-written host files, kernel logs
 * read from text, and killer logs.
 */
final class HostTrees {
  /** The captured host trees, relative to this module (Maven runs tests there). */
  static final Path HOSTS = Path.of("..", "oomlens-host", "src", "test", "resources", "hosts");

  private static final ReaderOptions OPTIONS = new ReaderOptions(LocalDate.of(2026, 11, 23));

  private HostTrees() {}

  /** A captured tree, e.g. {@code vmlab-thrashing/before-kill}, with no balloon information. */
  static HostSnapshot read(String tree) {
    return read(tree, Optional.empty(), OptionalLong.empty());
  }

  /** A captured tree with the balloon sign and the configured VM size given. */
  static HostSnapshot read(String tree, Optional<Boolean> balloon, OptionalLong vmMemoryBytes) {
    Path root = HOSTS.resolve(tree);
    String name = tree + "/";
    Optional<String> meminfo = text(root.resolve("proc/meminfo"));
    Optional<String> vmstat = text(root.resolve("proc/vmstat"));
    Optional<String> psi = text(root.resolve("proc/pressure/memory"));
    Optional<String> swaps = text(root.resolve("proc/swaps"));
    List<CgroupMemory> cgroups = new ArrayList<>();
    Path cg = root.resolve("sys/fs/cgroup");
    if (Files.isDirectory(cg)) {
      try (Stream<Path> dirs = Files.walk(cg)) {
        for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
          if (dir.equals(cg) || !Files.exists(dir.resolve("memory.current"))) {
            continue;
          }
          Map<String, String> files = new LinkedHashMap<>();
          for (String f :
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
                  "memory.oom.group")) {
            text(dir.resolve(f)).ifPresent(t -> files.put(f, t));
          }
          String path = "/" + cg.relativize(dir).toString().replace('\\', '/');
          cgroups.add(
              CgroupV2MemoryParser.parse(
                  new CgroupFiles(path, name + root.relativize(dir), files), new ArrayList<>()));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return snapshot(name, meminfo, vmstat, psi, swaps, cgroups, balloon, vmMemoryBytes);
  }

  /** A host from file texts; each file's name in citations is {@code prefix + proc/...}. */
  static HostSnapshot snapshot(
      String prefix,
      Optional<String> meminfo,
      Optional<String> vmstat,
      Optional<String> psi,
      Optional<String> swaps,
      List<CgroupMemory> cgroups,
      Optional<Boolean> balloon,
      OptionalLong vmMemoryBytes) {
    try {
      Optional<KeyedValues> mem =
          meminfo.isPresent()
              ? Optional.of(MeminfoParser.parse(meminfo.get(), prefix + "proc/meminfo"))
              : Optional.empty();
      Optional<KeyedValues> vm =
          vmstat.isPresent()
              ? Optional.of(VmstatParser.parse(vmstat.get(), prefix + "proc/vmstat"))
              : Optional.empty();
      Optional<PressureStall> p =
          psi.isPresent()
              ? Optional.of(PressureParser.parse(psi.get(), prefix + "proc/pressure/memory"))
              : Optional.empty();
      List<SwapDevice> sw =
          swaps.isPresent() ? SwapsParser.parse(swaps.get(), prefix + "proc/swaps") : List.of();
      return new HostSnapshot(
          Optional.empty(),
          Optional.empty(),
          mem,
          vm,
          p,
          sw,
          List.of(),
          Optional.empty(),
          balloon,
          vmMemoryBytes,
          cgroups,
          List.of());
    } catch (ParseException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** A kernel log's reports, read from text as the reader reads a file named {@code name}. */
  static List<OomReport> reports(String name, String text) {
    List<OomReport> out = new ArrayList<>();
    new KernelLogReader(OPTIONS)
        .read(
            name,
            new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
            new KernelLogSink() {
              @Override
              public void report(OomReport report) {
                out.add(report);
              }

              @Override
              public void allocFailure(AllocFailure failure) {}

              @Override
              public void problem(Problem problem) {}
            });
    return out;
  }

  /** A real kernel log of the test resources, as text. */
  static String resource(String name) {
    return text(RealInputs.RESOURCES.resolve(name)).orElseThrow();
  }

  /** The reports of one real kernel log of the test resources. */
  static List<OomReport> reports(String name) {
    return RealInputs.read(name).reports();
  }

  /** Killer records from a journal or syslog text. */
  static List<KillerEvent> killers(String text) {
    return KillerLogParser.parse(text, "journal.txt", OPTIONS);
  }

  /** The evidence the engine would build from these parts. */
  static EvidenceSet evidence(
      List<OomReport> reports,
      Optional<HostSnapshot> host,
      List<KillerEvent> killers,
      boolean sigkill) {
    return EvidenceSet.builder()
        .reports(reports)
        .host(host)
        .killers(killers)
        .exitedWithSigkill(sigkill)
        .input(
            new Input(
                "kern.log", Input.Kind.KERNEL_LOG, reports.size() + killers.size(), List.of()))
        .build();
  }

  private static Optional<String> text(Path file) {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
