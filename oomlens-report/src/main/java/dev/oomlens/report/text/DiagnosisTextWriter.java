package dev.oomlens.report.text;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.host.CgroupMemory;
import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.core.host.KeyedValues;
import dev.oomlens.core.host.KillerEvent;
import dev.oomlens.core.host.PressureStall;
import dev.oomlens.core.host.SwapDevice;
import dev.oomlens.core.host.ZramDevice;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.OomScope;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.model.Citation;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.Incident;
import dev.oomlens.core.rules.MemcgLevel;
import dev.oomlens.core.rules.RuleEngine;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

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

  /** Places (incidents) named on the ladder's Where line; the rest are counted. */
  public static final int MAX_PLACES = 5;

  /** Cgroups listed in the host facts (those with OOM kills or limit hits first). */
  public static final int MAX_CGROUPS_LISTED = 8;

  /** The killer actions that are kills (or evictions) done by userspace, not records of them. */
  private static final Set<KillerEvent.Action> USERSPACE_KILLS = EnumSet.of(
      KillerEvent.Action.KILL, KillerEvent.Action.EVICT,
      KillerEvent.Action.UNIT_KILLED_BY_OOMD);

  private final PrintWriter out;

  public DiagnosisTextWriter(PrintWriter out) {
    this.out = requireNonNull(out, "out");
  }

  /**
   * Writes the ladder: what is confirmed, where the memory ran out, why (the findings' summaries,
   * most severe first) and what to change (each fix once, with its layer and snippet).
   *
   * @param sources what was read, in words ("/dev/kmsg", "kern.log"), for the "none" case; empty
   *     when no kernel log could be read at all
   */
  public void ladder(EvidenceSet evidence, List<Finding> findings, Optional<String> sources) {
    List<Finding> sorted = sorted(findings);
    out.print(label("Confirmed") + confirmed(evidence, sources) + "\n");
    List<String> where = where(evidence);
    for (int i = 0; i < where.size(); i++) {
      out.print((i == 0 ? label("Where") : LADDER_INDENT) + where.get(i) + "\n");
    }
    // One line per code: the most severe finding of it stands for the others, whose summaries
    // and fixes are in the findings below.
    Map<String, List<Finding>> byCode = new LinkedHashMap<>();
    sorted.forEach(f -> byCode.computeIfAbsent(f.code(), c -> new ArrayList<>()).add(f));
    if (byCode.isEmpty()) {
      out.print(label("Why") + "no rule found a cause in this evidence\n");
    }
    boolean first = true;
    for (List<Finding> same : byCode.values()) {
      Finding f = same.getFirst();
      String more = same.size() > 1 ? " (and " + (same.size() - 1) + " more like it)" : "";
      out.print((first ? label("Why") : LADDER_INDENT) + f.summary() + more + "  ["
          + f.code() + ", " + f.severity().jsonName() + "]\n");
      first = false;
    }
    Set<Fix> fixes = new LinkedHashSet<>();
    byCode.values().forEach(same -> fixes.addAll(same.getFirst().fixes()));
    if (fixes.isEmpty()) {
      out.print(label("Fix") + "nothing to change was found\n");
    }
    first = true;
    for (Fix fix : fixes) {
      out.print((first ? label("Fix") : LADDER_INDENT) + "[" + fix.layer().jsonName() + "] "
          + fix.action() + "\n");
      fix.snippet().ifPresent(sn -> snippet(sn, LADDER_INDENT + INDENT));
      first = false;
    }
    out.flush();
  }

  /** Writes each finding in full, most severe first; nothing when there are none. */
  public void findings(List<Finding> findings) {
    List<Finding> sorted = sorted(findings);
    for (Finding f : sorted) {
      out.print("\n" + f.code() + ": " + f.summary() + "\n");
      out.print(INDENT + "Severity " + f.severity().jsonName() + ", confidence "
          + f.confidence().jsonName() + "\n");
      out.print(INDENT + "Reasoning: " + f.reasoning() + "\n");
      if (!f.evidence().isEmpty()) {
        out.print(INDENT + "Evidence:\n");
        for (Citation c : f.evidence()) {
          out.print(INDENT + INDENT + c.describe() + "\n");
        }
      }
      for (Fix fix : f.fixes()) {
        out.print(INDENT + "Fix [" + fix.layer().jsonName() + "]: " + fix.action() + "\n");
        fix.snippet().ifPresent(s -> snippet(s, INDENT + INDENT + INDENT));
      }
      if (!f.code().equals(RuleEngine.ENGINE_ERROR)) {
        out.print(INDENT + "Doc: docs/rules/" + f.code() + ".md\n");
      }
    }
    out.flush();
  }

  /** Writes the records of userspace killers, one line each; nothing when there are none. */
  public void userspaceKills(List<KillerEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    out.print("\nUserspace killers and service records (" + events.size() + "):\n");
    for (KillerEvent e : events) {
      StringBuilder s = new StringBuilder(INDENT).append(e.killer().jsonName()).append(' ')
          .append(e.action().jsonName());
      e.comm().ifPresent(c -> s.append(' ').append(c));
      e.pid().ifPresent(p -> s.append(" (pid ").append(p).append(')'));
      e.unit().ifPresent(u -> s.append(' ').append(u));
      e.rssBytes().ifPresent(b -> s.append(", RSS ").append(Units.mibFromBytes(b)));
      e.reason().ifPresent(r -> s.append(": ").append(r));
      s.append("  (").append(e.source().file()).append(':').append(e.source().line())
          .append(")\n");
      out.print(s);
    }
    out.flush();
  }

  /** Writes the host's memory facts: meminfo, swap, zram, zswap, PSI, vmstat and cgroups. */
  public void host(HostSnapshot h) {
    out.print("\nHost now: " + h.hostname().orElse("(hostname unknown)") + ", kernel "
        + h.kernelRelease().orElse("(unknown)") + "\n");
    line("Memory", memory(h));
    line("Swap", swap(h));
    if (!h.zram().isEmpty()) {
      line("zram", zram(h.zram()));
    }
    h.zswapEnabled().ifPresent(z -> line("zswap", z ? "enabled" : "off"));
    h.virtioBalloon().filter(b -> b).ifPresent(b -> line("Balloon",
        "virtio_balloon is bound: the hypervisor can take memory back"
            + h.configuredVmMemoryBytes().stream()
                .mapToObj(c -> " (the VM was configured with " + sizeBytes(c) + ")")
                .findFirst().orElse("")));
    line("Pressure", h.memoryPressure().map(DiagnosisTextWriter::pressure)
        .orElse("memory PSI not available (kernel without CONFIG_PSI, or psi=0)"));
    h.vmstat().ifPresent(v -> line("Counters", counters(v)));
    cgroups(h.cgroups());
    if (!h.problems().isEmpty()) {
      out.print(INDENT + h.problems().size() + (h.problems().size() == 1 ? " file" : " files")
          + " of the host could not be read:\n");
      for (Problem p : h.problems()) {
        out.print(INDENT + INDENT + p + "\n");
      }
    }
    out.flush();
  }

  private String confirmed(EvidenceSet e, Optional<String> sources) {
    long kernelKills = e.reports().stream().filter(r -> r.victim().isPresent()).count();
    long noKill = e.reports().size() - kernelKills;
    Map<String, Integer> byKiller = new TreeMap<>();
    for (KillerEvent k : e.killers()) {
      if (USERSPACE_KILLS.contains(k.action())) {
        byKiller.merge(k.killer().jsonName(), 1, Integer::sum);
      }
    }
    int userspace = byKiller.values().stream().mapToInt(Integer::intValue).sum();
    if (kernelKills == 0 && noKill == 0 && userspace == 0) {
      return sources.map(s -> "no OOM kill: neither the kernel's OOM killer nor a userspace"
              + " killer is on record in " + s)
          .orElse("unknown: no kernel log could be read");
    }
    List<String> parts = new ArrayList<>();
    if (kernelKills > 0) {
      parts.add(plural(kernelKills, "OOM kill") + " by the kernel");
    }
    if (noKill > 0) {
      parts.add(plural(noKill, "OOM report") + " without a kill (panic, nothing killable, or"
          + " the kill line is missing)");
    }
    if (userspace > 0) {
      List<String> who = new ArrayList<>();
      byKiller.forEach((k, n) -> who.add(k + " " + n));
      parts.add(plural(userspace, "kill") + " by a userspace killer (" + String.join(", ", who)
          + ")");
    } else if (kernelKills > 0) {
      parts.add("none by a userspace killer");
    }
    return String.join("; ", parts);
  }

  private static List<String> where(EvidenceSet e) {
    List<String> out = new ArrayList<>();
    Set<String> hosts = new LinkedHashSet<>();
    e.incidents().forEach(i -> hosts.add(i.host().orElse("")));
    boolean manyHosts = hosts.size() > 1;
    List<Incident> incidents = new ArrayList<>(e.incidents());
    // Most kills first; the rest are counted, and listed in the reports below.
    incidents.sort(Comparator.comparingLong(DiagnosisTextWriter::kills).reversed());
    for (Incident i : incidents.subList(0, Math.min(incidents.size(), MAX_PLACES))) {
      OomReport first = i.reports().getFirst();
      String host = manyHosts ? i.host().orElse("(unnamed host)") + ": " : "";
      out.add(host + place(first) + " (" + plural(kills(i), "kill") + ")");
    }
    if (incidents.size() > MAX_PLACES) {
      out.add("and " + (incidents.size() - MAX_PLACES) + " more places ("
          + plural(incidents.size(), "incident") + " in all, each in the reports below)");
    }
    if (out.isEmpty()) {
      Map<String, Integer> units = new LinkedHashMap<>();
      for (KillerEvent k : e.killers()) {
        if (USERSPACE_KILLS.contains(k.action())) {
          String at = k.unit().or(k::comm).orElse("(not named)");
          units.merge(k.killer().jsonName() + " acted on " + at, 1, Integer::sum);
        }
      }
      units.forEach((w, n) -> out.add(w + (n > 1 ? " (" + n + " times)" : "")));
    }
    if (out.isEmpty()) {
      out.add("nowhere: no memory ran out on record");
    }
    return out;
  }

  private static long kills(Incident i) {
    return i.reports().stream().filter(r -> r.victim().isPresent()).count();
  }

  /** Where one report says the memory ran out, in words. */
  private static String place(OomReport r) {
    if (r.order().isPresent() && r.order().getAsInt() == -1) {
      return "no limit was hit: the OOM killer was invoked by hand (SysRq-f)";
    }
    Optional<OomScope> scope = r.scope();
    if (r.oomMemcg().isPresent() || scope.filter(s -> s == OomScope.MEMCG).isPresent()) {
      String cgroup = r.oomMemcg().orElse("(not named)");
      String level = MemcgLevel.of(r).map(MemcgLevel::words).orElse("cgroup");
      return "the " + level + " limit: memory cgroup " + cgroup;
    }
    if (scope.isEmpty()) {
      return "not shown by the report";
    }
    return switch (scope.get()) {
      case GLOBAL -> "the whole host: no cgroup limit, the machine ran out of memory";
      case CPUSET -> "a cpuset's memory nodes" + r.cpuset().map(c -> " (" + c + ")").orElse("");
      case MEMORY_POLICY -> "the memory nodes of a memory policy (mbind/set_mempolicy)";
      case MEMCG -> "a memory cgroup";
    };
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
    m.get("MemAvailable").ifPresent(a -> parts.add("MemAvailable " + sizeKb(a)
        + total.stream().filter(t -> t > 0)
            .mapToObj(t -> String.format(Locale.ROOT, " (%.0f%%)", 100.0 * a / t))
            .findFirst().orElse("")));
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
    h.meminfo().ifPresent(m -> m.get("SwapTotal").ifPresent(t -> {
      if (t == 0) {
        parts.add("none");
      } else {
        parts.add("SwapTotal " + sizeKb(t) + m.get("SwapFree").stream()
            .mapToObj(f -> ", " + sizeKb(t - f) + " used").findFirst().orElse(""));
      }
    }));
    for (SwapDevice s : h.swaps()) {
      parts.add(s.filename() + " (" + s.type() + ", " + sizeKb(s.sizeKb()) + ", "
          + sizeKb(s.usedKb()) + " used, priority " + s.priority() + ")");
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
      StringBuilder s = new StringBuilder(z.name()).append(' ')
          .append(sizeBytes(z.diskSizeBytes()));
      z.algorithm().ifPresent(a -> s.append(' ').append(a));
      if (z.origDataBytes().isPresent() && z.memUsedTotalBytes().isPresent()) {
        s.append(", holds ").append(sizeBytes(z.origDataBytes().getAsLong())).append(" in ")
            .append(sizeBytes(z.memUsedTotalBytes().getAsLong())).append(" of RAM");
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
    return String.format(Locale.ROOT, "%s avg10=%.2f avg60=%.2f avg300=%.2f total=%dus",
        name, l.avg10(), l.avg60(), l.avg300(), l.totalMicros());
  }

  private static String counters(KeyedValues v) {
    List<String> parts = new ArrayList<>();
    for (String key : List.of("oom_kill", "pswpin", "pswpout", "workingset_refault_anon",
        "workingset_refault_file", "workingset_refault")) {
      v.get(key).ifPresent(n -> parts.add(key + " " + n));
    }
    return parts.isEmpty() ? "none of oom_kill, pswpin, pswpout, workingset_refault*"
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
    shown.sort(Comparator.comparingLong(DiagnosisTextWriter::oomKills).reversed()
        .thenComparing(Comparator.comparingLong(
            (CgroupMemory c) -> c.failcnt().orElse(0)).reversed()));
    line("Cgroups", plural(cgroups.size(), "memory cgroup") + " read (cgroup v" + version
        + ")" + (cgroups.size() > MAX_CGROUPS_LISTED ? ", the first " + MAX_CGROUPS_LISTED
            + " by OOM kills:" : ":"));
    for (CgroupMemory c : shown.subList(0, Math.min(shown.size(), MAX_CGROUPS_LISTED))) {
      out.print(INDENT + INDENT + cgroup(c) + "\n");
    }
  }

  private static long oomKills(CgroupMemory c) {
    return c.events().map(e -> e.get("oom_kill").orElse(0)).orElse(0L);
  }

  private static String cgroup(CgroupMemory c) {
    List<String> parts = new ArrayList<>();
    parts.add("limit " + c.limitBytes().stream().mapToObj(DiagnosisTextWriter::sizeBytes)
        .findFirst().orElse("none"));
    c.highBytes().ifPresent(b -> parts.add("high " + sizeBytes(b)));
    c.currentBytes().ifPresent(b -> parts.add("current " + sizeBytes(b)));
    c.peakBytes().ifPresent(b -> parts.add("peak " + sizeBytes(b)));
    c.swapCurrentBytes().ifPresent(b -> parts.add("swap " + sizeBytes(b)));
    c.failcnt().stream().filter(f -> f > 0).forEach(f -> parts.add("failcnt " + f));
    c.events().ifPresent(e -> {
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
}
