package dev.oomlens.core.model;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One input of a diagnosis and what became of reading it: a kernel log, the records of userspace
 * killers, a host's /proc and /sys. Conclusions drawn from an absence ("no OOM kill is on record")
 * hold only for inputs that were read whole; {@link #isWhole()} says which.
 *
 * @param name as findings and messages cite it: the file as the user gave it, {@code -} for
 *     standard input, {@code /dev/kmsg}, {@code journalctl -k -b}
 * @param span how far back it reaches, when that is less than the whole input: a live log's {@code
 *     this boot, as far back as the kernel's ring buffer goes}
 * @param events the reports, allocation failures and killer records read from it
 * @param problems what could not be read, each naming its line
 */
public record Input(
    String name, Kind kind, Optional<String> span, long events, List<Problem> problems) {
  /** What an input is evidence of. */
  public enum Kind {
    /**
     * Kernel messages: OOM-killer reports and allocation failures (and, in saved logs, killers).
     */
    KERNEL_LOG,
    /** The records of userspace OOM killers and service managers. */
    KILLER_LOG,
    /** A host's /proc and /sys: memory now. */
    HOST,
    /** A Kubernetes cluster's objects: its API server, or dumps of {@code kubectl get}. */
    CLUSTER,
    /** Memory over time: Prometheus range queries, saved series files. */
    SERIES;

    /** The name used in the JSON contract. */
    public String jsonName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public Input {
    requireNonNull(name, "name");
    requireNonNull(kind, "kind");
    requireNonNull(span, "span");
    if (events < 0) {
      throw new IllegalArgumentException("events=" + events);
    }
    problems = List.copyOf(problems);
  }

  /** An input read in whole: a saved file, standard input. */
  public Input(String name, Kind kind, long events, List<Problem> problems) {
    this(name, kind, Optional.empty(), events, problems);
  }

  /**
   * The first problem that makes the input untrustworthy as a whole: it could not be opened, it is
   * damaged, or it is not text; empty when what it holds can be believed whole.
   */
  public Optional<Problem> spoiled() {
    return problems.stream().filter(p -> p.kind().spoilsInput()).findFirst();
  }

  /**
   * True when the input was read to its end and recognised: nothing spoils it, and it is not a file
   * of which nothing but problems could be read (what a format oomlens does not know looks like).
   * Only then does the absence of an event in it mean the event did not happen.
   */
  public boolean isWhole() {
    return spoiled().isEmpty() && !(events == 0 && !problems.isEmpty());
  }

  /**
   * Why the input cannot be believed whole, in a sentence that names it: {@code cannot read x.log:
   * No such file or directory}, {@code x.log.gz:120: compressed data is damaged...}; empty when it
   * can be believed.
   */
  public Optional<String> whyNotWholeNamed() {
    return whyNotWhole()
        .map(
            w ->
                w.contains(name) || w.startsWith("cannot read ")
                    ? w
                    : spoiled()
                        .filter(p -> p.line() > 0)
                        .map(p -> name + ":" + p.line() + ": " + w)
                        .orElse(name + ": " + w));
  }

  /** Why the input cannot be believed whole, in words; empty when it can. */
  public Optional<String> whyNotWhole() {
    Optional<Problem> spoiled = spoiled();
    if (spoiled.isPresent()) {
      return Optional.of(spoiled.get().message());
    }
    if (events == 0 && !problems.isEmpty()) {
      Problem first = problems.getFirst();
      return Optional.of(
          "nothing in it could be read: "
              + problems.size()
              + (problems.size() == 1 ? " problem" : " problems")
              + ", the first at line "
              + first.line()
              + ": "
              + first.message());
    }
    return Optional.empty();
  }
}
