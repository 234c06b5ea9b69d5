package dev.oomlens.report.markdown;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.diagnosis.ClusterView;
import dev.oomlens.core.diagnosis.Confirmation;
import dev.oomlens.core.diagnosis.Diagnosis;
import dev.oomlens.core.diagnosis.IncidentDiagnosis;
import dev.oomlens.core.diagnosis.Place;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.core.host.KeyedValues;
import dev.oomlens.core.host.KillerEvent;
import dev.oomlens.core.host.PressureStall;
import dev.oomlens.core.host.SwapDevice;
import dev.oomlens.core.host.ZramDevice;
import dev.oomlens.core.model.Citation;
import dev.oomlens.core.model.Input;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.rules.Incident;
import dev.oomlens.core.rules.Sizes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/*
 * The shape is that of a post-mortem an operator writes by hand after an OOM incident: background,
 * root cause, fix, timeline, hosts affected, metrics to monitor with their PromQL, verification
 * steps, success criteria and fallback options. Every sentence is filled from the evidence or the
 * findings; what the evidence cannot know (the pod's name, whether a fix was merged) is left as an
 * explicit <placeholder> for the author.
 *
 * Root cause: the findings at the highest severity present (at most five), each with its reasoning
 * and the lines it cites, quoted as they stand. Their fixes are the proposal; fixes of the other
 * findings are the fallbacks, so nothing an analyzer proposed is lost and nothing is said twice.
 *
 * Deterministic: no clock, no locale, no host lookups; findings are ordered by severity then code,
 * hosts by name, events by time then input position. The same evidence gives the same bytes, so
 * drafts can be pinned in golden files.
 */

/**
 * The Markdown renderer: drafts a post-mortem of the OOM kills in the evidence, with the findings'
 * reasoning, fixes and the queries that tell whether the fix worked.
 */
public final class MarkdownReport {
  /** Rows of the timeline shown; the rest are counted. */
  public static final int MAX_TIMELINE_ROWS = 100;

  /** Incidents described one by one in the background; the rest are counted. */
  public static final int MAX_INCIDENTS_LISTED = 10;

  /** Findings explained in full under "Root cause"; lower ones are listed by summary. */
  public static final int MAX_ROOT_FINDINGS = 5;

  /** Lines quoted per finding; the rest are counted. */
  public static final int MAX_QUOTED_LINES = 20;

  private static final Comparator<Finding> FINDING_ORDER =
      Comparator.comparing(Finding::severity, Comparator.reverseOrder())
          .thenComparing(Finding::code)
          .thenComparing(Finding::summary);

  /** Marks a quoted name in core's words; private use, never printed by core itself. */
  private static final String NAME_MARK = "\uE000";

  private final Diagnosis diagnosis;
  private final List<OomReport> reports;
  private final List<IncidentDiagnosis> incidents;
  private final List<Finding> findings;
  private final Optional<HostSnapshot> host;
  private final List<KillerEvent> killers;
  private final StringBuilder out = new StringBuilder(16_384);

  private MarkdownReport(Diagnosis d) {
    this.diagnosis = requireNonNull(d, "diagnosis");
    this.reports = d.evidence().reports();
    this.incidents = d.incidents();
    this.findings = d.findings().stream().sorted(FINDING_ORDER).toList();
    this.host = d.evidence().host();
    this.killers = d.evidence().killers();
  }

  /** The post-mortem draft of a diagnosis. */
  public static String render(Diagnosis d) {
    MarkdownReport r = new MarkdownReport(d);
    r.write();
    return r.out.toString();
  }

  /** Writes {@link #render} to {@code to}. */
  public static void write(Writer to, Diagnosis d) {
    try {
      to.write(render(d));
      to.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void write() {
    title();
    out.append("> Draft written by oomlens from the kernel's OOM reports")
        .append(host.isPresent() ? ", the host's /proc and /sys" : "")
        .append(killers.isEmpty() ? "" : ", the userspace killers' logs")
        .append(" and the findings they support. Check every statement, fill in the")
        .append(" `<placeholders>`, and say under \"Fix\" what was actually changed.\n\n");
    background();
    cluster();
    rootCause();
    fix();
    timeline();
    hostsAffected();
    Set<String> codes =
        findings.stream().map(Finding::code).collect(Collectors.toCollection(TreeSet::new));
    Monitoring monitoring = new Monitoring(reports, codes, host, killers);
    metrics(monitoring);
    verification(monitoring);
    successCriteria(monitoring);
    fallbacks();
  }

  /*
   * A cluster's evidence gets its tables (ClusterView ranks them) under Background, so the ticket
   * shows at a glance which nodes and workloads the findings below are about.
   */
  private void cluster() {
    for (ClusterView v : ClusterView.of(diagnosis)) {
      out.append("## Cluster\n\nRead from ")
          .append(Markdown.code(v.cluster().source()))
          .append(": ")
          .append(v.cluster().nodes().size())
          .append(" nodes, ")
          .append(v.cluster().pods().stream().filter(p -> !p.template()).count())
          .append(" pods, ")
          .append(v.cluster().events().size())
          .append(" events.\n\n");
      if (!v.nodes().isEmpty()) {
        out.append("| node | status | allocatable | requests | limits | no limit | findings |\n")
            .append("|---|---|---:|---:|---:|---:|---|\n");
        for (ClusterView.Row r : v.nodes()) {
          var load = r.load().orElseThrow();
          long alloc = r.node().map(n -> n.allocatableBytes().orElse(0)).orElse(0L);
          out.append("| ")
              .append(Markdown.cell(r.name()))
              .append(" | ")
              .append(r.node().map(n -> n.notReady() ? "NotReady" : "Ready").orElse("gone"))
              .append(" | ")
              .append(alloc > 0 ? Sizes.quantityMi(alloc) : "—")
              .append(" | ")
              .append(Sizes.quantityMi(load.requestBytes()))
              .append(" | ")
              .append(Sizes.quantityMi(load.limitBytes()))
              .append(alloc > 0 ? " (" + Sizes.wholePercent(load.limitBytes(), alloc) + ")" : "")
              .append(" | ")
              .append(load.unbounded().size())
              .append(" | ")
              .append(codes(r))
              .append(" |\n");
        }
        out.append('\n');
      }
      if (!v.workloads().isEmpty()) {
        out.append("| workload | findings |\n|---|---|\n");
        for (ClusterView.Row r : v.workloads()) {
          out.append("| ")
              .append(Markdown.cell(r.name()))
              .append(" | ")
              .append(codes(r))
              .append(" |\n");
        }
        out.append('\n');
      }
    }
  }

  private static String codes(ClusterView.Row r) {
    return r.codes().isEmpty()
        ? "—"
        : r.codes().stream().map(c -> "`" + c + "`").collect(Collectors.joining(" "))
            + " ("
            + r.worst().orElseThrow().jsonName()
            + ")";
  }

  private void title() {
    Set<String> hosts = hostNames();
    String where = hosts.isEmpty() ? "" : " on " + String.join(", ", hosts);
    String when =
        reports.stream()
            .map(r -> Facts.date(r.time()))
            .flatMap(Optional::stream)
            .sorted()
            .findFirst()
            .map(d -> ", " + d)
            .orElse("");
    String what;
    if (reports.size() == 1) {
      what =
          reports.get(0).victim().map(v -> "OOM kill of " + v.comm()).orElse("OOM-killer report");
    } else if (!reports.isEmpty()) {
      what = reports.size() + " OOM kills";
    } else if (!killers.isEmpty()) {
      what = killers.size() + (killers.size() == 1 ? " userspace kill" : " userspace kills");
    } else if (!diagnosis.evidence().clusters().isEmpty()) {
      what =
          "memory of cluster "
              + diagnosis.evidence().clusters().getFirst().source()
              + ": "
              + findings.size()
              + (findings.size() == 1 ? " finding" : " findings");
    } else {
      what = "No OOM kill found";
    }
    out.append("# Post-mortem: ").append(Markdown.text(what + where + when)).append("\n\n");
  }

  private void background() {
    out.append("## Background\n\n");
    String selection = diagnosis.confirmation().selection();
    if (!selection.isEmpty()) {
      out.append("This draft covers the evidence ")
          .append(Markdown.text(selection))
          .append(" only")
          .append(
              diagnosis.confirmation().unplaced() > 0
                  ? "; "
                      + diagnosis.confirmation().unplaced()
                      + " reports whose log gives no time"
                      + " are kept although the window cannot be checked"
                  : "")
          .append(".\n\n");
    }
    if (reports.isEmpty()
        && !diagnosis.evidence().clusters().isEmpty()
        && diagnosis.evidence().inputs(Input.Kind.KERNEL_LOG).isEmpty()) {
      out.append(
          "The cluster's objects were read; no kernel log was: the kills below are as the"
              + " kubelet and the nodes' events reported them.\n\n");
    } else if (reports.isEmpty()) {
      if (diagnosis.confirmation().state() == Confirmation.State.UNKNOWN) {
        out.append("Whether the kernel's OOM killer ran is unknown: ")
            .append(unread())
            .append(".\n\n");
      } else {
        out.append(
            killers.isEmpty()
                ? "The evidence holds no report of the kernel's OOM killer and no record of a"
                    + " userspace killer.\n\n"
                : "The evidence holds no report of the kernel's OOM killer; the kills below were"
                    + " made by userspace killers (see Timeline).\n\n");
      }
    } else if (reports.size() == 1) {
      OomReport r = reports.get(0);
      out.append(sentence(r)).append("\n\n");
    } else {
      String span = span(reports);
      out.append("The kernel's OOM killer ran ")
          .append(reports.size())
          .append(" times")
          .append(span)
          .append(", in ")
          .append(incidents.size())
          .append(incidents.size() == 1 ? " incident" : " incidents")
          .append(" (reports of the same cgroup or host close in time):\n\n");
      for (IncidentDiagnosis ranked :
          incidents.subList(0, Math.min(incidents.size(), MAX_INCIDENTS_LISTED))) {
        Incident i = ranked.incident();
        OomReport first = ranked.representative();
        Map<String, Integer> victims = new TreeMap<>();
        i.reports()
            .forEach(r -> r.victim().ifPresent(v -> victims.merge(v.comm(), 1, Integer::sum)));
        String killed =
            victims.isEmpty()
                ? "nothing named killed"
                : "killed "
                    + victims.entrySet().stream()
                        .map(
                            e ->
                                Markdown.code(e.getKey())
                                    + (e.getValue() > 1 ? " ×" + e.getValue() : ""))
                        .collect(Collectors.joining(", "));
        out.append("- ")
            .append(ranked.label())
            .append(" ")
            .append(Markdown.code(i.id()))
            .append(": ")
            .append(i.reports().size())
            .append(i.reports().size() == 1 ? " kill" : " kills")
            .append(span(i.reports()))
            .append(i.host().map(h -> " on " + Markdown.text(h)).orElse(""))
            .append(", ")
            .append(killed)
            .append(inWhere(first))
            .append("; ")
            .append(ranOut(first))
            .append(".\n");
      }
      if (incidents.size() > MAX_INCIDENTS_LISTED) {
        out.append("- ... and ")
            .append(incidents.size() - MAX_INCIDENTS_LISTED)
            .append(" more incidents (see Timeline).\n");
      }
      out.append('\n');
    }
    if (!reports.isEmpty() && diagnosis.confirmation().partial()) {
      out.append("Not everything could be read, so there may have been more: ")
          .append(unread())
          .append(".\n\n");
    }
    if (!killers.isEmpty()) {
      Map<String, Integer> byKiller = new TreeMap<>();
      killers.forEach(k -> byKiller.merge(k.killer().jsonName(), 1, Integer::sum));
      out.append("Userspace records: ")
          .append(
              byKiller.entrySet().stream()
                  .map(e -> e.getValue() + " from " + e.getKey())
                  .collect(Collectors.joining(", ")))
          .append(".\n\n");
    }
    host.ifPresent(
        h -> {
          String state = hostState(h);
          if (!state.isEmpty()) {
            out.append("When oomlens read ")
                .append(h.hostname().map(Markdown::text).orElse("the host"))
                .append(": ")
                .append(state)
                .append(".\n\n");
          }
        });
  }

  private String sentence(OomReport r) {
    StringBuilder s = new StringBuilder();
    String when = Facts.when(r.time());
    s.append(
        r.time().isKnown()
            ? "At "
                + when
                + (r.time().yearInferred() ? " (the log printed no year; it is assumed)" : "")
            : "At a time the log does not give");
    s.append(", the kernel's OOM killer");
    r.host().ifPresent(h -> s.append(" on ").append(Markdown.text(h)));
    r.kernel().ifPresent(k -> s.append(" (kernel ").append(Markdown.text(k)).append(')'));
    s.append(" killed ").append(Facts.victim(r));
    String where = Facts.where(r);
    if (!where.isEmpty()) {
      s.append(" in ").append(where);
    }
    s.append(": ").append(ranOut(r)).append('.');
    r.trigger()
        .filter(
            t ->
                r.victim().isPresent()
                    && (t.pid().isPresent()
                        ? t.pid().getAsLong() != r.victim().get().pid()
                        : !t.comm().equals(r.victim().get().comm())))
        .ifPresent(
            t ->
                s.append(" The allocation that ran out was ")
                    .append(Markdown.code(t.comm()))
                    .append(
                        t.pid().stream().mapToObj(p -> " (pid " + p + ")").findFirst().orElse(""))
                    .append("'s, not the victim's."));
    if (!r.complete()) {
      s.append(" The report was cut short in the log, so some facts may be missing.");
    }
    return s.toString();
  }

  /**
   * Where a report ran out, as core words it, with the names it quotes from the input (a cgroup, a
   * cpuset) as code spans and the rest as escaped prose.
   */
  static String ranOut(OomReport r) {
    List<String> names = new ArrayList<>();
    String words =
        Place.account(
            r,
            name -> {
              names.add(name);
              return NAME_MARK + (names.size() - 1) + NAME_MARK;
            });
    StringBuilder md = new StringBuilder();
    String[] parts = words.split(NAME_MARK, -1);
    for (int i = 0; i < parts.length; i++) {
      md.append(
          i % 2 == 0
              ? Markdown.text(parts[i])
              : Markdown.code(names.get(Integer.parseInt(parts[i]))));
    }
    return md.toString();
  }

  /** The inputs that could not be read whole, each with why. */
  private String unread() {
    List<String> parts = new ArrayList<>();
    for (Input i : diagnosis.evidence().inputs()) {
      i.whyNotWhole()
          .ifPresent(
              w ->
                  parts.add(
                      Markdown.code(i.name()) + " could not be read (" + Markdown.text(w) + ")"));
    }
    if (diagnosis.evidence().inputs(Input.Kind.KERNEL_LOG).isEmpty()) {
      parts.add("no kernel log was read");
    }
    return String.join("; ", parts);
  }

  private static String inWhere(OomReport r) {
    String where = Facts.where(r);
    return where.isEmpty() ? "" : " in " + where;
  }

  private static String span(List<OomReport> rs) {
    List<String> times =
        rs.stream().filter(r -> r.time().isKnown()).map(r -> Facts.when(r.time())).toList();
    if (times.isEmpty()) {
      return "";
    }
    String first = times.get(0);
    String last = times.get(times.size() - 1);
    return first.equals(last) ? " at " + first : " from " + first + " to " + last;
  }

  private void rootCause() {
    out.append("## Root cause\n\n");
    List<Finding> root = rootFindings();
    if (root.isEmpty()) {
      if (reports.isEmpty()) {
        out.append("No rule found a root cause in this evidence.\n\n");
      } else {
        out.append("No rule identified a root cause. What the reports show:\n\n");
        for (OomReport r : reports.subList(0, Math.min(reports.size(), MAX_INCIDENTS_LISTED))) {
          out.append("- ").append(ranOut(r)).append(" (").append(cite(r)).append(").\n");
        }
        out.append('\n');
      }
      return;
    }
    for (Finding f : root) {
      out.append("### ")
          .append(f.code())
          .append(": ")
          .append(Markdown.text(f.summary()))
          .append("\n\n");
      out.append("Severity ")
          .append(f.severity().jsonName())
          .append(", confidence ")
          .append(f.confidence().jsonName())
          .append(about(f))
          .append(". See `docs/rules/")
          .append(f.code())
          .append(".md`.\n\n");
      out.append(Markdown.text(f.reasoning())).append("\n\n");
      quote(f.evidence());
    }
    List<Finding> rest = findings.stream().filter(f -> !root.contains(f)).toList();
    if (!rest.isEmpty()) {
      out.append("### Also found\n\n");
      for (Finding f : rest) {
        out.append("- **")
            .append(f.code())
            .append("** (")
            .append(f.severity().jsonName())
            .append(about(f))
            .append("): ")
            .append(Markdown.text(f.summary()))
            .append('\n');
      }
      out.append('\n');
    }
  }

  private void quote(List<Citation> evidence) {
    if (evidence.isEmpty()) {
      return;
    }
    List<Citation> shown = evidence.stream().limit(MAX_QUOTED_LINES).toList();
    Map<String, List<SourceLine>> byFile = new LinkedHashMap<>();
    // Quoted in log order, as the lines stand in the file, whatever order the finding cites them.
    shown.stream()
        .filter(c -> c instanceof SourceLine)
        .map(c -> (SourceLine) c)
        .forEach(l -> byFile.computeIfAbsent(l.file(), k -> new ArrayList<>()).add(l));
    byFile.values().forEach(lines -> lines.sort(Comparator.comparingLong(SourceLine::line)));
    for (Map.Entry<String, List<SourceLine>> e : byFile.entrySet()) {
      List<SourceLine> lines = e.getValue();
      out.append("From ")
          .append(Markdown.code(e.getKey()))
          .append(lines.size() == 1 ? ", line " : ", lines ")
          .append(
              lines.stream().map(l -> Long.toString(l.line())).collect(Collectors.joining(", ")))
          .append(":\n\n");
      out.append(Markdown.fenced("text", lines.stream().map(SourceLine::text).toList()))
          .append('\n');
    }
    List<Citation> others = shown.stream().filter(c -> !(c instanceof SourceLine)).toList();
    if (!others.isEmpty()) {
      out.append("Also relied on:\n\n");
      others.forEach(c -> out.append("- ").append(Markdown.code(c.describe())).append('\n'));
      out.append('\n');
    }
    if (evidence.size() > MAX_QUOTED_LINES) {
      out.append("(")
          .append(evidence.size() - MAX_QUOTED_LINES)
          .append(" more cited lines not quoted.)\n\n");
    }
  }

  private List<Finding> rootFindings() {
    if (findings.isEmpty()) {
      return List.of();
    }
    Severity top = findings.get(0).severity();
    return findings.stream().filter(f -> f.severity() == top).limit(MAX_ROOT_FINDINGS).toList();
  }

  /** {@code , about #1 and #3}: the incidents a finding is about, by their rank. */
  private String about(Finding f) {
    List<String> labels = new ArrayList<>();
    for (IncidentDiagnosis i : incidents) {
      if (f.incidents().contains(i.incident().id())) {
        labels.add(i.label());
      }
    }
    return labels.isEmpty() ? ", about the host" : ", about " + String.join(" and ", labels);
  }

  /** The fixes of one incident (or of the host), each once, with the code that proposes it. */
  private record Proposal(
      String heading,
      List<Map.Entry<String, Fix>> primary,
      List<Map.Entry<String, Fix>> fallback) {}

  /*
   * Each incident's own fixes, under a heading that names it: those of its most severe findings
   * are the proposal, the others its fallbacks. The host's findings (about no incident) make one
   * more group. A fix several findings propose is listed once, under the most severe.
   */
  private List<Proposal> proposals() {
    List<Proposal> out = new ArrayList<>();
    for (IncidentDiagnosis i :
        incidents.subList(0, Math.min(incidents.size(), MAX_INCIDENTS_LISTED))) {
      String heading =
          i.label()
              + ": "
              + ranOut(i.representative())
              + " ("
              + Markdown.code(i.incident().id())
              + ")";
      out.add(proposal(heading, i.findings(), Optional.empty()));
    }
    if (!diagnosis.hostFindings().isEmpty()) {
      // The host's findings are proposed first only when none of the incidents' is graver.
      out.add(
          proposal(
              "The host and the evidence as a whole",
              diagnosis.hostFindings(),
              diagnosis.topSeverity()));
    }
    return out;
  }

  private static Proposal proposal(String heading, List<Finding> about, Optional<Severity> at) {
    List<Finding> sorted = about.stream().sorted(FINDING_ORDER).toList();
    Severity top = at.orElse(sorted.isEmpty() ? Severity.INFO : sorted.getFirst().severity());
    List<Map.Entry<String, Fix>> primary = new ArrayList<>();
    List<Map.Entry<String, Fix>> fallback = new ArrayList<>();
    Set<Fix> seen = new LinkedHashSet<>();
    for (Finding f : sorted) {
      for (Fix fix : f.fixes()) {
        if (seen.add(fix)) {
          (f.severity() == top ? primary : fallback).add(Map.entry(f.code(), fix));
        }
      }
    }
    return new Proposal(heading, primary, fallback);
  }

  private void fix() {
    out.append("## Fix applied or proposed\n\n");
    List<Proposal> proposals = proposals().stream().filter(p -> !p.primary().isEmpty()).toList();
    if (proposals.isEmpty()) {
      out.append(
          "No fix proposed by the findings. Applied: `<what was changed, commit, when>`." + "\n\n");
      return;
    }
    out.append(
        "Proposed by the most severe findings of each incident, the most important"
            + " incident first. Applied: `<what was changed, commit, when>`.\n\n");
    for (Proposal p : proposals) {
      out.append("### ").append(p.heading()).append("\n\n");
      writeFixes(p.primary());
    }
    moreIncidents();
  }

  private void moreIncidents() {
    if (incidents.size() > MAX_INCIDENTS_LISTED) {
      out.append("(")
          .append(incidents.size() - MAX_INCIDENTS_LISTED)
          .append(" more incidents: their fixes are in the JSON output.)\n\n");
    }
  }

  private void writeFixes(List<Map.Entry<String, Fix>> fixes) {
    for (Map.Entry<String, Fix> e : fixes) {
      Fix fix = e.getValue();
      out.append("**")
          .append(e.getKey())
          .append("**, ")
          .append(layerName(fix.layer()))
          .append(": ")
          .append(Markdown.text(fix.action()))
          .append("\n\n");
      fix.snippet()
          .filter(sn -> !sn.isBlank())
          .ifPresent(sn -> out.append(Markdown.fenced(SnippetLanguage.of(sn), sn)).append('\n'));
    }
  }

  private static String layerName(Layer layer) {
    return switch (layer) {
      case APPLICATION -> "Application";
      case JVM -> "JVM";
      case CONTAINER_LIMIT -> "Container limit";
      case POD_SPEC -> "Pod spec";
      case NODE -> "Node and kubelet";
      case HYPERVISOR -> "Hypervisor";
      case KERNEL_SWAP -> "Kernel and swap";
    };
  }

  private void timeline() {
    out.append("## Timeline\n\n");
    List<Timeline.Event> events = Timeline.of(reports, killers);
    if (events.isEmpty()) {
      out.append("No event with a place in the logs.\n\n");
      return;
    }
    boolean manyHosts = events.stream().map(Timeline.Event::host).distinct().count() > 1;
    boolean yearAssumed = events.stream().anyMatch(e -> e.time().yearInferred());
    if (yearAssumed) {
      out.append("Some lines printed no year; the year shown is assumed.\n\n");
    }
    List<String> header = new ArrayList<>(List.of("Time"));
    if (manyHosts) {
      header.add("Host");
    }
    header.addAll(List.of("Event", "Source"));
    out.append(Markdown.row(header)).append(Markdown.separator(header.size()));
    for (Timeline.Event e : events.subList(0, Math.min(events.size(), MAX_TIMELINE_ROWS))) {
      List<String> row = new ArrayList<>();
      row.add(Markdown.cell(Facts.when(e.time())));
      if (manyHosts) {
        row.add(Markdown.cell(e.host().map(Markdown::text).orElse("")));
      }
      row.add(Markdown.cell(e.text()));
      row.add(Markdown.cell(Markdown.code(shortName(e.source().file()) + ":" + e.source().line())));
      out.append(Markdown.row(row));
    }
    if (events.size() > MAX_TIMELINE_ROWS) {
      out.append("\n... and ").append(events.size() - MAX_TIMELINE_ROWS).append(" more events.\n");
    }
    List<String> applied = new ArrayList<>(List.of(Markdown.text("<time>")));
    if (manyHosts) {
      applied.add("");
    }
    applied.addAll(List.of(Markdown.text("Fix applied: <what>"), ""));
    out.append(Markdown.row(applied)).append('\n');
  }

  private void hostsAffected() {
    out.append("## Hosts affected\n\n");
    Map<String, List<OomReport>> byHost = new TreeMap<>();
    String fallback = host.flatMap(HostSnapshot::hostname).orElse("(not named in the log)");
    for (OomReport r : reports) {
      byHost.computeIfAbsent(r.host().orElse(fallback), k -> new ArrayList<>()).add(r);
    }
    Map<String, Integer> userspace = new TreeMap<>();
    killers.forEach(k -> userspace.merge(k.host().orElse(fallback), 1, Integer::sum));
    userspace.keySet().forEach(h -> byHost.computeIfAbsent(h, k -> new ArrayList<>()));
    if (byHost.isEmpty() && host.isEmpty()) {
      out.append("No host is named by the evidence.\n\n");
      return;
    }
    if (!byHost.isEmpty()) {
      List<String> header =
          new ArrayList<>(List.of("Host", "Kernel", "OOM kills", "Where it ran out", "Killed"));
      if (!userspace.isEmpty()) {
        header.add("Userspace kills");
      }
      out.append(Markdown.row(header)).append(Markdown.separator(header.size()));
      for (Map.Entry<String, List<OomReport>> e : byHost.entrySet()) {
        List<OomReport> rs = e.getValue();
        String kernels =
            rs.stream()
                .map(OomReport::kernel)
                .flatMap(Optional::stream)
                .distinct()
                .sorted()
                .collect(Collectors.joining(", "));
        if (kernels.isEmpty()
            && host.flatMap(HostSnapshot::hostname).orElse(fallback).equals(e.getKey())) {
          kernels = host.flatMap(HostSnapshot::kernelRelease).orElse("");
        }
        String scopes =
            rs.stream().map(Place::scopeWord).distinct().sorted().collect(Collectors.joining(", "));
        Map<String, Integer> victims = new TreeMap<>();
        rs.forEach(r -> r.victim().ifPresent(v -> victims.merge(v.comm(), 1, Integer::sum)));
        String killed =
            victims.entrySet().stream()
                .map(v -> Markdown.code(v.getKey()) + (v.getValue() > 1 ? " ×" + v.getValue() : ""))
                .collect(Collectors.joining(", "));
        long kills =
            rs.stream().filter(r -> r.victim().isPresent() || r.groupKill().isPresent()).count();
        List<String> row =
            new ArrayList<>(
                List.of(
                    Markdown.cell(Markdown.text(e.getKey())),
                    Markdown.cell(kernels.isEmpty() ? "?" : Markdown.text(kernels)),
                    Long.toString(kills),
                    Markdown.cell(scopes.isEmpty() ? "-" : scopes),
                    Markdown.cell(killed.isEmpty() ? "-" : killed)));
        if (!userspace.isEmpty()) {
          row.add(Integer.toString(userspace.getOrDefault(e.getKey(), 0)));
        }
        out.append(Markdown.row(row));
      }
      out.append('\n');
    }
    host.ifPresent(this::snapshotTable);
    out.append("Other hosts running the same workload or configuration: `<list them>`.\n\n");
  }

  private void snapshotTable(HostSnapshot h) {
    List<List<String>> rows = new ArrayList<>();
    h.meminfo()
        .ifPresent(
            m -> {
              for (String key :
                  List.of(
                      "MemTotal",
                      "MemFree",
                      "MemAvailable",
                      "Cached",
                      "Shmem",
                      "SwapTotal",
                      "SwapFree")) {
                m.get(key).ifPresent(kb -> rows.add(List.of(key, Sizes.kb(kb))));
              }
            });
    for (SwapDevice s : h.swaps()) {
      rows.add(
          List.of(
              "swap " + Markdown.code(s.filename()),
              Sizes.kb(s.usedKb())
                  + " used of "
                  + Sizes.kb(s.sizeKb())
                  + " (priority "
                  + s.priority()
                  + ")"));
    }
    for (ZramDevice z : h.zram()) {
      rows.add(
          List.of(
              "zram " + Markdown.code(z.name()),
              "disksize "
                  + Sizes.kb(z.diskSizeBytes() / 1024)
                  + z.algorithm().map(a -> ", " + Markdown.text(a)).orElse("")
                  + z.memUsedTotalBytes().stream()
                      .mapToObj(b -> ", using " + Sizes.kb(b / 1024))
                      .findFirst()
                      .orElse("")));
    }
    h.memoryPressure()
        .ifPresent(
            p -> {
              rows.add(List.of("PSI memory some", psi(p.some())));
              p.full().ifPresent(f -> rows.add(List.of("PSI memory full", psi(f))));
            });
    h.vmstat()
        .ifPresent(
            v -> {
              for (String key : List.of("oom_kill", "pswpin", "pswpout")) {
                v.get(key).ifPresent(n -> rows.add(List.of("vmstat " + key, Long.toString(n))));
              }
            });
    h.virtioBalloon()
        .filter(b -> b)
        .ifPresent(
            b -> rows.add(List.of("virtio_balloon", "bound: the hypervisor can take memory back")));
    if (rows.isEmpty()) {
      return;
    }
    out.append("State of ")
        .append(h.hostname().map(Markdown::text).orElse("the host"))
        .append(h.kernelRelease().map(k -> " (kernel " + Markdown.text(k) + ")").orElse(""))
        .append(" when oomlens read it:\n\n");
    out.append(Markdown.row(List.of("What", "Value"))).append(Markdown.separator(2));
    rows.forEach(r -> out.append(Markdown.row(r.stream().map(Markdown::cell).toList())));
    out.append('\n');
  }

  private static String psi(PressureStall.Line l) {
    return String.format(
        Locale.ROOT, "avg10 %.2f%%, avg60 %.2f%%, avg300 %.2f%%", l.avg10(), l.avg60(), l.avg300());
  }

  private static String hostState(HostSnapshot h) {
    List<String> parts = new ArrayList<>();
    Optional<KeyedValues> m = h.meminfo();
    m.flatMap(x -> x.get("MemTotal").stream().boxed().findFirst())
        .ifPresent(kb -> parts.add("RAM " + Sizes.kb(kb)));
    m.flatMap(x -> x.get("MemAvailable").stream().boxed().findFirst())
        .ifPresent(kb -> parts.add("available " + Sizes.kb(kb)));
    m.flatMap(x -> x.get("SwapTotal").stream().boxed().findFirst())
        .ifPresent(kb -> parts.add(kb == 0 ? "no swap" : "swap " + Sizes.kb(kb)));
    h.memoryPressure()
        .flatMap(PressureStall::full)
        .ifPresent(
            f ->
                parts.add(
                    String.format(
                        Locale.ROOT, "memory fully stalled %.2f%% of the last 10 s", f.avg10())));
    h.vmstat()
        .flatMap(v -> v.get("oom_kill").stream().boxed().findFirst())
        .ifPresent(n -> parts.add(n + (n == 1 ? " OOM kill" : " OOM kills") + " since boot"));
    return String.join(", ", parts);
  }

  private void metrics(Monitoring monitoring) {
    out.append("## Metrics to monitor\n\n");
    List<Monitoring.Metric> metrics = monitoring.metrics();
    if (metrics.isEmpty()) {
      out.append("Nothing to watch: the evidence holds no kill.\n\n");
      return;
    }
    out.append(
        "node_exporter, cAdvisor (the kubelet's /metrics/cadvisor) and kube-state-metrics"
            + " names; label values are taken from the evidence.\n\n");
    for (Monitoring.Metric m : metrics) {
      out.append("**")
          .append(m.title())
          .append("**: expect ")
          .append(m.expect())
          .append(".\n\n")
          .append(Markdown.fenced("promql", m.promql()))
          .append('\n');
    }
  }

  private void verification(Monitoring monitoring) {
    out.append("## Verification steps\n\n");
    List<String> steps = new ArrayList<>(monitoring.checks());
    if (!reports.isEmpty() || !killers.isEmpty()) {
      String last =
          reports.stream()
              .filter(r -> r.time().isKnown())
              .map(r -> " (the last kill: " + Facts.when(r.time()) + ")")
              .reduce((a, b) -> b)
              .orElse("");
      steps.add(
          "Let the workload run through the load that preceded the kill"
              + last
              + ", then check that the kernel logged no new OOM kill:\n\n"
              + Markdown.fenced(
                  "shell",
                  "oomlens doctor            # on each affected host\n"
                      + "journalctl -k --since -7d | oomlens diagnose -"));
      steps.add(
          "Check the metrics above over the same window:\n\n"
              + Markdown.fenced(
                  "promql", "increase(node_vmstat_oom_kill{" + monitoring.instance() + "}[7d])"));
    }
    if (steps.isEmpty()) {
      out.append("Nothing to verify.\n\n");
      return;
    }
    int n = 1;
    for (String step : steps) {
      String prefix = n + ". ";
      out.append(prefix).append(indent(step, " ".repeat(prefix.length()))).append('\n');
      n++;
    }
  }

  private void successCriteria(Monitoring monitoring) {
    out.append("## Success criteria\n\n");
    List<Monitoring.Criterion> criteria = monitoring.criteria();
    if (criteria.isEmpty()) {
      out.append("None: the evidence holds no kill.\n\n");
      return;
    }
    for (Monitoring.Criterion c : criteria) {
      out.append("- ")
          .append(c.text())
          .append(":\n\n")
          .append("  ")
          .append(indent(Markdown.fenced("promql", c.promql()), "  "))
          .append('\n');
    }
  }

  private void fallbacks() {
    out.append("## Fallback options\n\n");
    List<Proposal> proposals = proposals().stream().filter(p -> !p.fallback().isEmpty()).toList();
    if (proposals.isEmpty()) {
      out.append(
          "The findings propose no other fix. If the fix above is not enough:"
              + " `<next option>`.\n");
      return;
    }
    out.append("If the fix above is not enough, in the order of the findings' severity:\n\n");
    for (Proposal p : proposals) {
      out.append("### ").append(p.heading()).append("\n\n");
      writeFixes(p.fallback());
    }
  }

  private static String cite(OomReport r) {
    return Markdown.code(shortName(r.source().file()) + ":" + r.source().firstLine());
  }

  private Set<String> hostNames() {
    Set<String> hosts = new TreeSet<>();
    reports.forEach(r -> r.host().ifPresent(hosts::add));
    killers.forEach(k -> k.host().ifPresent(hosts::add));
    if (hosts.isEmpty()) {
      host.flatMap(HostSnapshot::hostname).ifPresent(hosts::add);
    }
    return hosts;
  }

  /** Continuation lines of a list item, indented to its text. */
  private static String indent(String text, String pad) {
    StringBuilder s = new StringBuilder();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (i > 0) {
        s.append('\n');
        if (!lines[i].isEmpty()) {
          s.append(pad);
        }
      }
      s.append(lines[i]);
    }
    return s.toString().endsWith("\n") ? s.toString() : s + "\n";
  }

  /** The last path segment, so citations stay short; {@code -} stays as it is. */
  static String shortName(String file) {
    int slash = file.lastIndexOf('/');
    return slash >= 0 && slash < file.length() - 1 ? file.substring(slash + 1) : file;
  }
}
