package dev.oomlens.agent;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.host.kmsg.KmsgFollower;
import dev.oomlens.host.paths.HostPaths;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/*
 * Threads: the caller's thread follows the kernel log (capture, diagnosis, history writes); one
 * scheduled thread samples and judges warnings; one serves /metrics. The history is synchronized,
 * so the two writers never interleave a transaction.
 */

/** {@code oomlens watch}: the node agent, run until {@link #close()} (Ctrl-C, SIGTERM). */
public final class Agent implements AutoCloseable {

  /**
   * How the agent runs.
   *
   * @param db the history file
   * @param listen where /metrics is served; empty to serve none
   * @param interval how often memory and pressure are sampled
   * @param kmsg the kernel log device
   * @param retention how long the history keeps what it recorded
   * @param maxDbBytes the history's size past which the oldest rows go
   * @param kubernetesNode with a node name: name kills after this node's pods and post Events
   *     (in-cluster service account, or the kubeconfig)
   */
  public record Options(
      Path db,
      Optional<InetSocketAddress> listen,
      Duration interval,
      HostPaths paths,
      Path kmsg,
      Duration retention,
      long maxDbBytes,
      Warnings.Thresholds thresholds,
      Optional<String> kubernetesNode) {
    public Options {
      requireNonNull(db, "db");
      requireNonNull(listen, "listen");
      requireNonNull(interval, "interval");
      requireNonNull(paths, "paths");
      requireNonNull(kmsg, "kmsg");
      requireNonNull(retention, "retention");
      requireNonNull(thresholds, "thresholds");
      requireNonNull(kubernetesNode, "kubernetesNode");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("interval must be positive: " + interval);
      }
    }
  }

  /** Why the agent could not start. */
  public static final class StartException extends Exception {
    private static final long serialVersionUID = 1L;

    StartException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private static final Duration RETRY_FILE_EVERY = Duration.ofSeconds(30);
  private static final Duration RETAIN_EVERY = Duration.ofHours(1);

  private final Options options;
  private final Clock clock;
  private final PrintWriter log;
  private final Metrics metrics = new Metrics();
  private final List<Capture.KillListener> listeners = new ArrayList<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private History history;
  private dev.oomlens.host.kmsg.LogFollower follower;
  private List<String> journalCommand;
  private java.util.function.Function<Optional<String>, List<String>> killerCommand;
  private KillerFollower killers;
  private Capture capture;
  private Sampler sampler;
  private Warnings warnings;
  private ScheduledExecutorService scheduler;
  private volatile boolean closing;
  private int port = -1;
  private Instant lastRetain = Instant.EPOCH;
  private KubeLink kube;
  private io.fabric8.kubernetes.client.KubernetesClient kubeClient;

  public Agent(Options options, Clock clock, PrintWriter log) {
    this.options = requireNonNull(options, "options");
    this.clock = requireNonNull(clock, "clock");
    this.log = requireNonNull(log, "log");
    List<String> journal = journalSource(options.paths());
    this.journalCommand = JournalFollower.command(journal);
    this.killerCommand = cursor -> KillerFollower.command("journalctl", journal, cursor);
  }

  /** The command followed where /dev/kmsg cannot be read (tests: a recorded journal). */
  void journalCommand(List<String> command) {
    this.journalCommand = List.copyOf(command);
  }

  /**
   * The command that follows the userspace killers' journal entries, given the cursor to resume
   * after (tests: journal files of their own).
   */
  void killerCommand(java.util.function.Function<Optional<String>, List<String>> command) {
    this.killerCommand = command;
  }

  KillerFollower killers() {
    return killers;
  }

  /** The client --kubernetes uses, instead of the in-cluster one (tests: the mock server's). */
  void kubernetesClient(io.fabric8.kubernetes.client.KubernetesClient client) {
    this.kubeClient = client;
  }

  /** Adds a listener told of every kill once it is stored (Kubernetes Events, tests). */
  void addListener(Capture.KillListener listener) {
    listeners.add(listener);
  }

  /**
   * Where journalctl finds the host's journal: under the host's root when the agent sees it mounted
   * elsewhere (a DaemonSet's /host), where --root finds both the persistent /var/log/journal and
   * the volatile /run/log/journal; else this machine's own.
   */
  static List<String> journalSource(HostPaths paths) {
    return paths.root().equals(Path.of("/"))
        ? List.of()
        : List.of("--root=" + paths.root().toAbsolutePath());
  }

  /**
   * Opens the history, the kernel log and the metrics endpoint. Does not follow yet: {@link #run()}
   * does.
   *
   * @throws StartException naming what could not be opened and what to do
   */
  public void start() throws StartException {
    protectItself();
    history = History.openForAgent(options.db(), clock);
    history.notes().forEach(n -> say(n));
    metrics.historyWritable.set(history.writable() ? 1 : 0);
    String bootId = bootId(options.paths());
    history.boot(bootId, bootTime(options.paths(), clock));
    // The first run of a boot fixed its start: every run dates the boot's records alike.
    Instant bootTime = history.boots().getOrDefault(bootId, bootTime(options.paths(), clock));
    OptionalLong cursor = history.cursor(bootId);
    try {
      follower = KmsgFollower.open(options.kmsg(), cursor.orElse(-1));
    } catch (KmsgFollower.OpenException e) {
      try {
        follower = JournalFollower.start(journalCommand, cursor.orElse(-1));
        say(
            e.getMessage()
                + "; following the journal's kernel messages instead ("
                + follower.name()
                + ")");
      } catch (java.io.IOException journal) {
        history.close();
        throw new StartException(
            e.getMessage() + "; and the journal cannot be followed: " + journal.getMessage(), e);
      }
    }
    say(
        "following "
            + follower.name()
            + (cursor.isPresent()
                ? " after record " + cursor.getAsLong() + " (read before this boot's last stop)"
                : " from the oldest record of this boot")
            + "; history "
            + options.db()
            + (history.writable() ? "" : " (in memory)"));
    List<Capture.KillListener> all = new ArrayList<>(listeners);
    all.add(this::tell);
    Capture.Names names = Capture.Names.NONE;
    if (options.kubernetesNode().isPresent()) {
      try {
        kube =
            new KubeLink(
                kubeClient != null
                    ? kubeClient
                    : new io.fabric8.kubernetes.client.KubernetesClientBuilder().build(),
                options.kubernetesNode().get(),
                this::say);
        kube.start();
      } catch (RuntimeException e) {
        follower.close();
        history.close();
        throw new StartException(
            "cannot watch the pods of node "
                + options.kubernetesNode().get()
                + ": "
                + e.getMessage(),
            e);
      }
      all.add(kube);
      names = kube;
      say("naming kills after the pods of node " + options.kubernetesNode().get());
    }
    capture =
        new Capture(
            follower.name(),
            bootId,
            bootTime,
            cursor.orElse(-1),
            history,
            metrics,
            new AtKill(options.paths(), 5, 20),
            all,
            names,
            new ReaderOptions(LocalDate.now(clock)),
            System::nanoTime);
    warnings = new Warnings(options.thresholds(), history, metrics, this::say);
    sampler = new Sampler(options.paths(), metrics);
    if (options.listen().isPresent()) {
      try {
        port = metrics.serve(options.listen().get());
      } catch (IOException e) {
        follower.close();
        history.close();
        throw new StartException(
            "cannot serve metrics on " + hostPort(options.listen().get()) + ": " + e.getMessage(),
            e);
      }
      say(
          "metrics at http://"
              + hostPort(new InetSocketAddress(options.listen().get().getAddress(), port))
              + "/metrics");
    }
    scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "oomlens-sampler");
              t.setDaemon(true);
              return t;
            });
    scheduler.scheduleAtFixedRate(
        this::tick, 0, options.interval().toMillis(), TimeUnit.MILLISECONDS);
    Optional<String> killerCursor = history.killerCursor();
    try {
      killers =
          KillerFollower.start(
              killerCommand.apply(killerCursor),
              history,
              metrics,
              this::say,
              new ReaderOptions(LocalDate.now(clock)));
      say(
          "following "
              + KillerFollower.NAME
              + (killerCursor.isPresent()
                  ? " after the entry read last"
                  : " from this boot's start")
              + " for kills by userspace OOM killers");
    } catch (IOException e) {
      say(
          "cannot follow the journal for kills by userspace OOM killers ("
              + dev.oomlens.core.source.IoReasons.of(e)
              + "): kills by systemd-oomd or earlyoom are not recorded");
    }
  }

  /** Follows the kernel log until {@link #close()}; returns false when the device failed. */
  public boolean run() {
    try {
      KmsgFollower.End end = follower.follow(capture);
      if (end == KmsgFollower.End.DEVICE_FAILED && !closing) {
        say(follower.failure());
        return false;
      }
      return true;
    } finally {
      stopped.countDown();
    }
  }

  /** The port /metrics is served on; -1 when none. */
  public int port() {
    return port;
  }

  Capture capture() {
    return capture;
  }

  History history() {
    return history;
  }

  Metrics metrics() {
    return metrics;
  }

  private void tick() {
    try {
      Sampler.Sample s = sampler.sample(clock.instant());
      warnings.judge(s);
      if (!history.writable() && history.retryFile(RETRY_FILE_EVERY)) {
        history.notes().forEach(this::say);
      }
      metrics.historyWritable.set(history.writable() ? 1 : 0);
      Instant now = clock.instant();
      if (now.isAfter(lastRetain.plus(RETAIN_EVERY))) {
        lastRetain = now;
        history.retain(options.retention(), options.maxDbBytes());
      }
      history.notes().forEach(this::say);
    } catch (RuntimeException e) {
      // A failed sample must not end sampling: the next tick reads afresh.
      say("sampling failed: " + e);
    }
  }

  /** One line per kill for the person watching: what, where, the verdict, how fast. */
  private void tell(KillRecord k, dev.oomlens.core.model.OomReport r, long latencyMicros) {
    say(
        "OOM kill at "
            + k.at()
            + ": "
            + k.victimPid().stream()
                .mapToObj(p -> p + " (" + k.victimComm().orElse("?") + ")")
                .findFirst()
                .orElse("nothing killed")
            + k.victimRssBytes().stream()
                .mapToObj(b -> ", " + dev.oomlens.core.rules.Sizes.bytes(b))
                .findFirst()
                .orElse("")
            + " in "
            + k.cgroup().orElse("(cgroup unknown)")
            + "; verdict "
            + k.verdict().label()
            + "; "
            + k.code().orElse("no finding")
            + ": "
            + k.summary()
            + String.format(
                java.util.Locale.ROOT,
                " [recorded %.1f ms after the kernel's line]",
                latencyMicros / 1000.0));
  }

  private synchronized void say(String message) {
    log.println("oomlens watch: " + message);
    log.flush();
  }

  /** Stops following, sampling and serving; closes the history. Safe from any thread. */
  @Override
  public void close() {
    if (closing) {
      return;
    }
    closing = true;
    if (scheduler != null) {
      scheduler.shutdownNow();
      try {
        scheduler.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (follower != null) {
      follower.close();
      try {
        stopped.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (killers != null) {
      killers.close();
    }
    metrics.close();
    if (kube != null) {
      kube.close();
    }
    if (history != null) {
      history.close();
    }
  }

  private static String hostPort(InetSocketAddress a) {
    String host = a.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  /** The OOM killer's last choice on this host: what the agent asks for itself. */
  static final int OOM_SCORE_ADJ = -900;

  /*
   * The agent must never be the victim of what it watches: with -900 the kernel picks any
   * ordinary process first (the systemd unit and the chart set the same, where they can). Lowering
   * the score needs CAP_SYS_RESOURCE; without it the agent says so and goes on.
   */
  private void protectItself() {
    Path adj = Path.of("/proc/self/oom_score_adj");
    try {
      int now = Integer.parseInt(Files.readString(adj, StandardCharsets.US_ASCII).strip());
      if (now > OOM_SCORE_ADJ) {
        Files.writeString(adj, Integer.toString(OOM_SCORE_ADJ));
      }
    } catch (IOException | RuntimeException e) {
      say(
          "could not lower its own oom_score_adj to "
              + OOM_SCORE_ADJ
              + " ("
              + e.getClass().getSimpleName()
              + "): the OOM killer may choose the agent");
    }
  }

  /** This boot's id, from {@code /proc/sys/kernel/random/boot_id}; "unknown" when unreadable. */
  static String bootId(HostPaths paths) {
    try {
      return Files.readString(
              paths.proc().resolve("sys/kernel/random/boot_id"), StandardCharsets.US_ASCII)
          .strip();
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** When this boot began: now minus {@code /proc/uptime}. */
  static Instant bootTime(HostPaths paths, Clock clock) {
    try {
      String up =
          Files.readString(paths.proc().resolve("uptime"), StandardCharsets.US_ASCII)
              .strip()
              .split("\\s+")[0];
      return clock.instant().minusMillis(Math.round(Double.parseDouble(up) * 1000));
    } catch (IOException | RuntimeException e) {
      return clock.instant();
    }
  }
}
