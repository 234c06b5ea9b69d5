package dev.oomlens.core.rules;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.cluster.ClusterState;
import dev.oomlens.core.cluster.PodName;
import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.core.host.KillerEvent;
import dev.oomlens.core.kernel.KernelLogSink;
import dev.oomlens.core.model.AllocFailure;
import dev.oomlens.core.model.Input;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.series.HostSeries;
import dev.oomlens.core.series.KillMatching;
import dev.oomlens.core.series.MemoryProfile;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Everything the analyzers may look at, read once: the inputs and what became of reading each, the
 * kernel's OOM reports grouped into incidents, allocation failures, the machine's current state
 * when it was read, and the records of userspace killers.
 *
 * <p>Made with {@link #builder()}: the readers of every source hand it their events, and {@link
 * Builder#build()} groups the reports into incidents.
 */
public final class EvidenceSet {
  /*
   * Immutable, so what the analyzers derive from the whole of it (each workload's kill series,
   * the incident of each report) is computed once, on first use, and kept beside it: several
   * analyzers ask for the same thing once per report, and a value over every report recomputed per
   * report made a run quadratic in the size of the input (4 GiB: three quarters of the samples in
   * KillSeries.of). Not part of equality: a value derived from the evidence adds nothing to it.
   */
  private final List<Input> inputs;
  private final List<OomReport> reports;
  private final List<Incident> incidents;
  private final List<AllocFailure> allocFailures;
  private final Optional<HostSnapshot> host;
  private final List<KillerEvent> killers;
  private final boolean exitedWithSigkill;
  private final List<ClusterState> clusters;
  private final List<MemoryProfile> memory;
  private final List<HostSeries> hostSeries;
  private final Map<String, PodName> podNames;
  private final Map<Derived<?>, Object> derived = new HashMap<>();

  /**
   * The evidence as given; the lists and the map are copied.
   *
   * @param inputs in the order they were read; a fact's absence means something only for the inputs
   *     of its kind that {@linkplain Input#isWhole() were read whole}
   * @param host empty when diagnosing saved logs without a host tree
   * @param exitedWithSigkill true when the user says a workload died of SIGKILL / exit 137 (used to
   *     tell a kernel OOM kill from a manual kill or eviction when no report exists)
   * @param clusters what Kubernetes clusters told (live or from dumps); empty when none was read
   * @param memory each workload's memory over time, from series inputs, by workload name
   * @param hostSeries each host's memory over time (node_exporter's series), by instance
   * @param podNames the names of pods by UID, when a cluster was asked only for them (doctor with a
   *     kubeconfig at hand): they name the kills, and no cluster rule reads them
   */
  public EvidenceSet(
      List<Input> inputs,
      List<OomReport> reports,
      List<Incident> incidents,
      List<AllocFailure> allocFailures,
      Optional<HostSnapshot> host,
      List<KillerEvent> killers,
      boolean exitedWithSigkill,
      List<ClusterState> clusters,
      List<MemoryProfile> memory,
      List<HostSeries> hostSeries,
      Map<String, PodName> podNames) {
    this.inputs = List.copyOf(inputs);
    this.reports = List.copyOf(reports);
    this.incidents = List.copyOf(incidents);
    this.allocFailures = List.copyOf(allocFailures);
    this.host = requireNonNull(host, "host");
    this.killers = List.copyOf(killers);
    this.exitedWithSigkill = exitedWithSigkill;
    this.clusters = List.copyOf(clusters);
    this.memory = List.copyOf(memory);
    this.hostSeries = List.copyOf(hostSeries);
    this.podNames = Map.copyOf(podNames);
  }

  public List<Input> inputs() {
    return inputs;
  }

  public List<OomReport> reports() {
    return reports;
  }

  public List<Incident> incidents() {
    return incidents;
  }

  public List<AllocFailure> allocFailures() {
    return allocFailures;
  }

  public Optional<HostSnapshot> host() {
    return host;
  }

  public List<KillerEvent> killers() {
    return killers;
  }

  public boolean exitedWithSigkill() {
    return exitedWithSigkill;
  }

  public List<ClusterState> clusters() {
    return clusters;
  }

  public List<MemoryProfile> memory() {
    return memory;
  }

  public List<HostSeries> hostSeries() {
    return hostSeries;
  }

  public Map<String, PodName> podNames() {
    return podNames;
  }

  /**
   * The value {@code key} derives from this evidence, computed on the first call for this set and
   * returned again after: {@code key}'s function must depend on the evidence alone. Safe to call
   * from several threads (the value may then be computed twice; the first one stored wins).
   */
  <T> T derived(Derived<T> key) {
    synchronized (derived) {
      Object v = derived.get(key);
      if (v != null) {
        return key.cast(v);
      }
    }
    // Computed outside the lock: a derived value may ask for another.
    T v = requireNonNull(key.compute(this), "derived value");
    synchronized (derived) {
      Object prev = derived.putIfAbsent(key, v);
      return prev == null ? v : key.cast(prev);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EvidenceSet e
        && inputs.equals(e.inputs)
        && reports.equals(e.reports)
        && incidents.equals(e.incidents)
        && allocFailures.equals(e.allocFailures)
        && host.equals(e.host)
        && killers.equals(e.killers)
        && exitedWithSigkill == e.exitedWithSigkill
        && clusters.equals(e.clusters)
        && memory.equals(e.memory)
        && hostSeries.equals(e.hostSeries)
        && podNames.equals(e.podNames);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        inputs,
        reports,
        incidents,
        allocFailures,
        host,
        killers,
        exitedWithSigkill,
        clusters,
        memory,
        hostSeries,
        podNames);
  }

  @Override
  public String toString() {
    return "EvidenceSet[inputs="
        + inputs
        + ", reports="
        + reports
        + ", incidents="
        + incidents
        + ", allocFailures="
        + allocFailures
        + ", host="
        + host
        + ", killers="
        + killers
        + ", exitedWithSigkill="
        + exitedWithSigkill
        + ", clusters="
        + clusters
        + ", memory="
        + memory
        + ", hostSeries="
        + hostSeries
        + ", podNames="
        + podNames
        + "]";
  }

  /** What the cluster calls the pod of the first of {@code incident}'s reports it names. */
  public Optional<String> podOf(Incident incident) {
    return incident.reports().stream().map(this::podOf).flatMap(Optional::stream).findFirst();
  }

  /** What the cluster calls the pod of {@code report}'s cgroup, when its names were read. */
  public Optional<String> podOf(OomReport report) {
    return report
        .workload()
        .podUid()
        .map(podNames::get)
        .map(p -> p.describe(report.workload().containerId()));
  }

  /** An empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The inputs of one kind, in reading order. */
  public List<Input> inputs(Input.Kind kind) {
    return inputs.stream().filter(i -> i.kind() == kind).toList();
  }

  /**
   * True when at least one kernel log was read and every kernel log was read whole: only then does
   * "no report" mean "no OOM kill".
   */
  public boolean kernelLogWhole() {
    List<Input> logs = inputs(Input.Kind.KERNEL_LOG);
    return !logs.isEmpty() && logs.stream().allMatch(Input::isWhole);
  }

  /** True when the records of userspace killers were read (whole) from at least one input. */
  public boolean killerRecordsRead() {
    return inputs.stream()
        .anyMatch(
            i ->
                (i.kind() == Input.Kind.KILLER_LOG || i.kind() == Input.Kind.KERNEL_LOG)
                    && i.isWhole());
  }

  private static final Derived<IdentityHashMap<OomReport, Incident>> INCIDENT_OF_REPORT =
      Derived.of(
          e -> {
            IdentityHashMap<OomReport, Incident> m = new IdentityHashMap<>();
            for (Incident i : e.incidents()) {
              for (OomReport r : i.reports()) {
                m.putIfAbsent(r, i);
              }
            }
            return m;
          });

  /** The incident holding {@code report} (this very report, not an equal one), when in one. */
  public Optional<Incident> incidentOf(OomReport report) {
    return Optional.ofNullable(INCIDENT_OF_REPORT.get(this).get(report));
  }

  /** Collects the evidence of one run; not thread-safe. */
  public static final class Builder {
    private final List<Input> inputs = new ArrayList<>();
    private final List<OomReport> reports = new ArrayList<>();
    private final List<AllocFailure> allocFailures = new ArrayList<>();
    private final List<KillerEvent> killers = new ArrayList<>();
    private final List<ClusterState> clusters = new ArrayList<>();
    private final Map<String, PodName> podNames = new java.util.HashMap<>();
    private Optional<HostSnapshot> host = Optional.empty();
    private boolean hostSet;
    private boolean exitedWithSigkill;
    private final List<MemoryProfile> memory = new ArrayList<>();
    private final List<HostSeries> hostSeries = new ArrayList<>();

    private Builder() {}

    /** Adds a report read outside any {@link #read} (tests, recorded history). */
    public Builder report(OomReport report) {
      reports.add(requireNonNull(report, "report"));
      return this;
    }

    public Builder reports(List<OomReport> all) {
      all.forEach(this::report);
      return this;
    }

    public Builder allocFailure(AllocFailure failure) {
      allocFailures.add(requireNonNull(failure, "failure"));
      return this;
    }

    public Builder allocFailures(List<AllocFailure> all) {
      all.forEach(this::allocFailure);
      return this;
    }

    public Builder killer(KillerEvent event) {
      killers.add(requireNonNull(event, "event"));
      return this;
    }

    public Builder killers(List<KillerEvent> all) {
      all.forEach(this::killer);
      return this;
    }

    /** The machine's state as read, and the record of reading it. */
    public Builder host(HostSnapshot snapshot, Input input) {
      this.host = Optional.of(requireNonNull(snapshot, "snapshot"));
      hostSet = true;
      return input(input);
    }

    /** The machine's state, read by a test or a recorded history: no input is recorded. */
    public Builder host(Optional<HostSnapshot> snapshot) {
      this.host = requireNonNull(snapshot, "snapshot");
      hostSet = true;
      return this;
    }

    /** What a cluster told, and the record of reading it. */
    public Builder cluster(ClusterState cluster, Input input) {
      clusters.add(requireNonNull(cluster, "cluster"));
      return input(input);
    }

    /** What a cluster told, built by a test: no input is recorded. */
    public Builder cluster(ClusterState cluster) {
      clusters.add(requireNonNull(cluster, "cluster"));
      return this;
    }

    /** A workload's memory over time, as a series reader summed it up. */
    public Builder memory(MemoryProfile profile) {
      memory.add(requireNonNull(profile, "profile"));
      return this;
    }

    /** A host's memory over time, as a series reader summed it up. */
    public Builder hostSeries(HostSeries host) {
      hostSeries.add(requireNonNull(host, "host"));
      return this;
    }

    /** The names of a cluster's pods, and the record of reading them. */
    public Builder podNames(List<PodName> pods, Input input) {
      pods.forEach(p -> podNames.put(p.uid(), p));
      return input(input);
    }

    public Builder exitedWithSigkill(boolean value) {
      this.exitedWithSigkill = value;
      return this;
    }

    /** Records an input whose events were added another way (or that held none). */
    public Builder input(Input input) {
      inputs.add(requireNonNull(input, "input"));
      return this;
    }

    /**
     * A sink for one input's events: reports and allocation failures go into the evidence, and so
     * do the killers' records when {@code withKillers}; {@link InputSink#close()} records the input
     * with its problems.
     */
    public InputSink read(String name, Input.Kind kind, boolean withKillers) {
      return new InputSink(this, name, kind, Optional.empty(), withKillers);
    }

    /** Like {@link #read(String, Input.Kind, boolean)}, for an input that reaches only so far. */
    public InputSink read(String name, Input.Kind kind, String span, boolean withKillers) {
      return new InputSink(this, name, kind, Optional.of(span), withKillers);
    }

    /**
     * Adds what {@code partial} collected, as if the sources that read into it had read into this
     * builder at this point: lists are appended in their order, a host or pod name it set replaces
     * this one's. How sources read in parallel (a builder each) and still give the evidence, and
     * the output, of reading one after another. Leaves {@code partial} as it was.
     */
    public Builder addAll(Builder partial) {
      inputs.addAll(partial.inputs);
      reports.addAll(partial.reports);
      allocFailures.addAll(partial.allocFailures);
      killers.addAll(partial.killers);
      clusters.addAll(partial.clusters);
      podNames.putAll(partial.podNames);
      if (partial.hostSet) {
        host = partial.host;
        hostSet = true;
      }
      memory.addAll(partial.memory);
      hostSeries.addAll(partial.hostSeries);
      return this;
    }

    /**
     * Keeps only the reports, allocation failures and killer records the predicates accept (a
     * window of time, one workload); the inputs stay as they were read.
     */
    public Builder retain(
        Predicate<OomReport> report,
        Predicate<AllocFailure> allocFailure,
        Predicate<KillerEvent> killer) {
      reports.removeIf(report.negate());
      allocFailures.removeIf(allocFailure.negate());
      killers.removeIf(killer.negate());
      return this;
    }

    /** The evidence, with its reports grouped into incidents. */
    public EvidenceSet build() {
      KillMatching.attach(reports, memory);
      return new EvidenceSet(
          inputs,
          reports,
          IncidentBuilder.group(reports),
          allocFailures,
          host,
          killers,
          exitedWithSigkill,
          clusters,
          memory.stream().sorted(Comparator.comparing(MemoryProfile::id)).toList(),
          hostSeries.stream().sorted(Comparator.comparing(HostSeries::instance)).toList(),
          podNames);
    }
  }

  /** Hands the events of one input to a {@link Builder} and records the input when closed. */
  public static final class InputSink implements KernelLogSink, AutoCloseable {
    private final Builder builder;
    private final String name;
    private final Input.Kind kind;
    private final Optional<String> span;
    private final boolean withKillers;
    private final List<Problem> problems = new ArrayList<>();
    private long events;
    private boolean closed;

    private InputSink(
        Builder builder, String name, Input.Kind kind, Optional<String> span, boolean withKillers) {
      this.builder = builder;
      this.name = requireNonNull(name, "name");
      this.kind = requireNonNull(kind, "kind");
      this.span = span;
      this.withKillers = withKillers;
    }

    // The killers' journal holds no kernel messages; should one slip in, the kernel log it came
    // from is the input that tells it.
    @Override
    public void report(OomReport report) {
      if (kind != Input.Kind.KILLER_LOG) {
        events++;
        builder.report(report);
      }
    }

    @Override
    public void allocFailure(AllocFailure failure) {
      if (kind != Input.Kind.KILLER_LOG) {
        events++;
        builder.allocFailure(failure);
      }
    }

    @Override
    public void killerEvent(KillerEvent event) {
      if (withKillers) {
        events++;
        builder.killer(event);
      }
    }

    @Override
    public void problem(Problem problem) {
      problems.add(requireNonNull(problem, "problem"));
    }

    /** The events counted so far. */
    public long events() {
      return events;
    }

    /** Records the input; later calls do nothing. */
    @Override
    public void close() {
      if (!closed) {
        closed = true;
        builder.input(new Input(name, kind, span, events, problems));
      }
    }
  }
}
