package dev.oomlens.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oomlens.core.model.Input;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.source.EvidenceSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * doctor reads its sources at once and must still give what reading them in order gives. Its
 * output, byte for byte, is pinned by DoctorGoldenTest's goldens (made when doctor read its kernel
 * log and host one after the other, and read in parallel now); this pins the order of the merge
 * when the sources finish in the opposite order to the one they were given in.
 */
class ParallelSourcesTest {
  @Test
  void evidenceIsInTheSourcesOrderWhateverOrderTheyFinishIn() {
    int n = 6;
    List<CountDownLatch> finished = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      finished.add(new CountDownLatch(1));
    }
    List<EvidenceSource> sources = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int me = i;
      sources.add(
          b -> {
            // Each waits for the one after it: the last finishes first.
            if (me + 1 < n) {
              await(finished.get(me + 1));
            }
            b.input(new Input("source " + me + " first", Input.Kind.KERNEL_LOG, me, List.of()));
            b.input(new Input("source " + me + " second", Input.Kind.HOST, me, List.of()));
            finished.get(me).countDown();
          });
    }
    EvidenceSet.Builder parallel = EvidenceSet.builder();
    new ParallelSources(sources).readInto(parallel);

    // What reading them one after another adds.
    List<String> inOrder = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      inOrder.add("source " + i + " first");
      inOrder.add("source " + i + " second");
    }
    List<String> names = names(parallel.build());
    assertThat(names).isEqualTo(inOrder);
    assertThat(names.getFirst()).isEqualTo("source 0 first");
    assertThat(names.getLast()).isEqualTo("source 5 second");
  }

  @Test
  void aSourceThatThrowsThrowsAfterTheOnesBeforeItAreAdded() {
    EvidenceSet.Builder b = EvidenceSet.builder();
    ParallelSources sources =
        new ParallelSources(
            List.of(
                e -> e.input(new Input("read", Input.Kind.KERNEL_LOG, 0, List.of())),
                e -> {
                  throw new IllegalArgumentException("bad --since");
                },
                e -> e.input(new Input("after", Input.Kind.HOST, 0, List.of()))));
    assertThatThrownBy(() -> sources.readInto(b))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bad --since");
    assertThat(names(b.build())).containsExactly("read");
  }

  private static List<String> names(EvidenceSet e) {
    return e.inputs().stream().map(Input::name).toList();
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(30, TimeUnit.SECONDS)).as("the next source finished").isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
