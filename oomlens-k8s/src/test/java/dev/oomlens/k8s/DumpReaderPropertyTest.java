package dev.oomlens.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.oomlens.core.model.Problem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/*
 * Damaged dumps never throw and never invent an object: whatever is read from a damaged copy is
 * among the objects of the whole one, and a damage that loses objects is said as a problem.
 */

/** Property tests of the dump reader: cut, flipped, dropped and inserted bytes. */
class DumpReaderPropertyTest {
  private static final byte[] JSON = bytes("pods.json");
  private static final List<String> WHOLE_JSON = DumpReaderTest.read(JSON).objects();

  private static byte[] bytes(String name) {
    try {
      return Files.readAllBytes(DumpReaderTest.SEED_002.resolve(name));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void wholeDump_readsEveryPodAndNoProblem() {
    assertThat(WHOLE_JSON).hasSize(13);
    assertThat(DumpReaderTest.read(JSON).problems()).isEmpty();
  }

  @Test
  void jsonCutAtAnyByte_keepsOnlyWholeObjects_andSaysItIsDamaged() {
    qt().withExamples(400)
        .forAll(integers().between(1, JSON.length - 2))
        .checkAssert(
            cut -> {
              byte[] part = java.util.Arrays.copyOf(JSON, cut);
              DumpReaderTest.Read r = DumpReaderTest.read(part);
              assertThat(WHOLE_JSON).containsAll(r.objects());
              assertThat(r.objects().size()).isLessThan(WHOLE_JSON.size() + 1);
              if (r.objects().size() < WHOLE_JSON.size()) {
                assertThat(r.problems()).isNotEmpty();
              }
            });
  }

  @Test
  void flippedDroppedOrInsertedBytes_neverThrow_neverInvent() {
    qt().withExamples(300)
        .forAll(
            integers().between(0, JSON.length - 1),
            integers().between(0, 255),
            integers().between(0, 2))
        .checkAssert(
            (at, value, how) -> {
              byte[] damaged =
                  switch (how) {
                    case 0 -> {
                      byte[] b = JSON.clone();
                      b[at] = (byte) value.intValue();
                      yield b;
                    }
                    case 1 ->
                        concat(
                            java.util.Arrays.copyOf(JSON, at),
                            java.util.Arrays.copyOfRange(JSON, at + 1, JSON.length));
                    default ->
                        concat(
                            concat(
                                java.util.Arrays.copyOf(JSON, at),
                                new byte[] {(byte) value.intValue()}),
                            java.util.Arrays.copyOfRange(JSON, at, JSON.length));
                  };
              DumpReaderTest.Read r = DumpReaderTest.read(damaged);
              // A flipped byte inside a name can make a name never seen: count, do not match names.
              assertThat(r.objects().size()).isLessThanOrEqualTo(WHOLE_JSON.size() + 1);
              assertThat(r.problems()).allMatch(p -> p.file().equals("dump"));
            });
  }

  @Test
  void yamlCutAtEveryLine_keepsWholeDocumentsOnly() throws IOException {
    String yaml =
        Files.readString(
                DumpReaderTest.SEED_002.resolve("manifests").resolve("priorityclass.yaml"),
                StandardCharsets.UTF_8)
            + "---\napiVersion: v1\nkind: Node\nmetadata:\n  name: n1\n";
    String[] lines = yaml.split("\n", -1);
    for (int n = 0; n <= lines.length; n++) {
      String part = String.join("\n", java.util.Arrays.copyOf(lines, n));
      DumpReaderTest.Read r = DumpReaderTest.read(part);
      // A YAML document cut at a line boundary is itself valid YAML: what it holds is read, and
      // a document cut before its name is refused by the converter (an object without a name).
      assertThat(List.of("PriorityClass/system-infrastructure", "Node/n1"))
          .as("cut after line %d", n)
          .containsAll(
              r.objects().stream().filter(o -> !o.endsWith("/" + DumpReaderTest.NO_NAME)).toList());
      assertThat(r.problems())
          .as("cut after line %d", n)
          .allMatch(p -> p.kind() != Problem.Kind.UNREADABLE);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
