package dev.oomlens.agent;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.kernel.KernelLogReader;
import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.core.model.Input;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.source.EvidenceSource;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/*
 * doctor and history re-run today's rules on the reports as the kernel wrote them, rather than
 * replaying the findings stored at the time: a rule fixed since then applies to old kills too.
 * A stored record's time is seconds since its boot, which means nothing across boots; each record
 * is given its boot's wall-clock time (dmesg --time-format=iso framing) as it is read back, so
 * --since works and incidents of different boots are ordered rightly.
 */

/** The kills an agent recorded, read back as a kernel log of the history file. */
public final class HistorySource implements EvidenceSource {
  private static final DateTimeFormatter ISO =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss,SSSSSSxxx").withZone(ZoneOffset.UTC);

  private final History history;
  private final ReaderOptions options;
  private final Predicate<KillRecord> keep;
  private final Predicate<UserspaceKill> keepUserspace;

  /** Every kernel kill of {@code history} that {@code keep} accepts, and every userspace kill. */
  public HistorySource(History history, ReaderOptions options, Predicate<KillRecord> keep) {
    this(history, options, keep, u -> true);
  }

  /**
   * Every kernel kill of {@code history} that {@code keep} accepts, and every kill by a userspace
   * killer that {@code keepUserspace} accepts.
   */
  public HistorySource(
      History history,
      ReaderOptions options,
      Predicate<KillRecord> keep,
      Predicate<UserspaceKill> keepUserspace) {
    this.history = requireNonNull(history, "history");
    this.options = requireNonNull(options, "options");
    this.keep = requireNonNull(keep, "keep");
    this.keepUserspace = requireNonNull(keepUserspace, "keepUserspace");
  }

  @Override
  public void readInto(EvidenceSet.Builder evidence) {
    String name = history.file().toString();
    List<KillRecord> kills;
    List<UserspaceKill> userspace;
    Map<String, Instant> boots;
    List<History.LostRecords> lost;
    try {
      kills = history.kills(java.util.Optional.empty()).stream().filter(keep).toList();
      userspace =
          history.userspaceKills(java.util.Optional.empty()).stream()
              .filter(keepUserspace)
              .toList();
      boots = history.boots();
      lost = history.lost();
    } catch (IllegalStateException e) {
      evidence.input(
          new Input(
              name,
              Input.Kind.KERNEL_LOG,
              0,
              List.of(new Problem(name, 0, e.getMessage(), Problem.Kind.UNREADABLE))));
      return;
    }
    StringBuilder log = new StringBuilder();
    for (KillRecord k : kills) {
      Instant boot = boots.getOrDefault(k.bootId(), Instant.EPOCH);
      for (String line : k.report().split("\n")) {
        String framed = framed(boot, line);
        if (!framed.isEmpty()) {
          log.append(framed).append('\n');
        }
      }
    }
    try (EvidenceSet.InputSink sink =
        evidence.read(
            name,
            Input.Kind.KERNEL_LOG,
            "the kills the agent recorded (" + kills.size() + ")",
            false)) {
      new KernelLogReader(options)
          .read(
              name,
              new ByteArrayInputStream(log.toString().getBytes(StandardCharsets.UTF_8)),
              sink);
      // A gap means kills may have happened that this history cannot show: the input is not
      // whole, so its silence about a time proves nothing.
      for (History.LostRecords l : lost) {
        sink.problem(new Problem(name, 0, lostMessage(l), Problem.Kind.DAMAGED));
      }
    }
    if (userspace.isEmpty()) {
      return;
    }
    // The userspace killers' entries, as journalctl printed them: the killers' reader picks
    // them out, as doctor's does from the journal.
    StringBuilder journal = new StringBuilder();
    for (UserspaceKill u : userspace) {
      journal.append(u.line()).append('\n');
    }
    String killers = name + " (userspace killers)";
    try (EvidenceSet.InputSink sink =
        evidence.read(
            killers,
            Input.Kind.KILLER_LOG,
            "the kills by userspace killers the agent recorded (" + userspace.size() + ")",
            true)) {
      new KernelLogReader(options)
          .read(
              killers,
              new ByteArrayInputStream(journal.toString().getBytes(StandardCharsets.UTF_8)),
              sink);
    }
  }

  static String lostMessage(History.LostRecords l) {
    String which =
        l.count() < 0
            ? "kernel log records (how many the kernel did not say)"
            : l.count() == 1
                ? "kernel log record " + l.firstSeq()
                : l.count() + " kernel log records (" + l.firstSeq() + " to " + l.lastSeq() + ")";
    return which
        + " of boot "
        + l.bootId()
        + " were overwritten in the kernel's ring buffer before the agent read them (noticed at "
        + l.noticedAt()
        + "): OOM kills among them are not in this history";
  }

  /**
   * A stored {@code prio,seq,usec,flags;message} record as {@code dmesg --time-format=iso} prints
   * it; dictionary lines (they start with a space) are metadata and are left out.
   */
  static String framed(Instant boot, String record) {
    if (record.startsWith(" ")) {
      return "";
    }
    int semi = record.indexOf(';');
    if (semi < 0) {
      return record;
    }
    String[] head = record.substring(0, semi).split(",");
    if (head.length < 3) {
      return record;
    }
    try {
      long micros = Long.parseLong(head[2]);
      return ISO.format(boot.plusNanos(micros * 1000)) + " " + record.substring(semi + 1);
    } catch (NumberFormatException e) {
      return record;
    }
  }
}
