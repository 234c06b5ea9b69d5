package dev.oomlens.core.diagnosis;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.LogTime;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.Incident;
import dev.oomlens.core.rules.RuleEngine;
import dev.oomlens.core.source.EvidenceSource;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/*
 * The one pipeline: sources -> evidence -> rule engine -> this. Every command that diagnoses
 * (doctor, diagnose, and the agent, cluster and series commands to come) builds one, and the
 * renderers only format what it holds. What a renderer would otherwise derive (what is confirmed,
 * where each incident ran out, which findings and fixes are about which incident, their order) is
 * computed here once, so text, JSON and Markdown cannot disagree.
 *
 * Ranking: the most severe finding of an incident first; then the most recent; then the one with
 * the most kills. Recency uses one clock for all incidents, so the order is a total one: the wall
 * clock when every incident has it, the kernel's monotonic clock when every incident has it and all
 * are of one host (one boot cannot be told from another otherwise), else the position in the
 * input (logs are written in time order).
 */

/** The result of diagnosing one set of evidence: findings, what is confirmed, ranked incidents. */
public final class Diagnosis {
  private static final Comparator<Finding> FINDING_ORDER =
      Comparator.comparing(Finding::severity, Comparator.reverseOrder())
          .thenComparing(Finding::code);

  private final EvidenceSet evidence;
  private final List<Finding> findings;
  private final Confirmation confirmation;
  private final List<IncidentDiagnosis> incidents;
  private final List<Finding> hostFindings;

  private Diagnosis(
      EvidenceSet evidence, List<Finding> findings, Selection selection, long unplaced) {
    this.evidence = evidence;
    this.findings = about(findings, evidence.incidents()).stream().sorted(FINDING_ORDER).toList();
    this.confirmation = Confirmation.of(evidence, selection, unplaced);
    this.incidents = rank(evidence, this.findings);
    this.hostFindings = this.findings.stream().filter(f -> f.incidents().isEmpty()).toList();
  }

  /** Reads every source into one evidence set, then diagnoses it. */
  public static Diagnosis run(List<? extends EvidenceSource> sources, boolean exitedWithSigkill) {
    return run(sources, exitedWithSigkill, Selection.ALL);
  }

  /**
   * Reads every source into one evidence set, keeps what {@code selection} selects, then diagnoses
   * that. Reports that cannot be placed in the window are kept and counted.
   */
  public static Diagnosis run(
      List<? extends EvidenceSource> sources, boolean exitedWithSigkill, Selection selection) {
    EvidenceSet.Builder builder = EvidenceSet.builder().exitedWithSigkill(exitedWithSigkill);
    sources.forEach(s -> s.readInto(builder));
    long[] unplaced = {0};
    builder.retain(
        r -> {
          Selection.Verdict v = selection.judge(r);
          if (v == Selection.Verdict.UNPLACED) {
            unplaced[0]++;
          }
          return v != Selection.Verdict.OUT;
        },
        f -> selection.judge(f) != Selection.Verdict.OUT,
        e -> selection.judge(e) != Selection.Verdict.OUT);
    EvidenceSet evidence = builder.build();
    return new Diagnosis(evidence, new RuleEngine().run(evidence), selection, unplaced[0]);
  }

  /** Diagnoses {@code evidence} with every registered rule. */
  public static Diagnosis of(EvidenceSet evidence) {
    return of(evidence, new RuleEngine());
  }

  /**
   * The diagnosis of {@code evidence} with findings made elsewhere (recorded in a history, built by
   * a test): each is tied to the incidents whose lines it cites, as the engine's are.
   */
  public static Diagnosis of(EvidenceSet evidence, List<Finding> findings) {
    requireNonNull(evidence, "evidence");
    return new Diagnosis(evidence, List.copyOf(findings), Selection.ALL, 0);
  }

  /** Diagnoses {@code evidence} with the rules of {@code engine}. */
  public static Diagnosis of(EvidenceSet evidence, RuleEngine engine) {
    requireNonNull(evidence, "evidence");
    return new Diagnosis(evidence, engine.run(evidence), Selection.ALL, 0);
  }

  public EvidenceSet evidence() {
    return evidence;
  }

  /** Every finding, most severe first, then by code. */
  public List<Finding> findings() {
    return findings;
  }

  public Confirmation confirmation() {
    return confirmation;
  }

  /** The incidents, the one that matters most first. */
  public List<IncidentDiagnosis> incidents() {
    return incidents;
  }

  /** The findings about no incident: the host, the userspace killers, the evidence as a whole. */
  public List<Finding> hostFindings() {
    return hostFindings;
  }

  /** The highest severity among the findings; empty when there are none. */
  public java.util.Optional<Severity> topSeverity() {
    return findings.stream().map(Finding::severity).max(Comparator.naturalOrder());
  }

  /*
   * A finding is about the incidents whose reports hold a line it cites: the analyzers say what
   * they relied on, and that settles which incident a fix is for without a second bookkeeping
   * that could disagree with the evidence. Lines are matched exactly (file, number and text), so
   * interleaved reports of several hosts in one file are told apart. Only the lines some finding
   * cites are looked up: a map of every report line would hold a node per line of a 16 GiB log
   * at the moment memory is already at its highest.
   */
  private static List<Finding> about(List<Finding> findings, List<Incident> incidents) {
    Map<SourceLine, String> incidentOfLine = new HashMap<>();
    for (Finding f : findings) {
      for (SourceLine line : f.logLines()) {
        incidentOfLine.put(line, null);
      }
    }
    for (Incident incident : incidents) {
      for (OomReport report : incident.reports()) {
        for (SourceLine line : report.lines()) {
          if (incidentOfLine.containsKey(line)) {
            incidentOfLine.putIfAbsent(line, incident.id());
          }
        }
      }
    }
    List<Finding> out = new ArrayList<>(findings.size());
    for (Finding f : findings) {
      Set<String> ids = new LinkedHashSet<>();
      for (SourceLine line : f.logLines()) {
        String id = incidentOfLine.get(line);
        if (id != null) {
          ids.add(id);
        }
      }
      out.add(f.about(List.copyOf(ids)));
    }
    return List.copyOf(out);
  }

  private static List<IncidentDiagnosis> rank(EvidenceSet evidence, List<Finding> findings) {
    List<Incident> all = evidence.incidents();
    Map<OomReport, Integer> position = new IdentityHashMap<>();
    for (int i = 0; i < evidence.reports().size(); i++) {
      position.putIfAbsent(evidence.reports().get(i), i);
    }
    double[] recency = recency(all, position);
    long[] kills = new long[all.size()];
    List<Integer> order = new ArrayList<>();
    List<Severity> severity = new ArrayList<>();
    List<List<Finding>> about = new ArrayList<>();
    // Each incident's findings, in the findings' order, gathered in one pass over the findings.
    Map<String, List<Finding>> byIncident = new HashMap<>();
    for (Finding f : findings) {
      for (String id : new LinkedHashSet<>(f.incidents())) {
        byIncident.computeIfAbsent(id, k -> new ArrayList<>()).add(f);
      }
    }
    for (int i = 0; i < all.size(); i++) {
      List<Finding> mine = List.copyOf(byIncident.getOrDefault(all.get(i).id(), List.of()));
      about.add(mine);
      severity.add(
          mine.stream()
              .map(Finding::severity)
              .max(Comparator.naturalOrder())
              .orElse(Severity.INFO));
      kills[i] = kills(all.get(i));
      order.add(i);
    }
    order.sort(
        Comparator.<Integer, Severity>comparing(severity::get, Comparator.reverseOrder())
            .thenComparing(i -> recency[i], Comparator.reverseOrder())
            .thenComparing(i -> kills[i], Comparator.reverseOrder())
            .thenComparing(i -> i));
    List<IncidentDiagnosis> out = new ArrayList<>();
    int rank = 1;
    for (int i : order) {
      Incident incident = all.get(i);
      out.add(
          new IncidentDiagnosis(
              rank++,
              incident,
              Place.words(IncidentDiagnosis.representative(incident)),
              kills[i],
              severity.get(i),
              about.get(i),
              fixes(about.get(i))));
    }
    return List.copyOf(out);
  }

  /** Each fix once, in the order of the findings (most severe first) that propose it. */
  private static List<Fix> fixes(List<Finding> findings) {
    Set<Fix> fixes = new LinkedHashSet<>();
    findings.forEach(f -> fixes.addAll(f.fixes()));
    return List.copyOf(fixes);
  }

  private static long kills(Incident incident) {
    return incident.reports().stream().filter(r -> r.victim().isPresent()).count();
  }

  /** A recency key per incident, on one clock for all of them (see the note at the top). */
  private static double[] recency(List<Incident> all, Map<OomReport, Integer> position) {
    double[] key = new double[all.size()];
    boolean wall = true;
    boolean monotonic = true;
    Set<String> hosts = new LinkedHashSet<>();
    for (int i = 0; i < all.size(); i++) {
      OomReport last = all.get(i).reports().getLast();
      wall &= wallSeconds(last.time()).isPresent();
      monotonic &= last.time().monotonicSeconds().isPresent();
      hosts.add(last.host().orElse(""));
    }
    monotonic &= hosts.size() <= 1;
    for (int i = 0; i < all.size(); i++) {
      OomReport last = all.get(i).reports().getLast();
      if (wall) {
        key[i] = wallSeconds(last.time()).getAsDouble();
      } else if (monotonic) {
        key[i] = last.time().monotonicSeconds().getAsDouble();
      } else {
        key[i] = position.getOrDefault(last, 0);
      }
    }
    return key;
  }

  private static OptionalDouble wallSeconds(LogTime time) {
    if (time.wallclock().isEmpty()) {
      return OptionalDouble.empty();
    }
    String w = time.wallclock().get();
    try {
      return OptionalDouble.of(OffsetDateTime.parse(w).toEpochSecond());
    } catch (DateTimeParseException e) {
      try {
        return OptionalDouble.of(LocalDateTime.parse(w).toEpochSecond(ZoneOffset.UTC));
      } catch (DateTimeParseException e2) {
        return OptionalDouble.empty();
      }
    }
  }
}
