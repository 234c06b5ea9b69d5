package dev.oomlens.report.text;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.diagnosis.Confirmation;
import dev.oomlens.core.diagnosis.Diagnosis;
import dev.oomlens.core.diagnosis.IncidentDiagnosis;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.host.CgroupMemory;
import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.core.host.KeyedValues;
import dev.oomlens.core.host.KillerEvent;
import dev.oomlens.core.host.PressureStall;
import dev.oomlens.core.host.SwapDevice;
import dev.oomlens.core.host.ZramDevice;
import dev.oomlens.core.model.AllocFailure;
import dev.oomlens.core.model.Citation;
import dev.oomlens.core.model.Input;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.rules.RuleEngine;
import dev.oomlens.report.escape.Controls;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;

/*
 * The ladder is what an on-call engineer reads first, so it is four labelled lines (more only
 * when there is more than one place or finding), in plain words, with no line citations: those
 * are in the findings below it, which show everything a finding holds (code, severity,
 * confidence, summary, reasoning, each evidence line as file:line: text, fixes, its doc page).
 * Like TextReportWriter, the output depends on nothing but its input (no clock, no locale, no
 * terminal width), so golden files can pin it.
 */

/**
 * The terminal text of a diagnosis: the ladder (Confirmed, Where, Why, Fix), the findings in full,
 * and the host's memory facts as read from /proc and /sys.
 */
public final class DiagnosisTextWriter {
  private static final String INDENT = "  ";
  private static final String LADDER_INDENT = " ".repeat(11);

  /** Incidents the ladder shows in full (where, why, fix); the rest get one line each. */
  public static final int FULL_INCIDENTS = 3;

  private static final String INCIDENT_INDENT = "   ";

  /** Cgroups listed in the host facts (those with OOM kills or limit hits first). */
  public static final int MAX_CGROUPS_LISTED = 8;

  private final PrintWriter out;

  public DiagnosisTextWriter(PrintWriter out) {
    this.out = requireNonNull(out, "out");
  }

  /**
   * Writes the whole text of a diagnosis: the ladder, the findings of the incidents that matter
   * most (and of the host) in full, the kernel's reports input by input, the userspace killers'
   * records and the host's memory now.
   */
  public void write(Diagnosis d) {
    ladder(d);
    findings(d);
    out.print("\n");
    reports(d);
    userspaceKills(d.evidence().killers());
    d.evidence().host().ifPresent(this::host);
    out.flush();
  }

  /**
   * Writes the ladder: what is confirmed, then for each incident, most important first, where the
   * memory ran out, why (its findings' summaries) and what to change (each fix once, under the
   * incident it is for); the incidents past {@value #FULL_INCIDENTS} get one line each. Findings
   * about no incident (the host, the killers) come last, under "Host".
   */
  public void ladder(Diagnosis d) {
    out.print(label("Confirmed") + confirmed(d) + "\n");
    List<IncidentDiagnosis> incidents = d.incidents();
    if (incidents.size() <= 1) {
      single(d, incidents.isEmpty() ? Optional.empty() : Optional.of(incidents.getFirst()));
      out.flush();
      return;
    }
    int full = Math.min(incidents.size(), FULL_INCIDENTS);
    boolean manyHosts = manyHosts(d);
    out.print(
        label("Where")
            + incidents.size()
            + " incidents, the one that matters most first"
            + " (severity, then recency, then kills)"
            + (incidents.size() > full
                ? "; #" + (full + 1) + " to #" + incidents.size() + " one line each"
                : "")
            + "\n");
    for (IncidentDiagnosis i : incidents.subList(0, full)) {
      out.print("\n" + i.label() + " " + where(d, i, manyHosts) + "\n");
      why(INCIDENT_INDENT + "Why:  ", INCIDENT_INDENT + "      ", i.findings());
      fixes(INCIDENT_INDENT + "Fix:  ", INCIDENT_INDENT + "      ", i.fixes());
    }
    if (incidents.size() > full) {
      out.print("\n");
      for (IncidentDiagnosis i : incidents.subList(full, incidents.size())) {
        out.print(oneLine(d, i, manyHosts) + "\n");
      }
    }
    if (!d.hostFindings().isEmpty()) {
      out.print("\nHost: findings about no single incident\n");
      why(INCIDENT_INDENT + "Why:  ", INCIDENT_INDENT + "      ", d.hostFindings());
      fixes(INCIDENT_INDENT + "Fix:  ", INCIDENT_INDENT + "      ", fixesOf(d.hostFindings()));
    }
    out.flush();
  }

  /** The classic four rungs, for a run with at most one incident. */
  private void single(Diagnosis d, Optional<IncidentDiagnosis> incident) {
    if (incident.isPresent()) {
      out.print(label("Where") + where(d, incident.get(), false) + "\n");
    } else {
      List<String> where = userspaceWhere(d);
      for (int i = 0; i < where.size(); i++) {
        out.print((i == 0 ? label("Where") : LADDER_INDENT) + where.get(i) + "\n");
      }
    }
    List<Finding> findings = new ArrayList<>();
    incident.ifPresent(i -> findings.addAll(i.findings()));
    findings.addAll(d.hostFindings());
    if (findings.isEmpty()) {
      out.print(
          label("Why")
              + (d.confirmation().state() == Confirmation.State.UNKNOWN
                  ? "unknown: the evidence that would tell could not be read"
                  : "no rule found a cause in this evidence")
              + "\n");
    } else {
      why(label("Why"), LADDER_INDENT, findings);
    }
    List<Fix> fixes = new ArrayList<>();
    incident.ifPresent(i -> fixes.addAll(i.fixes()));
    fixesOf(d.hostFindings()).stream().filter(f -> !fixes.contains(f)).forEach(fixes::add);
    if (fixes.isEmpty()) {
      out.print(label("Fix") + "nothing to change was found\n");
      return;
    }
    if (incident.isPresent()) {
      out.print(
          label("Fix") + "for " + incident.get().label() + " " + target(incident.get()) + ":\n");
      this.fixes(LADDER_INDENT, LADDER_INDENT, fixes);
    } else {
      this.fixes(label("Fix"), LADDER_INDENT, fixes);
    }
  }

  /** One line per code: the most severe finding of it stands for the others. */
  private void why(String first, String rest, List<Finding> findings) {
    Map<String, List<Finding>> byCode = new LinkedHashMap<>();
    sorted(findings).forEach(f -> byCode.computeIfAbsent(f.code(), c -> new ArrayList<>()).add(f));
    boolean isFirst = true;
    for (List<Finding> same : byCode.values()) {
      Finding f = same.getFirst();
      String more = same.size() > 1 ? " (and " + (same.size() - 1) + " more like it)" : "";
      out.print(
          (isFirst ? first : rest)
              + f.summary()
              + more
              + "  ["
              + f.code()
              + ", "
              + f.severity().jsonName()
              + "]\n");
      isFirst = false;
    }
  }

  private void fixes(String first, String rest, List<Fix> fixes) {
    boolean isFirst = true;
    for (Fix fix : fixes) {
      out.print(
          (isFirst ? first : rest) + "[" + fix.layer().jsonName() + "] " + fix.action() + "\n");
      fix.snippet().ifPresent(sn -> snippet(sn, rest + INDENT));
      isFirst = false;
    }
  }

  private static List<Fix> fixesOf(List<Finding> findings) {
    Set<Fix> fixes = new LinkedHashSet<>();
    sorted(findings).forEach(f -> fixes.addAll(f.fixes()));
    return List.copyOf(fixes);
  }

  /** Where an incident ran out, with its kills (and its host when the run has several). */
  private static String where(Diagnosis d, IncidentDiagnosis i, boolean manyHosts) {
    String host = manyHosts ? i.incident().host().orElse("(unnamed host)") + ": " : "";
    String pod =
        d.evidence().podOf(i.incident()).map(p -> "; that is " + Controls.visible(p)).orElse("");
    return host + i.where() + " (" + plural(i.kills(), "kill") + pod + ")";
  }

  private static boolean manyHosts(Diagnosis d) {
    return d.incidents().stream().map(i -> i.incident().host()).distinct().count() > 1;
  }

  /** What a fix is for: the incident's cgroup, or its host for a host-wide OOM. */
  private static String target(IncidentDiagnosis i) {
    return i.cgroup()
        .map(c -> "(memory cgroup " + c + ")")
        .orElse("(" + i.incident().host().map(h -> "host " + h).orElse("the host") + ")");
  }

  /** {@code #4 where (n kills): CODE severity, CODE severity}. */
  private static String oneLine(Diagnosis d, IncidentDiagnosis i, boolean manyHosts) {
    String codes =
        i.findings().isEmpty()
            ? "no rule fired"
            : i.findings().stream()
                .map(f -> f.code() + " " + f.severity().jsonName())
                .distinct()
                .collect(Collectors.joining(", "));
    return String.format(Locale.ROOT, "%-4s", i.label()) + where(d, i, manyHosts) + ": " + codes;
  }

  /**
   * Writes the findings in full, most severe first: those of the incidents the ladder shows in full
   * and those about no incident; the others are counted, with how to see them.
   */
  public void findings(Diagnosis d) {
    List<IncidentDiagnosis> incidents = d.incidents();
    Set<String> shown = new LinkedHashSet<>();
    incidents.stream().limit(FULL_INCIDENTS).forEach(i -> shown.add(i.incident().id()));
    Map<String, String> labels = new LinkedHashMap<>();
    incidents.forEach(i -> labels.put(i.incident().id(), i.label()));
    List<Finding> full =
        d.findings().stream()
            .filter(
                f -> f.incidents().isEmpty() || f.incidents().stream().anyMatch(shown::contains))
            .toList();
    for (Finding f : full) {
      finding(f, labels);
    }
    long hidden = d.findings().size() - full.size();
    if (hidden > 0) {
      out.print(
          "\n"
              + plural(hidden, "more finding")
              + " about #"
              + (FULL_INCIDENTS + 1)
              + " to #"
              + incidents.size()
              + " (one line each above): --workload CGROUP shows one"
              + " incident in full; --format json or markdown shows them all.\n");
    }
    out.flush();
  }

  // A name from a cluster object may hold a line break (JSON allows it); shown visibly, it cannot
  // start a line of its own that looks like output.
  private void finding(Finding f, Map<String, String> labels) {
    out.print("\n" + f.code() + ": " + Controls.visible(f.summary()) + "\n");
    out.print(
        INDENT
            + "Severity "
            + f.severity().jsonName()
            + ", confidence "
            + f.confidence().jsonName()
            + "\n");
    if (!f.incidents().isEmpty()) {
      out.print(
          INDENT
              + "About: "
              + f.incidents().stream()
                  .map(id -> labels.getOrDefault(id, "?") + " (" + id + ")")
                  .collect(Collectors.joining(", "))
              + "\n");
    }
    out.print(INDENT + "Reasoning: " + Controls.visible(f.reasoning()) + "\n");
    if (!f.evidence().isEmpty()) {
      out.print(INDENT + "Evidence:\n");
      for (Citation c : f.evidence()) {
        out.print(INDENT + INDENT + Controls.visible(c.describe()) + "\n");
      }
    }
    for (Fix fix : f.fixes()) {
      out.print(
          INDENT
              + "Fix ["
              + fix.layer().jsonName()
              + "]: "
              + Controls.visible(fix.action())
              + "\n");
      fix.snippet().ifPresent(s -> snippet(s, INDENT + INDENT + INDENT));
    }
    if (!f.code().equals(RuleEngine.ENGINE_ERROR)) {
      out.print(INDENT + "Doc: docs/rules/" + f.code() + ".md\n");
    }
  }

  /**
   * Writes the kernel's reports input by input: those of the incidents shown in full as a summary
   * each, the others one line each; an input without any says so, and its problems follow it.
   */
  public void reports(Diagnosis d) {
    Set<OomReport> full = Collections.newSetFromMap(new IdentityHashMap<>());
    d.incidents().stream().limit(FULL_INCIDENTS).forEach(i -> full.addAll(i.incident().reports()));
    TextReportWriter writer = new TextReportWriter(out);
    for (Input input : d.evidence().inputs()) {
      if (input.kind() != Input.Kind.KERNEL_LOG) {
        continue;
      }
      writer.beginInput(input.name(), empty(input));
      for (OomReport r : d.evidence().reports()) {
        if (r.source().file().equals(input.name())) {
          if (full.contains(r) || d.incidents().size() <= FULL_INCIDENTS) {
            writer.report(r);
          } else {
            writer.reportLine(r);
          }
        }
      }
      for (AllocFailure f : d.evidence().allocFailures()) {
        if (f.source().file().equals(input.name())) {
          writer.allocFailure(f);
        }
      }
      Optional<Problem> spoiled = input.spoiled();
      input.problems().stream()
          .filter(p -> spoiled.map(sp -> sp != p).orElse(true))
          .forEach(writer::problem);
      writer.endInput();
    }
    out.flush();
  }

  /** What an input without a report says: that it held none, or that it could not be read. */
  private static String empty(Input input) {
    Optional<String> why = input.whyNotWholeNamed();
    if (why.isPresent()) {
      return capitalize(why.get()) + ". Whether it holds an OOM kill is unknown.";
    }
    return "No OOM-killer report in "
        + input.name()
        + input.span().map(s -> " (" + s + ")").orElse("")
        + ".";
  }

  /** Writes the records of userspace killers, one line each; nothing when there are none. */
  public void userspaceKills(List<KillerEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    out.print("\nUserspace killers and service records (" + events.size() + "):\n");
    for (KillerEvent e : events) {
      StringBuilder s =
          new StringBuilder(INDENT)
              .append(e.killer().jsonName())
              .append(' ')
              .append(e.action().jsonName());
      e.comm().ifPresent(c -> s.append(' ').append(c));
      e.pid().ifPresent(p -> s.append(" (pid ").append(p).append(')'));
      e.unit().ifPresent(u -> s.append(' ').append(u));
      e.rssBytes().ifPresent(b -> s.append(", RSS ").append(Units.mibFromBytes(b)));
      e.reason().ifPresent(r -> s.append(": ").append(r));
      s.append("  (").append(e.source().file()).append(':').append(e.source().line()).append(")\n");
      out.print(s);
    }
    out.flush();
  }

  /** Writes the host's memory facts: meminfo, swap, zram, zswap, PSI, vmstat and cgroups. */
  public void host(HostSnapshot h) {
    out.print(
        "\nHost now: "
            + h.hostname().orElse("(hostname unknown)")
            + ", kernel "
            + h.kernelRelease().orElse("(unknown)")
            + "\n");
    line("Memory", memory(h));
    line("Swap", swap(h));
    if (!h.zram().isEmpty()) {
      line("zram", zram(h.zram()));
    }
    h.zswapEnabled().ifPresent(z -> line("zswap", z ? "enabled" : "off"));
    h.virtioBalloon()
        .filter(b -> b)
        .ifPresent(
            b ->
                line(
                    "Balloon",
                    "virtio_balloon is bound: the hypervisor can take memory back"
                        + h.configuredVmMemoryBytes().stream()
                            .mapToObj(c -> " (the VM was configured with " + sizeBytes(c) + ")")
                            .findFirst()
                            .orElse("")));
    line(
        "Pressure",
        h.memoryPressure()
            .map(DiagnosisTextWriter::pressure)
            .orElse("memory PSI not available (kernel without CONFIG_PSI, or psi=0)"));
    h.vmstat().ifPresent(v -> line("Counters", counters(v)));
    cgroups(h.cgroups());
    if (!h.problems().isEmpty()) {
      out.print(
          INDENT
              + h.problems().size()
              + (h.problems().size() == 1 ? " file" : " files")
              + " of the host could not be read:\n");
      for (Problem p : h.problems()) {
        out.print(INDENT + INDENT + p + "\n");
      }
    }
    out.flush();
  }

  private static String confirmed(Diagnosis d) {
    Confirmation c = d.confirmation();
    String selected = c.selection().isEmpty() ? "" : " (" + c.selection() + ")";
    String unplaced =
        c.unplaced() == 0
            ? ""
            : "; "
                + plural(c.unplaced(), "report")
                + " kept although the log gives no time to place "
                + (c.unplaced() == 1 ? "it" : "them")
                + " in the window";
    return confirmedCounts(d, c) + selected + unplaced;
  }

  private static String confirmedCounts(Diagnosis d, Confirmation c) {
    String read = readList(c.kernelLogs(), d);
    if (c.state() == Confirmation.State.UNKNOWN) {
      List<String> why = new ArrayList<>();
      for (Input i : c.kernelLogs()) {
        i.whyNotWholeNamed().ifPresent(why::add);
      }
      String whole = readList(c.kernelLogs(), d);
      return "unknown: "
          + (why.isEmpty() ? "no kernel log was read" : String.join("; ", why))
          + (whole.isEmpty() ? "" : "; none is on record in " + whole);
    }
    if (c.state() == Confirmation.State.NONE) {
      return "no OOM kill: neither the kernel's OOM killer nor a userspace killer is on record"
          + " in "
          + read
          + killersNote(d);
    }
    List<String> parts = new ArrayList<>();
    String floor = c.partial() ? "at least " : "";
    if (c.kernelKills() > 0) {
      parts.add(
          floor
              + plural(c.kernelKills(), "OOM kill")
              + " by the kernel"
              + (d.incidents().size() > 1 ? " in " + d.incidents().size() + " incidents" : ""));
    }
    if (c.reportsWithoutKill() > 0) {
      parts.add(
          plural(c.reportsWithoutKill(), "OOM report")
              + " without a kill (panic, nothing"
              + " killable, or the kill line is missing)");
    }
    if (c.userspaceKillCount() > 0) {
      List<String> who = new ArrayList<>();
      c.userspaceKills().forEach((k, n) -> who.add(k + " " + n));
      parts.add(
          plural(c.userspaceKillCount(), "kill")
              + " by a userspace killer ("
              + String.join(", ", who)
              + ")");
    } else if (c.kernelKills() > 0 && d.evidence().killerRecordsRead()) {
      parts.add("none by a userspace killer");
    }
    String joined = String.join("; ", parts);
    List<String> unread =
        c.unreadable().stream()
            .filter(i -> i.kind() == Input.Kind.KERNEL_LOG)
            .map(Input::name)
            .toList();
    return unread.isEmpty()
        ? joined
        : joined + " (" + String.join(", ", unread) + " could not be read whole)";
  }

  /** Says when the killers' records could not be read, so "none" is not overstated. */
  private static String killersNote(Diagnosis d) {
    List<Input> killers = d.evidence().inputs(Input.Kind.KILLER_LOG);
    boolean unread = killers.stream().anyMatch(i -> !i.isWhole());
    return unread
        ? "; the userspace killers' records could not be read ("
            + killers.stream()
                .filter(i -> !i.isWhole())
                .map(Input::name)
                .collect(Collectors.joining(", "))
            + ")"
        : "";
  }

  private static String readList(List<Input> kernelLogs, Diagnosis d) {
    List<String> names = new ArrayList<>();
    kernelLogs.stream().filter(Input::isWhole).forEach(i -> names.add(i.name()));
    d.evidence().inputs(Input.Kind.KILLER_LOG).stream()
        .filter(Input::isWhole)
        .forEach(i -> names.add(i.name()));
    return String.join(", ", names);
  }

  /** The ladder's Where when no kernel report holds an incident: what userspace killers did. */
  private static List<String> userspaceWhere(Diagnosis d) {
    List<String> out = new ArrayList<>();
    Map<String, Integer> units = new LinkedHashMap<>();
    for (KillerEvent k : d.evidence().killers()) {
      if (Confirmation.USERSPACE_KILLS.contains(k.action())) {
        String at = k.unit().or(k::comm).orElse("(not named)");
        units.merge(k.killer().jsonName() + " acted on " + at, 1, Integer::sum);
      }
    }
    units.forEach((w, n) -> out.add(w + (n > 1 ? " (" + n + " times)" : "")));
    if (out.isEmpty()) {
      out.add(
          d.confirmation().state() == Confirmation.State.UNKNOWN
              ? "unknown: the kernel log could not be read"
              : "nowhere: no memory ran out on record");
    }
    return out;
  }

  private static List<Finding> sorted(List<Finding> findings) {
    List<Finding> sorted = new ArrayList<>(findings);
    sorted.sort(Comparator.comparing(Finding::severity, Comparator.reverseOrder()));
    return sorted;
  }

  private void snippet(String snippet, String indent) {
    for (String l : snippet.strip().split("\n", -1)) {
      out.print((indent + l).stripTrailing() + "\n");
    }
  }

  private void line(String label, String text) {
    out.print(INDENT + String.format(Locale.ROOT, "%-10s", label + ":") + text + "\n");
  }

  private static String label(String name) {
    return String.format(Locale.ROOT, "%-11s", name + ":");
  }

  private static String memory(HostSnapshot h) {
    if (h.meminfo().isEmpty()) {
      return "/proc/meminfo not read";
    }
    KeyedValues m = h.meminfo().get();
    List<String> parts = new ArrayList<>();
    OptionalLong total = m.get("MemTotal");
    total.ifPresent(t -> parts.add("MemTotal " + sizeKb(t)));
    m.get("MemAvailable")
        .ifPresent(
            a ->
                parts.add(
                    "MemAvailable "
                        + sizeKb(a)
                        + total.stream()
                            .filter(t -> t > 0)
                            .mapToObj(t -> String.format(Locale.ROOT, " (%.0f%%)", 100.0 * a / t))
                            .findFirst()
                            .orElse("")));
    m.get("MemFree").ifPresent(f -> parts.add("MemFree " + sizeKb(f)));
    m.get("Cached").ifPresent(c -> parts.add("Cached " + sizeKb(c)));
    m.get("Shmem").ifPresent(s -> parts.add("Shmem " + sizeKb(s)));
    if (m.get("MemAvailable").isEmpty()) {
      parts.add("no MemAvailable (kernel before 3.14)");
    }
    return String.join(", ", parts);
  }

  private static String swap(HostSnapshot h) {
    List<String> parts = new ArrayList<>();
    h.meminfo()
        .ifPresent(
            m ->
                m.get("SwapTotal")
                    .ifPresent(
                        t -> {
                          if (t == 0) {
                            parts.add("none");
                          } else {
                            parts.add(
                                "SwapTotal "
                                    + sizeKb(t)
                                    + m.get("SwapFree").stream()
                                        .mapToObj(f -> ", " + sizeKb(t - f) + " used")
                                        .findFirst()
                                        .orElse(""));
                          }
                        }));
    for (SwapDevice s : h.swaps()) {
      parts.add(
          s.filename()
              + " ("
              + s.type()
              + ", "
              + sizeKb(s.sizeKb())
              + ", "
              + sizeKb(s.usedKb())
              + " used, priority "
              + s.priority()
              + ")");
    }
    return parts.isEmpty() ? "not read" : String.join("; ", parts);
  }

  private static String zram(List<ZramDevice> devices) {
    List<String> parts = new ArrayList<>();
    for (ZramDevice z : devices) {
      if (z.diskSizeBytes() == 0) {
        parts.add(z.name() + " present but not configured (disksize 0)");
        continue;
      }
      StringBuilder s =
          new StringBuilder(z.name()).append(' ').append(sizeBytes(z.diskSizeBytes()));
      z.algorithm().ifPresent(a -> s.append(' ').append(a));
      if (z.origDataBytes().isPresent() && z.memUsedTotalBytes().isPresent()) {
        s.append(", holds ")
            .append(sizeBytes(z.origDataBytes().getAsLong()))
            .append(" in ")
            .append(sizeBytes(z.memUsedTotalBytes().getAsLong()))
            .append(" of RAM");
      }
      parts.add(s.toString());
    }
    return String.join("; ", parts);
  }

  private static String pressure(PressureStall p) {
    StringBuilder s = new StringBuilder("memory PSI ").append(stall("some", p.some()));
    p.full().ifPresent(f -> s.append("; ").append(stall("full", f)));
    return s.toString();
  }

  private static String stall(String name, PressureStall.Line l) {
    return String.format(
        Locale.ROOT,
        "%s avg10=%.2f avg60=%.2f avg300=%.2f total=%dus",
        name,
        l.avg10(),
        l.avg60(),
        l.avg300(),
        l.totalMicros());
  }

  private static String counters(KeyedValues v) {
    List<String> parts = new ArrayList<>();
    for (String key :
        List.of(
            "oom_kill",
            "pswpin",
            "pswpout",
            "workingset_refault_anon",
            "workingset_refault_file",
            "workingset_refault")) {
      v.get(key).ifPresent(n -> parts.add(key + " " + n));
    }
    return parts.isEmpty()
        ? "none of oom_kill, pswpin, pswpout, workingset_refault*"
        : String.join(", ", parts) + " (since boot)";
  }

  private void cgroups(List<CgroupMemory> cgroups) {
    if (cgroups.isEmpty()) {
      line("Cgroups", "no memory cgroup read");
      return;
    }
    int version = cgroups.getFirst().version();
    List<CgroupMemory> shown = new ArrayList<>(cgroups);
    // Those that have had OOM kills or hit their limit first; the walk order otherwise.
    shown.sort(
        Comparator.comparingLong(DiagnosisTextWriter::oomKills)
            .reversed()
            .thenComparing(
                Comparator.comparingLong((CgroupMemory c) -> c.failcnt().orElse(0)).reversed()));
    line(
        "Cgroups",
        plural(cgroups.size(), "memory cgroup")
            + " read (cgroup v"
            + version
            + ")"
            + (cgroups.size() > MAX_CGROUPS_LISTED
                ? ", the first " + MAX_CGROUPS_LISTED + " by OOM kills:"
                : ":"));
    for (CgroupMemory c : shown.subList(0, Math.min(shown.size(), MAX_CGROUPS_LISTED))) {
      out.print(INDENT + INDENT + cgroup(c) + "\n");
    }
  }

  private static long oomKills(CgroupMemory c) {
    return c.events().map(e -> e.get("oom_kill").orElse(0)).orElse(0L);
  }

  private static String cgroup(CgroupMemory c) {
    List<String> parts = new ArrayList<>();
    parts.add(
        "limit "
            + c.limitBytes().stream()
                .mapToObj(DiagnosisTextWriter::sizeBytes)
                .findFirst()
                .orElse("none"));
    c.highBytes().ifPresent(b -> parts.add("high " + sizeBytes(b)));
    c.currentBytes().ifPresent(b -> parts.add("current " + sizeBytes(b)));
    c.peakBytes().ifPresent(b -> parts.add("peak " + sizeBytes(b)));
    c.swapCurrentBytes().ifPresent(b -> parts.add("swap " + sizeBytes(b)));
    c.failcnt().stream().filter(f -> f > 0).forEach(f -> parts.add("failcnt " + f));
    c.events()
        .ifPresent(
            e -> {
              for (String key : List.of("oom", "oom_kill", "oom_group_kill", "max", "high")) {
                e.get(key).stream().filter(n -> n > 0).forEach(n -> parts.add(key + " " + n));
              }
            });
    return c.path() + ": " + String.join(", ", parts);
  }

  /** kB as MiB below 10 GiB, else as GiB, one decimal. */
  static String sizeKb(long kb) {
    if (kb >= 10L * 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f GiB", kb / (1024.0 * 1024.0));
    }
    return Units.mibFromKb(kb);
  }

  static String sizeBytes(long bytes) {
    return sizeKb(bytes / 1024);
  }

  private static String plural(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  private static String capitalize(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
