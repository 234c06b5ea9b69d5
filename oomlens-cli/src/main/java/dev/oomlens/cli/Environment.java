package dev.oomlens.cli;

import static java.util.Objects.requireNonNull;

import dev.oomlens.host.LiveLog;
import dev.oomlens.host.journal.JournalReader;
import dev.oomlens.host.journal.KillerJournalReader;
import dev.oomlens.host.kmsg.KmsgReader;
import dev.oomlens.host.paths.HostPaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What the commands take from the machine they run on: standard input, the clock, where its /proc,
 * /sys and / are, its live kernel logs and its journal of userspace OOM killers. Tests pass their
 * own; {@link #system()} is the real one.
 *
 * @param clock gives "today", the default reference date for yearless syslog timestamps
 * @param host this machine's paths, read when no {@code --path.*} flag says otherwise
 * @param kmsg opens this machine's /dev/kmsg
 * @param journal opens {@code journalctl -k -b}
 * @param killers opens the journal's records of userspace OOM killers ({@code journalctl -b}
 *     matched to systemd-oomd, earlyoom, nohang, the kubelet and the service managers)
 * @param stdinIsTerminal true when standard input is a terminal, so reading it waits for a person
 * @param history the agent's default history file, which doctor reads when it exists; empty for
 *     none (tests: a history left on the machine must not change what they read)
 * @param clusterAtHand true when a kubeconfig ({@code $KUBECONFIG}, {@code ~/.kube/config}) or a
 *     pod's service account token is there, so doctor can ask the cluster for pod names
 */
record Environment(
    InputStream stdin,
    Clock clock,
    HostPaths host,
    Supplier<LiveLog> kmsg,
    Supplier<LiveLog> journal,
    Supplier<LiveLog> killers,
    BooleanSupplier stdinIsTerminal,
    Optional<Path> history,
    BooleanSupplier clusterAtHand) {
  Environment {
    requireNonNull(stdin, "stdin");
    requireNonNull(clock, "clock");
    requireNonNull(host, "host");
    requireNonNull(kmsg, "kmsg");
    requireNonNull(journal, "journal");
    requireNonNull(killers, "killers");
    requireNonNull(stdinIsTerminal, "stdinIsTerminal");
    requireNonNull(history, "history");
    requireNonNull(clusterAtHand, "clusterAtHand");
  }

  /** An environment with no default history and no cluster at hand (tests). */
  Environment(
      InputStream stdin,
      Clock clock,
      HostPaths host,
      Supplier<LiveLog> kmsg,
      Supplier<LiveLog> journal,
      Supplier<LiveLog> killers,
      BooleanSupplier stdinIsTerminal) {
    this(
        stdin, clock, host, kmsg, journal, killers, stdinIsTerminal, Optional.empty(), () -> false);
  }

  /** An environment whose standard input is not a terminal (tests, pipes). */
  Environment(
      InputStream stdin,
      Clock clock,
      HostPaths host,
      Supplier<LiveLog> kmsg,
      Supplier<LiveLog> journal,
      Supplier<LiveLog> killers) {
    this(stdin, clock, host, kmsg, journal, killers, () -> false);
  }

  static Environment system() {
    return new Environment(
        System.in,
        Clock.systemDefaultZone(),
        HostPaths.DEFAULT,
        () -> KmsgReader.ofThisMachine().open(),
        () -> JournalReader.ofThisMachine().open(),
        () -> KillerJournalReader.ofThisMachine().open(),
        Environment::isTerminalOnFd0,
        Optional.of(dev.oomlens.agent.History.defaultFile()),
        Environment::clusterAtHandHere);
  }

  /** A kubeconfig where kubectl looks, or the service account of the pod we run in. */
  private static boolean clusterAtHandHere() {
    String kubeconfig = System.getenv("KUBECONFIG");
    if (kubeconfig != null && !kubeconfig.isBlank()) {
      return true;
    }
    return Files.isRegularFile(Path.of(System.getProperty("user.home"), ".kube", "config"))
        || Files.isRegularFile(Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token"));
  }

  /** True when file descriptor 0 is a terminal (Linux: a link to /dev/pts/N or /dev/ttyN). */
  private static boolean isTerminalOnFd0() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/0")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }
}
