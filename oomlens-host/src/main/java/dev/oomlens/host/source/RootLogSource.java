package dev.oomlens.host.source;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.kernel.KernelLogReader;
import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.core.model.Input;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.source.EvidenceSource;
import dev.oomlens.core.source.IoReasons;
import dev.oomlens.host.LiveLog;
import dev.oomlens.host.logs.RootLogs;
import dev.oomlens.host.snapshot.SnapshotWriter;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/*
 * The first source RootLogs found that can be read at all is the root's kernel log; the killers'
 * records are read from beside it. What a snapshot's manifest says could not be saved is recorded
 * as an input that could not be read (its kernel log, or its killers' records, are then unknown),
 * and the problems met while saving a log that was saved belong to that log's input. A root where
 * no kernel log was found is one more input that could not be read, named after the root, with
 * every place looked at: the answer is "unknown", never "no OOM kill".
 */

/**
 * The kernel log and killers' records of a host at another root ({@code --path.rootfs}): a
 * snapshot, a mounted node, a restored disk. Never this machine's logs (but its /dev/kmsg when the
 * root runs on this very kernel; see {@link RootLogs}).
 */
public record RootLogSource(RootLogs logs, ReaderOptions options) implements EvidenceSource {
  private static final int BUFFER_BYTES = 1 << 16;

  public RootLogSource {
    requireNonNull(logs, "logs");
    requireNonNull(options, "options");
  }

  @Override
  public void readInto(EvidenceSet.Builder evidence) {
    List<Problem> told = new ArrayList<>(logs.problems());
    List<Input> failed = new ArrayList<>();
    for (RootLogs.Source source : logs.sources()) {
      if (source.live().isPresent()) {
        if (!readLive(source.live().get(), evidence, failed)) {
          continue;
        }
      } else {
        for (Path file : source.files()) {
          readFile(file, source.killers().isEmpty(), evidence, told);
        }
      }
      for (Supplier<LiveLog> killers : source.killers()) {
        new LiveKillerLog(killers, Optional.empty(), options).readInto(evidence);
      }
      recordUnsaved(told, evidence);
      return;
    }
    failed.forEach(evidence::input);
    boolean snapshotTold =
        told.stream().anyMatch(p -> !p.file().endsWith(SnapshotWriter.KILLERS_LOG));
    recordUnsaved(told, evidence);
    if (logs.isEmpty() && !snapshotTold) {
      evidence.input(
          new Input(
              logs.root().toString(),
              Input.Kind.KERNEL_LOG,
              0,
              List.of(
                  new Problem(
                      logs.root().toString(), 0, logs.notFound(), Problem.Kind.UNREADABLE))));
    }
  }

  /**
   * Reads a live log; false, having recorded nothing but in {@code failed}, if it is unreadable.
   */
  private boolean readLive(
      Supplier<LiveLog> open, EvidenceSet.Builder evidence, List<Input> failed) {
    try (LiveLog log = open.get()) {
      BufferedInputStream in = new BufferedInputStream(log.stream(), BUFFER_BYTES);
      if (LiveKernelLog.endsAtOnce(in) && !log.problems().isEmpty()) {
        failed.add(LiveKernelLog.unreadable(log, "its last boot"));
        return false;
      }
      try (EvidenceSet.InputSink sink =
          evidence.read(log.name(), Input.Kind.KERNEL_LOG, "its last boot", false)) {
        new KernelLogReader(options).read(log.name(), in, sink);
        log.problems().forEach(sink::problem);
      }
      return true;
    }
  }

  /** Reads one saved file, with the problems its snapshot met while saving it. */
  private void readFile(
      Path file, boolean withKillers, EvidenceSet.Builder evidence, List<Problem> told) {
    String name = file.toString();
    try (EvidenceSet.InputSink sink = evidence.read(name, Input.Kind.KERNEL_LOG, withKillers)) {
      try {
        new KernelLogReader(options).read(file, sink);
      } catch (IOException e) {
        sink.problem(
            new Problem(
                name, 0, "cannot read " + name + ": " + IoReasons.of(e), Problem.Kind.UNREADABLE));
      }
      for (Problem p : List.copyOf(told)) {
        if (p.file().equals(name)) {
          sink.problem(p);
          told.remove(p);
        }
      }
    }
  }

  /** What the snapshot could not save: inputs that could not be read. */
  private static void recordUnsaved(List<Problem> told, EvidenceSet.Builder evidence) {
    for (Problem p : told) {
      Input.Kind kind =
          p.file().endsWith(SnapshotWriter.KILLERS_LOG)
              ? Input.Kind.KILLER_LOG
              : Input.Kind.KERNEL_LOG;
      Problem spoiling =
          p.kind().spoilsInput()
              ? p
              : new Problem(p.file(), p.line(), p.message(), Problem.Kind.DAMAGED);
      evidence.input(new Input(p.file(), kind, Optional.empty(), 0, List.of(spoiling)));
    }
    told.clear();
  }
}
