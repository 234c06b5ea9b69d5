package dev.oomlens.host.source;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.core.model.Input;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.source.EvidenceSource;
import dev.oomlens.host.paths.HostPaths;
import dev.oomlens.host.snapshot.HostReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * A host's /proc and /sys (this machine's, a mounted one, or a saved snapshot), read as the
 * machine's memory now.
 *
 * @param vmMemoryBytes the size the VM was given, when the user says it
 */
public record HostTree(HostPaths paths, OptionalLong vmMemoryBytes) implements EvidenceSource {
  public HostTree {
    requireNonNull(paths, "paths");
    requireNonNull(vmMemoryBytes, "vmMemoryBytes");
  }

  /** How the input is named: {@code /proc, /sys}. */
  public String name() {
    return paths.proc() + ", " + paths.sys();
  }

  /**
   * Reads the tree. Without meminfo the host could not be read at all (a wrong --path flag, no
   * /proc): that is the input's one problem that makes it unreadable; the others are files that
   * were there but could not be parsed.
   */
  @Override
  public void readInto(EvidenceSet.Builder evidence) {
    HostSnapshot snapshot = HostReader.read(paths, vmMemoryBytes);
    List<Problem> problems = new ArrayList<>();
    if (snapshot.meminfo().isEmpty()) {
      Path meminfo = paths.proc().resolve("meminfo");
      problems.add(
          new Problem(meminfo.toString(), 0, "cannot read " + meminfo, Problem.Kind.UNREADABLE));
    }
    problems.addAll(snapshot.problems());
    evidence.host(
        snapshot,
        new Input(name(), Input.Kind.HOST, snapshot.meminfo().isPresent() ? 1 : 0, problems));
  }
}
