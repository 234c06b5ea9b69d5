package dev.oomlens.cli;

import static java.util.Objects.requireNonNull;

import dev.oomlens.host.LiveLog;
import dev.oomlens.host.journal.JournalReader;
import dev.oomlens.host.kmsg.KmsgReader;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * What the commands take from the machine they run on: standard input, the clock, /proc and the
 * live kernel logs. Tests pass their own; {@link #system()} is the real one.
 *
 * @param clock gives "today", the default reference date for yearless syslog timestamps
 * @param procRoot where /proc is: the doctor header reads hostname, kernel release and uptime
 * @param kmsg opens this machine's /dev/kmsg
 * @param journal opens {@code journalctl -k -b}
 */
record Environment(
    InputStream stdin,
    Clock clock,
    Path procRoot,
    Supplier<LiveLog> kmsg,
    Supplier<LiveLog> journal) {
  Environment {
    requireNonNull(stdin, "stdin");
    requireNonNull(clock, "clock");
    requireNonNull(procRoot, "procRoot");
    requireNonNull(kmsg, "kmsg");
    requireNonNull(journal, "journal");
  }

  static Environment system() {
    return new Environment(System.in, Clock.systemDefaultZone(), Path.of("/proc"),
        () -> KmsgReader.ofThisMachine().open(), () -> JournalReader.ofThisMachine().open());
  }
}
