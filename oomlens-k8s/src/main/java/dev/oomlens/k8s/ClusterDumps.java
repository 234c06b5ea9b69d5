package dev.oomlens.k8s;

import dev.oomlens.core.cluster.ClusterState;
import dev.oomlens.core.model.Input;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.source.EvidenceSource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A cluster read from dumps ({@code kubectl get -o json|yaml}, manifests, {@code helm template}
 * output): every path, a file or a directory, is one part of one cluster. Each file read is an
 * input of the evidence, with the objects it held and its problems.
 */
public final class ClusterDumps implements EvidenceSource {
  private final List<Path> paths;
  private final Map<String, Long> vmMemoryBytes;

  /**
   * @param vmMemoryBytes the memory each node's VM was given, by node name ({@code ""}: every node)
   */
  public ClusterDumps(List<Path> paths, Map<String, Long> vmMemoryBytes) {
    this.paths = List.copyOf(paths);
    this.vmMemoryBytes = Map.copyOf(vmMemoryBytes);
  }

  @Override
  public void readInto(EvidenceSet.Builder evidence) {
    Map<String, List<Problem>> problems = new LinkedHashMap<>();
    Map<String, Long> counts = new HashMap<>();
    String[] current = {""};
    ClusterConverter converter =
        new ClusterConverter(
            (object, message) ->
                problems
                    .computeIfAbsent(current[0], k -> new ArrayList<>())
                    .add(new Problem(current[0], 0, object + ": " + message)));
    List<String> files = new ArrayList<>();
    DumpReader reader = new DumpReader();
    for (Path p : paths) {
      reader.read(
          p,
          new DumpReader.Sink() {
            @Override
            public void object(HasMetadata object, String file) {
              current[0] = file;
              long before = converter.objects();
              converter.add(object);
              counts.merge(file, converter.objects() - before, Long::sum);
            }

            @Override
            public void problem(Problem problem) {
              problems.computeIfAbsent(problem.file(), k -> new ArrayList<>()).add(problem);
            }

            @Override
            public void fileRead(String file) {
              files.add(file);
            }
          });
    }
    String source =
        paths.size() == 1
            ? paths.getFirst().toString()
            : paths.getFirst() + " and " + (paths.size() - 1) + " more";
    ClusterState state = converter.build(source).withVmMemory(vmMemoryBytes);
    for (String f : files) {
      evidence.input(
          new Input(
              f,
              Input.Kind.CLUSTER,
              counts.getOrDefault(f, 0L),
              problems.getOrDefault(f, List.of())));
    }
    evidence.cluster(state);
  }
}
