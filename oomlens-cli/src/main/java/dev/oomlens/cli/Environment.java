package dev.oomlens.cli;

import static java.util.Objects.requireNonNull;

import dev.oomlens.host.LiveLog;
import dev.oomlens.host.journal.JournalReader;
import dev.oomlens.host.kmsg.KmsgReader;
import dev.oomlens.host.paths.HostPaths;
import java.io.InputStream;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * What the commands take from the machine they run on: standard input, the clock, where its
 * /proc, /sys and / are, and its live kernel logs. Tests pass their own; {@link #system()} is the
 * real one.
 *
 * @param clock gives "today", the default reference date for yearless syslog timestamps
 * @param host this machine's paths, read when no {@code --path.*} flag says otherwise
 * @param kmsg opens this machine's /dev/kmsg
 * @param journal opens {@code journalctl -k -b}
 */
record Environment(
    InputStream stdin,
    Clock clock,
    HostPaths host,
    Supplier<LiveLog> kmsg,
    Supplier<LiveLog> journal) {
  Environment {
    requireNonNull(stdin, "stdin");
    requireNonNull(clock, "clock");
    requireNonNull(host, "host");
    requireNonNull(kmsg, "kmsg");
    requireNonNull(journal, "journal");
  }

  static Environment system() {
    return new Environment(System.in, Clock.systemDefaultZone(), HostPaths.DEFAULT,
        () -> KmsgReader.ofThisMachine().open(), () -> JournalReader.ofThisMachine().open());
  }
}
