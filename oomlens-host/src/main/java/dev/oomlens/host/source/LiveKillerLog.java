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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The records of userspace OOM killers in this machine's journal (systemd-oomd, earlyoom, nohang,
 * kubelet evictions, the service manager's unit results), read through the kernel-log reader's one
 * pass. A journal that cannot be read is recorded as such: its absence of records then proves
 * nothing.
 *
 * @param span how far back it reaches ({@code this boot}), when less than the whole log
 */
public record LiveKillerLog(Supplier<LiveLog> open, Optional<String> span, ReaderOptions options)
    implements EvidenceSource {
  private static final int BUFFER_BYTES = 1 << 16;

  public LiveKillerLog {
    requireNonNull(open, "open");
    requireNonNull(span, "span");
    requireNonNull(options, "options");
  }

  @Override
  public void readInto(EvidenceSet.Builder evidence) {
    try (LiveLog log = open.get()) {
      BufferedInputStream in = new BufferedInputStream(log.stream(), BUFFER_BYTES);
      if (LiveKernelLog.endsAtOnce(in) && !log.problems().isEmpty()) {
        List<Problem> problems = new ArrayList<>();
        for (Problem p : log.problems()) {
          problems.add(
              problems.isEmpty()
                  ? new Problem(p.file(), p.line(), p.message(), Problem.Kind.UNREADABLE)
                  : p);
        }
        evidence.input(new Input(log.name(), Input.Kind.KILLER_LOG, span, 0, problems));
        return;
      }
      try (EvidenceSet.InputSink sink =
          span.isPresent()
              ? evidence.read(log.name(), Input.Kind.KILLER_LOG, span.get(), true)
              : evidence.read(log.name(), Input.Kind.KILLER_LOG, true)) {
        new KernelLogReader(options).read(log.name(), in, sink);
        log.problems().forEach(sink::problem);
      }
    }
  }
}
