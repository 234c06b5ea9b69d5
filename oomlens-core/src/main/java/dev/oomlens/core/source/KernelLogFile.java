package dev.oomlens.core.source;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.kernel.KernelLogReader;
import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.core.model.Input;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.rules.EvidenceSet;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * A saved kernel log, or standard input ({@code -}): read with the {@link KernelLogReader} for OOM
 * reports, allocation failures and the userspace killers' records it holds. A file that cannot be
 * opened is recorded as an input that could not be read, with the C library's reason.
 *
 * @param name the file as the user gave it, or {@code -}
 * @param stdin what {@code -} reads; it is not closed
 */
public record KernelLogFile(String name, ReaderOptions options, InputStream stdin)
    implements EvidenceSource {
  public KernelLogFile {
    requireNonNull(name, "name");
    requireNonNull(options, "options");
    requireNonNull(stdin, "stdin");
  }

  @Override
  public void readInto(EvidenceSet.Builder evidence) {
    try (EvidenceSet.InputSink sink = evidence.read(name, Input.Kind.KERNEL_LOG, true)) {
      KernelLogReader reader = new KernelLogReader(options);
      try {
        if (name.equals("-")) {
          reader.read(name, stdin, sink);
        } else {
          Path path = Path.of(name);
          if (Files.isDirectory(path)) {
            throw new FileSystemException(name, null, "Is a directory");
          }
          reader.read(path, sink);
        }
      } catch (IOException | InvalidPathException e) {
        String reason = e instanceof IOException io ? IoReasons.of(io) : "not a valid file name";
        sink.problem(
            new Problem(name, 0, "cannot read " + name + ": " + reason, Problem.Kind.UNREADABLE));
      }
    }
  }
}
