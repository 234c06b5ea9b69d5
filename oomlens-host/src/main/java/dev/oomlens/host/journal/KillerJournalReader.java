package dev.oomlens.host.journal;

/*
 * journalctl(1) and sd_journal_add_match(3): matches on one field are ORed, matches on different
 * fields are ANDed, and "+" ORs whole groups. journalctl ANDs its -u group with the group of the
 * positional matches, so "-u earlyoom _PID=1" would keep only PID 1's messages about earlyoom;
 * the units are therefore given as _SYSTEMD_UNIT= matches (what -u adds for a system unit's own
 * messages), in one expression of three groups:
 *
 *   _SYSTEMD_UNIT=systemd-oomd.service _SYSTEMD_UNIT=earlyoom.service ...
 *       the killers as units;
 *   + SYSLOG_IDENTIFIER=systemd-oomd SYSLOG_IDENTIFIER=earlyoom ... SYSLOG_IDENTIFIER=systemd
 *       the killers however they run (a unit of another name, a container), and every service
 *       manager: PID 1 and the user managers, which log "<unit>: systemd-oomd killed ..." for
 *       the scopes of a session;
 *   + _PID=1
 *       PID 1 under any name.
 *
 * The service manager's unit results ("Main process exited, code=killed, status=9/KILL", "Failed
 * with result 'oom-kill'", "A process of this unit has been killed by the OOM killer") carry
 * MESSAGE_IDs only since systemd 248, so its messages are taken whole and KillerLogParser picks
 * the lines. Checked with journalctl 252 on journal files made by systemd-journal-remote.
 *
 * Bounded: -b keeps this boot; --lines keeps the newest entries (journalctl seeks from the end,
 * so a chatty kubelet costs no more than the limit: 50,000 entries print in about 0.6 s), and the
 * kill being diagnosed is usually recent; a time limit stops journalctl on a slow disk. A journal
 * without any such entry is the common answer ("-- No entries --"), not a problem.
 */

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Reads the records of the userspace OOM killers (systemd-oomd, earlyoom, nohang), the kubelet and
 * the systemd service managers for the current boot from the systemd journal, by running {@code
 * journalctl -b -o short-iso-precise --no-pager --lines=N} with matches for them, and hands its
 * output over as a stream of lines.
 *
 * <p>Never throws and never waits without bound, like {@link JournalReader}: when journalctl is
 * missing, fails, finds no journal or runs past the time limit, the stream ends and a {@link
 * dev.oomlens.core.model.Problem} says so. An empty journal is not a problem: no killer acted.
 */
public final class KillerJournalReader {
  /** The name problems and findings cite for what this reader reads. */
  public static final String NAME = "journalctl -b (OOM killers)";

  /** The killers' systemd units, as their packages name them. */
  public static final List<String> UNITS =
      List.of(
          "systemd-oomd.service",
          "earlyoom.service",
          "nohang.service",
          "nohang-desktop.service",
          "kubelet.service");

  /** The killers' syslog identifiers, and {@code systemd}: PID 1 and the user managers. */
  public static final List<String> IDENTIFIERS =
      List.of("systemd-oomd", "earlyoom", "nohang", "kubelet", "systemd");

  /** The newest entries read at most; older records of this boot are left out, and said so. */
  public static final int DEFAULT_MAX_ENTRIES = 50_000;

  /** The longest journalctl may run: the entries are few, so this is a slow disk's margin. */
  public static final Duration DEFAULT_TIME_LIMIT = Duration.ofSeconds(20);

  private final JournalReader journal;

  KillerJournalReader(String executable, String searchPath, Duration timeLimit, int maxEntries) {
    this(new JournalReader(query(maxEntries), executable, searchPath, timeLimit, Optional.empty()));
  }

  private KillerJournalReader(JournalReader journal) {
    this.journal = journal;
  }

  /** A reader running the {@code journalctl} found on this process's {@code PATH}. */
  public static KillerJournalReader ofThisMachine() {
    return new KillerJournalReader(
        "journalctl", System.getenv("PATH"), DEFAULT_TIME_LIMIT, DEFAULT_MAX_ENTRIES);
  }

  /** journalctl's arguments: this boot's newest {@code maxEntries} entries of the killers. */
  public static List<String> arguments(int maxEntries) {
    if (maxEntries <= 0) {
      throw new IllegalArgumentException("maxEntries=" + maxEntries);
    }
    List<String> args =
        new ArrayList<>(
            List.of("-b", "-o", "short-iso-precise", "--no-pager", "--lines=" + maxEntries));
    UNITS.forEach(u -> args.add("_SYSTEMD_UNIT=" + u));
    args.add("+");
    IDENTIFIERS.forEach(i -> args.add("SYSLOG_IDENTIFIER=" + i));
    args.add("+");
    args.add("_PID=1");
    return List.copyOf(args);
  }

  static JournalQuery query(int maxEntries) {
    return new JournalQuery(
        NAME,
        arguments(maxEntries),
        "records of userspace OOM killers",
        "the records of userspace OOM killers (systemd-oomd, earlyoom, nohang, kubelet"
            + " evictions) were not read; pass a saved syslog to read them",
        Optional.empty(),
        OptionalInt.of(maxEntries));
  }

  /** This reader, stopping journalctl after {@code limit}. */
  public KillerJournalReader timeLimit(Duration limit) {
    return new KillerJournalReader(journal.timeLimit(limit));
  }

  /**
   * This reader, reading the journal files in {@code dir} ({@code -D}) instead of the system's, and
   * citing them as {@code journalctl -D dir ...}; {@code -b} is then the last boot they hold.
   */
  public KillerJournalReader directory(Path dir) {
    return new KillerJournalReader(journal.directory(dir));
  }

  /** Where journalctl is: the executable itself when given as a path, else its PATH lookup. */
  public Optional<Path> locate() {
    return journal.locate();
  }

  /** The command line this reader runs, with journalctl as found (or as named when not found). */
  public List<String> command() {
    return journal.command();
  }

  /** Starts journalctl. Never throws: what goes wrong is in the log's problems. */
  public JournalLog open() {
    return journal.open();
  }
}
