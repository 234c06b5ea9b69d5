package dev.oomlens.agent;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.cgroup.CgroupPaths;
import dev.oomlens.core.diagnosis.Diagnosis;
import dev.oomlens.core.diagnosis.Place;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.host.KillerEvent;
import dev.oomlens.core.kernel.KernelLogFeed;
import dev.oomlens.core.kernel.KernelLogSink;
import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.core.model.AllocFailure;
import dev.oomlens.core.model.Input;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.OomScope;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.model.Victim;
import dev.oomlens.core.model.Workload;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.MemcgLevel;
import dev.oomlens.host.kmsg.KmsgFollower;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/*
 * Order of a kill's life, which makes "kill -9 loses nothing that was read" true: the report is
 * assembled, what is gone a moment later is read from the host, the report is diagnosed, the row
 * and the cursor are committed in one transaction, and only then is the counter incremented and
 * the listeners told. A crash before the commit leaves the cursor before the report, so the next
 * run reads it again from the ring buffer; a crash after it finds the row there, and the (boot,
 * kill_seq) key keeps the second reading from counting it twice.
 *
 * The cursor is the last record that belongs to no event still held: a report waiting for its
 * kill line, or for its reaper's, is never split by a restart.
 *
 * Past the kernel's ratelimit (10 reports in 5 s by default) a kill is one bare line with no
 * cgroup. It is still stored and counted; its cgroup is taken from /proc/PID/cgroup while the
 * victim is still exiting (never "/", where exiting tasks are moved), else from the last whole
 * report that killed a task of the same name, and cgroupSource says which.
 */

/** Turns /dev/kmsg records into diagnosed, stored and counted OOM kills. One thread feeds it. */
final class Capture implements KmsgFollower.Listener {
  /** Quiet after which a report whose kill line was read is handed over. */
  static final Duration HAND_OVER_QUIET = Duration.ofMillis(10);

  /** Quiet after which a report the kernel stopped writing is handed over as cut short. */
  static final Duration CUT_QUIET = Duration.ofSeconds(2);

  /** How long the follower waits when nothing is held. */
  static final Duration IDLE_QUIET = Duration.ofSeconds(1);

  /** The cursor is written at most this often while nothing else is. */
  static final long CURSOR_EVERY_NANOS = Duration.ofSeconds(1).toNanos();

  /** Names of a kill's workload, when something knows them (the Kubernetes API). */
  interface Names {
    Optional<Named> of(Optional<String> podUid, Optional<String> containerId);

    /** No names: the labels hold the pod UID and the container ID. */
    Names NONE = (uid, id) -> Optional.empty();
  }

  /** A pod's namespace and name, and the container's name (empty when not found). */
  record Named(String namespace, String pod, String container) {}

  /** Told of every kill after it was stored, once. */
  interface KillListener {
    /** {@code latencyMicros}: from the kill line's kmsg stamp to the commit of its row. */
    void killed(KillRecord kill, OomReport report, long latencyMicros);
  }

  private final String name;
  private final String bootId;
  private final Instant bootTime;
  private final History history;
  private final Metrics metrics;
  private final AtKill atKill;
  private final List<KillListener> listeners;
  private final Names names;
  private final LongSupplier nanoTime;
  private final KernelLogFeed feed;
  private final List<OomReport> handedOver = new ArrayList<>();
  private final TreeMap<Long, Long> seqOfLine = new TreeMap<>();
  private final TreeMap<Long, String> textOfSeq = new TreeMap<>();
  private final TreeMap<Long, Long> microsOfSeq = new TreeMap<>();
  private final Map<String, String> cgroupOfComm =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
          return size() > 1024;
        }
      };
  private final List<Problem> problems = new ArrayList<>();

  private long lastSeq = -1;
  private long savedCursor;
  private long cursorWrittenAt;
  private boolean quietHandedOver;
  private long stored;
  private long duplicates;

  Capture(
      String name,
      String bootId,
      Instant bootTime,
      long cursor,
      History history,
      Metrics metrics,
      AtKill atKill,
      List<KillListener> listeners,
      Names names,
      ReaderOptions options,
      LongSupplier nanoTime) {
    this.name = requireNonNull(name, "name");
    this.bootId = requireNonNull(bootId, "bootId");
    this.bootTime = requireNonNull(bootTime, "bootTime");
    this.savedCursor = cursor;
    this.history = requireNonNull(history, "history");
    this.metrics = requireNonNull(metrics, "metrics");
    this.atKill = requireNonNull(atKill, "atKill");
    this.listeners = List.copyOf(listeners);
    this.names = requireNonNull(names, "names");
    this.nanoTime = requireNonNull(nanoTime, "nanoTime");
    cgroupOfComm.putAll(history.lastCgroupByComm(1024));
    this.feed =
        new KernelLogFeed(
            name,
            options,
            new KernelLogSink() {
              @Override
              public void report(OomReport report) {
                handedOver.add(report);
              }

              @Override
              public void allocFailure(AllocFailure failure) {
                // Allocation failures are not kills; doctor diagnoses them from the log.
              }

              @Override
              public void problem(Problem problem) {
                if (problems.size() < 100) {
                  problems.add(problem);
                }
              }

              @Override
              public void killerEvent(KillerEvent event) {
                // The kernel log holds no userspace killer's records; the journal does.
              }
            });
  }

  @Override
  public void record(long sequence, long micros, String text) {
    lastSeq = sequence;
    quietHandedOver = false;
    textOfSeq.put(sequence, text);
    microsOfSeq.put(sequence, micros);
    for (String line : text.split("\n", -1)) {
      seqOfLine.put(feed.line(line), sequence);
    }
    // A report handed over while this record was fed ended because this record began the next.
    storeHandedOver(feed.holdsEvents() ? sequence - 1 : sequence);
    if (!feed.holdsEvents()) {
      forgetUpTo(sequence);
    }
  }

  @Override
  public void quiet(Duration quietFor) {
    if (!quietHandedOver) {
      feed.quiet(quietFor.compareTo(CUT_QUIET) >= 0);
      quietHandedOver = !feed.holdsEvents();
      storeHandedOver(feed.holdsEvents() ? savedCursor : lastSeq);
      if (!feed.holdsEvents()) {
        forgetUpTo(lastSeq);
      }
    }
    long now = nanoTime.getAsLong();
    if (!feed.holdsEvents()
        && lastSeq > savedCursor
        && now - cursorWrittenAt >= CURSOR_EVERY_NANOS) {
      history.cursor(bootId, lastSeq);
      savedCursor = lastSeq;
      cursorWrittenAt = now;
    }
  }

  @Override
  public Duration quietPeriod() {
    if (quietHandedOver || lastSeq < 0) {
      return IDLE_QUIET;
    }
    return feed.holdsEvents() ? HAND_OVER_QUIET : IDLE_QUIET;
  }

  @Override
  public void lost(long first, long last) {
    if (first >= 0) {
      metrics.recordsLost.inc(last - first + 1);
      history.lost(bootId, first, last);
    } else {
      history.lost(bootId, -1, -1);
    }
  }

  /** Kills stored by this capture (not counting ones found already stored). */
  long stored() {
    return stored;
  }

  /** Kills read again that the history already held (a restart from an older cursor). */
  long duplicates() {
    return duplicates;
  }

  /** Lines the feed could not assemble (the first 100). */
  List<Problem> problems() {
    return List.copyOf(problems);
  }

  private void storeHandedOver(long cursor) {
    if (handedOver.isEmpty()) {
      return;
    }
    List<OomReport> reports = List.copyOf(handedOver);
    handedOver.clear();
    for (OomReport r : reports) {
      store(r, Math.max(cursor, savedCursor));
    }
    forgetUpTo(cursor);
  }

  private void store(OomReport r, long cursor) {
    TreeSet<Long> seqs = new TreeSet<>();
    for (SourceLine line : r.lines()) {
      Long seq = seqOfLine.get(line.line());
      if (seq != null) {
        seqs.add(seq);
      }
    }
    if (seqs.isEmpty()) {
      return; // cannot happen: every line fed is numbered; nothing to place the report by
    }
    long killSeq = r.victim().map(v -> seqOfLine.get(v.source().line())).orElse(seqs.last());
    StringBuilder text = new StringBuilder();
    for (long seq : seqs) {
      text.append(textOfSeq.get(seq)).append('\n');
    }
    long micros = microsOfSeq.getOrDefault(killSeq, 0L);
    // Milliseconds, as the history stores it: a kill reads back equal to the one stored.
    Instant at =
        bootTime.plusNanos(micros * 1000).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);

    Optional<Victim> victim = r.victim();
    String cgroupSource = "report";
    Optional<String> cgroup = r.taskMemcg();
    if (cgroup.isEmpty() && victim.isPresent()) {
      cgroup = atKill.cgroupOf(victim.get().pid());
      cgroupSource = "/proc/" + victim.get().pid() + "/cgroup";
      if (cgroup.isEmpty()) {
        cgroup = Optional.ofNullable(cgroupOfComm.get(victim.get().comm()));
        cgroupSource = "earlier report of " + victim.get().comm();
      }
    }
    if (cgroup.isEmpty()) {
      cgroupSource = "unknown";
    } else if (r.taskMemcg().isPresent() && victim.isPresent()) {
      cgroupOfComm.put(victim.get().comm(), cgroup.get());
    }
    String captured = atKill.capture(r, cgroup);

    Diagnosis d = diagnose(r);
    Optional<Finding> main =
        d.incidents().stream().findFirst().flatMap(i -> i.findings().stream().findFirst());
    Workload w = cgroup.map(CgroupPaths::decode).orElse(r.workload());
    Verdict verdict = Verdict.of(r);
    String summary = main.map(Finding::summary).orElse(Place.words(r));

    KillRecord kill =
        new KillRecord(
            bootId,
            seqs.first(),
            killSeq,
            Math.max(killSeq, seqs.last()),
            at,
            victim.map(v -> OptionalLong.of(v.pid())).orElse(OptionalLong.empty()),
            victim.map(Victim::comm),
            victim.map(Victim::rssBytes).orElse(OptionalLong.empty()),
            cgroup,
            cgroupSource,
            r.oomMemcg(),
            verdict,
            w.podUid(),
            w.containerId(),
            w.unit(),
            main.map(Finding::code),
            summary,
            text.toString(),
            captured);
    if (!history.addKill(kill, cursor)) {
      duplicates++;
      return;
    }
    savedCursor = Math.max(savedCursor, cursor);
    stored++;
    Optional<Named> named = names.of(w.podUid(), w.containerId());
    metrics
        .kills
        .labelValues(
            scope(r),
            verdict.label(),
            named.map(Named::namespace).orElse(""),
            named.map(Named::pod).orElse(w.podUid().orElse("")),
            named
                .map(Named::container)
                .filter(c -> !c.isEmpty())
                .orElse(w.containerId().orElse("")),
            w.unit().orElse(""),
            main.map(Finding::code).orElse("none"))
        .inc();
    long latency = nanoTime.getAsLong() / 1000 - micros;
    for (KillListener l : listeners) {
      try {
        l.killed(kill, r, latency);
      } catch (RuntimeException e) {
        // A listener (an Event not posted) must not stop capture; the row is stored.
      }
    }
  }

  private Diagnosis diagnose(OomReport r) {
    EvidenceSet.Builder b = EvidenceSet.builder();
    try (EvidenceSet.InputSink sink =
        b.read(name, Input.Kind.KERNEL_LOG, "this boot, as the agent read it", false)) {
      sink.report(r);
    }
    return Diagnosis.of(b.build());
  }

  /** The level whose limit was hit, as a label: container, pod, kubepods, unit, host... */
  static String scope(OomReport r) {
    Optional<MemcgLevel> level = MemcgLevel.of(r);
    if (level.isPresent()) {
      return level.get().name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
    return r.scope()
        .map(
            s ->
                s == OomScope.MEMCG
                    ? "cgroup"
                    : s == OomScope.GLOBAL
                        ? "host"
                        : s.name().toLowerCase(Locale.ROOT).replace('_', '-'))
        .orElse("unknown");
  }

  /** Forgets the records and line numbers that no held event can cite any more. */
  private void forgetUpTo(long seq) {
    textOfSeq.headMap(seq, true).clear();
    microsOfSeq.headMap(seq, true).clear();
    while (!seqOfLine.isEmpty() && seqOfLine.firstEntry().getValue() <= seq) {
      seqOfLine.pollFirstEntry();
    }
  }
}
