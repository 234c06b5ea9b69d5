package dev.oomlens.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.cluster.ClusterState;
import dev.oomlens.core.model.Input;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.rules.EvidenceSet;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dumps as kubectl writes them, manifests as repositories hold them, and damaged ones. */
class DumpReaderTest {
  static final Path SEED_002 = Path.of("src", "test", "resources", "clusters", "seed002");

  /** An object read without a name: the converter refuses it with a problem naming its kind. */
  static final String NO_NAME = "(no name)";

  @TempDir Path dir;

  /** What one stream held: its objects (kind/name) and problems. */
  record Read(List<String> objects, List<Problem> problems) {}

  static Read read(String text) {
    return read(text.getBytes(StandardCharsets.UTF_8));
  }

  static Read read(byte[] bytes) {
    List<String> objects = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    try {
      new DumpReader()
          .read(
              new ByteArrayInputStream(bytes),
              "dump",
              new DumpReader.Sink() {
                @Override
                public void object(HasMetadata object, String file) {
                  objects.add(
                      object.getKind()
                          + "/"
                          + (object.getMetadata() == null || object.getMetadata().getName() == null
                              ? NO_NAME
                              : object.getMetadata().getName()));
                }

                @Override
                public void problem(Problem problem) {
                  problems.add(problem);
                }

                @Override
                public void fileRead(String file) {}
              });
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return new Read(objects, problems);
  }

  private static final String POD =
      """
      {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "%s", "namespace": "a"},
       "spec": {"containers": [{"name": "c", "resources": {"limits": {"memory": "64Mi"}}}]}}""";

  @Test
  void jsonList_itemsInOrder() {
    Read r =
        read(
            "{\"apiVersion\": \"v1\", \"items\": ["
                + POD.formatted("p1")
                + ", "
                + POD.formatted("p2")
                + "], \"kind\": \"List\", \"metadata\": {}}");
    assertThat(r.objects()).containsExactly("Pod/p1", "Pod/p2");
    assertThat(r.problems()).isEmpty();
  }

  @Test
  void severalJsonValuesInOneFile_andATopLevelArray() {
    assertThat(read(POD.formatted("p1") + "\n" + POD.formatted("p2")).objects())
        .containsExactly("Pod/p1", "Pod/p2");
    assertThat(read("[" + POD.formatted("p1") + "]").objects()).containsExactly("Pod/p1");
  }

  @Test
  void multiDocumentYaml_andAYamlList() {
    Read r =
        read(
            """
        # a helm template's output
        ---
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: speaker, namespace: metallb-system}
        spec:
          template:
            spec:
              containers: [{name: frr, image: frr}]
        ---
        ---
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: Node
          metadata: {name: n1}
        """);
    assertThat(r.objects()).containsExactly("DaemonSet/speaker", "Node/n1");
    assertThat(r.problems()).isEmpty();
  }

  @Test
  void cutJson_keepsTheItemsBeforeTheCut_andNamesTheLine() {
    String whole =
        "{\"apiVersion\": \"v1\", \"items\": [\n"
            + POD.formatted("p1")
            + ",\n"
            + POD.formatted("p2")
            + "\n], \"kind\": \"List\"}";
    Read r = read(whole.substring(0, whole.indexOf("p2") + 10));
    assertThat(r.objects()).containsExactly("Pod/p1");
    assertThat(r.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.kind()).isEqualTo(Problem.Kind.DAMAGED);
              assertThat(p.line()).isGreaterThan(1);
              assertThat(p.message()).startsWith("not valid JSON: ");
            });
  }

  @Test
  void objectWithoutKind_isAProblemOfItsLine_theOthersStand() {
    Read r = read("{\"items\": [{\"metadata\": {\"name\": \"x\"}},\n" + POD.formatted("p1") + "]}");
    assertThat(r.objects()).containsExactly("Pod/p1");
    assertThat(r.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.kind()).isEqualTo(Problem.Kind.LINE);
              assertThat(p.message())
                  .isEqualTo("an object without apiVersion or kind (x); skipped");
            });
  }

  @Test
  void wrongShapes_areProblemsNamingTheObject() {
    Read r =
        read(
            "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"},"
                + " \"spec\": {\"containers\": \"not a list\"}}");
    assertThat(r.objects()).isEmpty();
    assertThat(r.problems())
        .singleElement()
        .satisfies(p -> assertThat(p.message()).startsWith("Pod p cannot be read: "));
  }

  @Test
  void binary_isNotText() {
    Read r = read(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0});
    assertThat(r.problems())
        .singleElement()
        .satisfies(p -> assertThat(p.kind()).isEqualTo(Problem.Kind.NOT_TEXT));
  }

  @Test
  void directory_readsEveryDumpFile_andEachIsAnInput() {
    EvidenceSet.Builder b = EvidenceSet.builder();
    new ClusterDumps(List.of(SEED_002), Map.of()).readInto(b);
    EvidenceSet e = b.build();
    assertThat(e.inputs(Input.Kind.CLUSTER))
        .extracting(i -> Path.of(i.name()).getFileName().toString())
        .containsExactly(
            "events.json",
            "flux.json",
            "priorityclass.yaml",
            "metrics.json",
            "nodes.json",
            "pods.json",
            "volumes.json",
            "workloads.json");
    assertThat(e.inputs()).allMatch(Input::isWhole);
    ClusterState c = e.clusters().getFirst();
    assertThat(c.nodes()).hasSize(5);
    // The speaker DaemonSet's pods are in the dump: they stand for it, not its template.
    assertThat(c.pods()).noneMatch(p -> p.ref().kind().equals("DaemonSet"));
    assertThat(c.pods())
        .filteredOn(p -> p.ref().name().startsWith("metallb-speaker"))
        .allMatch(p -> p.workload().describe().equals("DaemonSet metallb-system/metallb-speaker"));
  }

  @Test
  void missingPath_isUnreadable_badOwnerReference_isAProblemNotACrash() throws IOException {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(
        bad,
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: p
          namespace: a
          ownerReferences: [{apiVersion: apps/v1, uid: x}]
        spec: {containers: [{name: c}]}
        """);
    EvidenceSet.Builder b = EvidenceSet.builder();
    new ClusterDumps(List.of(dir.resolve("nope.json"), bad), Map.of()).readInto(b);
    EvidenceSet e = b.build();
    assertThat(e.inputs()).hasSize(2);
    assertThat(e.inputs().getFirst().spoiled())
        .hasValueSatisfying(
            p -> assertThat(p.message()).startsWith("cannot read " + dir.resolve("nope.json")));
    assertThat(e.inputs().get(1).problems())
        .singleElement()
        .satisfies(
            p ->
                assertThat(p.message())
                    .isEqualTo(
                        "Pod a/p: metadata.ownerReferences holds an owner"
                            + " without kind or name; it is left out"));
    assertThat(e.clusters().getFirst().pods())
        .singleElement()
        .satisfies(p -> assertThat(p.owner()).isEmpty());
  }
}
