package dev.oomlens.host.source;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.kernel.KernelLogReader;
import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.core.model.Input;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.source.EvidenceSource;
import dev.oomlens.host.LiveLog;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/*
 * A live log that ends before its first byte with a problem could not be read at all (no
 * permission, no journal): the next candidate is tried, and only when every one fails are they
 * all recorded, as inputs that could not be read, so the diagnosis says "unknown". The ones tried
 * before a readable one are not recorded: a journal read in place of /dev/kmsg answers the same
 * question.
 */

/**
 * This machine's kernel log, read from the first of its candidates that can be read (/dev/kmsg,
 * then the journal's kernel messages). Its reports go into the evidence; the killers' records a
 * live kernel log may hold are left to {@link LiveKillerLog}, which reads them from the journal
 * matched to the killers.
 *
 * @param candidates opened in order, each closed before the next
 * @param span what a live log reaches, for the input's record ({@code this boot, ...})
 */
public record LiveKernelLog(List<Candidate> candidates, ReaderOptions options)
    implements EvidenceSource {
  private static final int BUFFER_BYTES = 1 << 16;

  /** One log to try, and how far back it reaches. */
  public record Candidate(Supplier<LiveLog> open, String span) {
    public Candidate {
      requireNonNull(open, "open");
      requireNonNull(span, "span");
    }
  }

  public LiveKernelLog {
    candidates = List.copyOf(candidates);
    if (candidates.isEmpty()) {
      throw new IllegalArgumentException("no candidate log");
    }
    requireNonNull(options, "options");
  }

  @Override
  public void readInto(EvidenceSet.Builder evidence) {
    List<Input> failed = new ArrayList<>();
    for (Candidate c : candidates) {
      try (LiveLog log = c.open().get()) {
        BufferedInputStream in = new BufferedInputStream(log.stream(), BUFFER_BYTES);
        if (endsAtOnce(in) && !log.problems().isEmpty()) {
          failed.add(unreadable(log, c.span()));
          continue;
        }
        try (EvidenceSet.InputSink sink =
            evidence.read(log.name(), Input.Kind.KERNEL_LOG, c.span(), false)) {
          new KernelLogReader(options).read(log.name(), in, sink);
          log.problems().forEach(sink::problem);
        }
        return;
      }
    }
    failed.forEach(evidence::input);
  }

  static boolean endsAtOnce(BufferedInputStream in) {
    try {
      in.mark(1);
      int first = in.read();
      in.reset();
      return first < 0;
    } catch (IOException e) {
      return true;
    }
  }

  /** The record of a log that could not be read: its problems, the first made unreadable. */
  static Input unreadable(LiveLog log, String span) {
    List<Problem> problems = new ArrayList<>();
    for (Problem p : log.problems()) {
      problems.add(
          problems.isEmpty()
              ? new Problem(p.file(), p.line(), p.message(), Problem.Kind.UNREADABLE)
              : p);
    }
    return new Input(log.name(), Input.Kind.KERNEL_LOG, java.util.Optional.of(span), 0, problems);
  }
}
