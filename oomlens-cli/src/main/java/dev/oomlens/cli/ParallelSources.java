package dev.oomlens.cli;

import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.source.EvidenceSource;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads several sources at once, each into a builder of its own (a builder is not thread-safe),
 * then adds their evidence in the sources' order: the evidence, and so the output, is the same as
 * reading them one after another. doctor's sources wait on different things (the kernel's ring
 * buffer, journalctl, thousands of small files under /proc and /sys, a cluster's API, a SQLite
 * history) and share nothing but the process, so their waits overlap.
 *
 * <p>A source that throws (sources report problems as evidence, so this is a bug or a bad option
 * found late) throws here once the sources before it are added, as it would have in order.
 */
record ParallelSources(List<EvidenceSource> sources) implements EvidenceSource {
  ParallelSources {
    sources = List.copyOf(sources);
  }

  @Override
  public void readInto(EvidenceSet.Builder evidence) {
    if (sources.size() < 2) {
      sources.forEach(s -> s.readInto(evidence));
      return;
    }
    List<Reading> readings = new ArrayList<>();
    for (EvidenceSource s : sources) {
      Reading r = new Reading(s);
      // Daemons: a source stuck on a read must not keep the process alive once the run has ended.
      r.thread = Thread.ofPlatform().name("oomlens-source").daemon().start(r);
      readings.add(r);
    }
    for (Reading r : readings) {
      joinUninterruptibly(r.thread);
      if (r.failure instanceof RuntimeException e) {
        throw e;
      }
      if (r.failure instanceof Error e) {
        throw e;
      }
      evidence.addAll(r.partial);
    }
  }

  private static void joinUninterruptibly(Thread t) {
    boolean interrupted = false;
    while (true) {
      try {
        t.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** One source's read: its own builder, and what it threw, if it did. */
  private static final class Reading implements Runnable {
    final EvidenceSource source;
    final EvidenceSet.Builder partial = EvidenceSet.builder();
    Thread thread;
    volatile Throwable failure;

    Reading(EvidenceSource source) {
      this.source = source;
    }

    @Override
    public void run() {
      try {
        source.readInto(partial);
      } catch (RuntimeException | Error e) {
        failure = e;
      }
    }
  }
}
