package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.host.KillerEvent;
import dev.oomlens.core.host.KillerEvent.Action;
import dev.oomlens.core.host.KillerEvent.Killer;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.ReportFacts;
import dev.oomlens.core.rules.RuleInfo;
import dev.oomlens.core.rules.RuleInfo.Watch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/*
 * A SIGKILL from a userspace killer looks, to the workload and to `kubectl describe`, like the
 * kernel's: exit 137. Telling them apart matters because each is fixed in a different place (users
 * ask this again and again: systemd#35270, earlyoom#344). The killers and their default rules
 * (see their sources):
 *   earlyoom      mem% = MemAvailable / (MemAvailable + AnonPages), swap% = SwapFree / SwapTotal
 *                 (0 without swap); SIGTERM at mem <= 10 % and swap <= 10 %, SIGKILL at 5 % and 5 %
 *   systemd-oomd  pressure: a ManagedOOMMemoryPressure=kill cgroup with PSI memory full avg10
 *                 above ManagedOOMMemoryPressureLimit (60 %, distributions often 50 %) for
 *                 DefaultMemoryPressureDurationSec (30 s, often 20 s) with reclaim: kills the
 *                 descendant cgroup reclaiming the most; swap: MemAvailable and SwapFree both
 *                 under 10 % (SwapUsedLimit 90 %): kills the ManagedOOMSwap=kill descendant using
 *                 the most swap
 *   nohang        soft (SIGTERM) at MemAvailable 5 % and SwapFree 10 % (PSI full_avg10 40 when
 *                 enabled), hard (SIGKILL) at 2 % and 4 % (PSI 90)
 *   kubelet       evicts when memory.available (capacity - working set of kubepods) falls under
 *                 --eviction-hard memory.available (100Mi): pods above their request first, then
 *                 lower priority, then the largest usage over request
 * The service manager's own records of a unit (systemd's "killed by the OOM killer", "Failed with
 * result 'oom-kill'", "status=9/KILL") are not a killer acting; they are cited beside a killer's
 * event for the same unit. A kernel OOM report of the same pid (same host when both say) means
 * both acted on that process, which the finding says.
 */

/** {@code USERSPACE-KILL}: systemd-oomd, earlyoom, nohang or the kubelet killed, not the kernel. */
public final class UserspaceKillAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
              "USERSPACE-KILL",
              "A userspace killer (systemd-oomd, earlyoom, nohang) or a kubelet eviction killed the"
                  + " workload, not the kernel's OOM killer",
              Severity.HIGH,
              RuleInfo.Scope.HOST,
              Layer.CONTAINER_LIMIT,
              Layer.NODE,
              Layer.POD_SPEC)
          .watching(
              Watch.criterion(
                  "Full memory stalls stay under 5% of the time",
                  "max_over_time(rate(node_pressure_memory_stalled_seconds_total{instance}[5m])[7d:5m]) < 0.05"));

  /** Most events quoted in one finding; the count is always given in full. */
  static final int MAX_CITED = 20;

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    Map<String, List<KillerEvent>> groups = new LinkedHashMap<>();
    for (KillerEvent e : evidence.killers()) {
      if (e.killer() == Killer.SYSTEMD_UNIT_RESULT || !aboutMemory(e)) {
        continue;
      }
      groups
          .computeIfAbsent(e.killer().name() + "@" + e.host().orElse(""), k -> new ArrayList<>())
          .add(e);
    }
    List<Finding> out = new ArrayList<>();
    for (List<KillerEvent> events : groups.values()) {
      out.add(finding(events, evidence));
    }
    return out;
  }

  /** Kubelet evictions for disk or inodes are not about memory; everything else here is. */
  private static boolean aboutMemory(KillerEvent e) {
    return e.killer() != Killer.KUBELET_EVICTION
        || e.reason().map(r -> r.contains("memory")).orElse(true);
  }

  private static Finding finding(List<KillerEvent> events, EvidenceSet evidence) {
    KillerEvent first = events.getFirst();
    Killer killer = first.killer();
    List<SourceLine> cited = new ArrayList<>();
    Set<String> targets = new LinkedHashSet<>();
    Set<String> reasons = new LinkedHashSet<>();
    int terminated = 0;
    int failed = 0;
    for (int i = 0; i < events.size(); i++) {
      KillerEvent e = events.get(i);
      if (i < MAX_CITED) {
        cited.add(e.source());
      }
      if (e.action() == Action.KILL_FAILED) {
        failed++;
        continue;
      }
      if (e.action() == Action.TERMINATE) {
        terminated++;
      }
      targets.add(target(e));
      e.reason().ifPresent(reasons::add);
    }
    StringBuilder why = new StringBuilder();
    why.append(killerName(killer))
        .append(" acted on ")
        .append(targets.size())
        .append(targets.size() == 1 ? " target" : " targets")
        .append(" (first at ")
        .append(HostFacts.where(first.source()))
        .append("): ")
        .append(String.join(", ", targets))
        .append('.');
    if (terminated > 0) {
      why.append(" ")
          .append(terminated)
          .append(terminated == 1 ? " was" : " were")
          .append(" asked to exit with SIGTERM first.");
    }
    if (failed > 0) {
      why.append(" ").append(failed).append(failed == 1 ? " kill" : " kills").append(" failed.");
    }
    why.append(
        " The kill came from it, not from the kernel's OOM killer: a daemon's rule chose"
            + " the victim, before the kernel itself ran out. ");
    why.append(rule(killer, events));
    if (!reasons.isEmpty()) {
      why.append(" It said why: ")
          .append(String.join("; ", reasons.stream().limit(3).toList()))
          .append('.');
    }
    List<String> both = new ArrayList<>();
    for (KillerEvent e : events) {
      kernelReport(e, evidence.reports())
          .ifPresent(
              r -> {
                both.add(target(e) + " (" + ReportFacts.where(r) + ")");
                r.victim().ifPresent(v -> cited.add(v.source()));
              });
      for (KillerEvent u : evidence.killers()) {
        if (u.killer() == Killer.SYSTEMD_UNIT_RESULT && sameUnit(e, u)) {
          cited.add(u.source());
        }
      }
    }
    if (!both.isEmpty()) {
      why.append(" The kernel's OOM killer also killed ")
          .append(String.join(", ", both))
          .append(
              ": both acted on the same process; the daemon was too late to prevent the"
                  + " kernel OOM, or the kernel finished what it had begun.");
    }
    String summary = summary(killer, events, targets, !both.isEmpty());
    return new Finding(
        INFO.code(),
        Severity.HIGH,
        Confidence.HIGH,
        summary,
        why.toString(),
        ReportFacts.sorted(cited),
        fixes(killer, events));
  }

  private static String summary(
      Killer killer, List<KillerEvent> events, Set<String> targets, boolean kernelToo) {
    String what =
        killer == Killer.KUBELET_EVICTION
            ? "The kubelet evicted "
                + (targets.size() == 1
                    ? "pod " + targets.iterator().next()
                    : targets.size() + " pods")
            : killerName(killer)
                + " killed "
                + (targets.size() == 1
                    ? targets.iterator().next()
                    : targets.size() + (killer == Killer.SYSTEMD_OOMD ? " cgroups" : " processes"));
    return what
        + (kernelToo ? ", and the kernel's OOM killer acted too" : ", not the kernel's OOM killer");
  }

  private static String killerName(Killer k) {
    return switch (k) {
      case SYSTEMD_OOMD -> "systemd-oomd";
      case EARLYOOM -> "earlyoom";
      case NOHANG -> "nohang";
      case KUBELET_EVICTION -> "The kubelet's eviction manager";
      case SYSTEMD_UNIT_RESULT -> "systemd";
    };
  }

  /** What was acted on, as people name it. */
  private static String target(KillerEvent e) {
    if (e.comm().isPresent() && e.pid().isPresent()) {
      return e.comm().get() + " (pid " + e.pid().getAsLong() + ")";
    }
    if (e.unit().isPresent()) {
      // systemd-oomd names the cgroup, the service manager's record only its unit: one target.
      return e.killer() == Killer.SYSTEMD_OOMD ? unitOf(e) : e.unit().get();
    }
    if (e.pid().isPresent()) {
      return "pid " + e.pid().getAsLong();
    }
    return e.comm().orElse("an unnamed target");
  }

  private static String rule(Killer k, List<KillerEvent> events) {
    return switch (k) {
      case EARLYOOM ->
          "earlyoom's rule: it sends SIGTERM when MemAvailable is at most 10% (of"
              + " MemAvailable + AnonPages) and free swap at most 10% (no swap counts as 0%), and"
              + " SIGKILL at 5% and 5% (defaults -m 10,5 -s 10,5); it picks the highest oom_score.";
      case SYSTEMD_OOMD -> oomdRule(events);
      case NOHANG ->
          "nohang's rule: SIGTERM when MemAvailable falls to 5% and free swap to 10%"
              + " (or PSI full_avg10 above 40 when PSI checking is on), SIGKILL at 2% and 4% (PSI"
              + " 90); it picks the highest badness (oom_score with its own adjustments).";
      case KUBELET_EVICTION ->
          "The kubelet's rule: evict when memory.available (node capacity"
              + " minus the working set of all pods) falls under --eviction-hard memory.available"
              + " (100Mi by default); it evicts pods using more than their memory request first, then"
              + " lower priority, then the largest usage over request.";
      case SYSTEMD_UNIT_RESULT -> "";
    };
  }

  private static String oomdRule(List<KillerEvent> events) {
    boolean pressure =
        events.stream()
            .anyMatch(e -> e.reason().filter(r -> r.startsWith("memory pressure")).isPresent());
    boolean swap =
        events.stream().anyMatch(e -> e.reason().filter(r -> r.contains("swap used")).isPresent());
    String psiRule =
        "the PSI rule: a cgroup under a unit with ManagedOOMMemoryPressure=kill had"
            + " memory pressure (full avg10) above ManagedOOMMemoryPressureLimit (60% by default,"
            + " 50% on many distributions) for DefaultMemoryPressureDurationSec (30 s, often 20 s)"
            + " with reclaim going on, and oomd killed the whole cgroup reclaiming the most";
    String swapRule =
        "the swap rule: MemAvailable and free swap both under 10% (SwapUsedLimit"
            + " 90%), and oomd killed the ManagedOOMSwap=kill cgroup using the most swap";
    if (pressure && !swap) {
      return "systemd-oomd acted on " + psiRule + ".";
    }
    if (swap && !pressure) {
      return "systemd-oomd acted on " + swapRule + ".";
    }
    return "systemd-oomd acts on " + psiRule + "; or on " + swapRule + ".";
  }

  /** The kernel report that killed the same pid on the same host, if there is one. */
  private static Optional<OomReport> kernelReport(KillerEvent e, List<OomReport> reports) {
    if (e.pid().isEmpty()) {
      return Optional.empty();
    }
    long pid = e.pid().getAsLong();
    return reports.stream()
        .filter(r -> r.victim().filter(v -> v.pid() == pid).isPresent())
        .filter(r -> r.host().isEmpty() || e.host().isEmpty() || r.host().equals(e.host()))
        .findFirst();
  }

  private static boolean sameUnit(KillerEvent e, KillerEvent unitResult) {
    if (!e.host().equals(unitResult.host()) || e.unit().isEmpty() || unitResult.unit().isEmpty()) {
      return false;
    }
    String u = unitResult.unit().get();
    String target = e.unit().get();
    return target.equals(u) || target.endsWith("/" + u);
  }

  /** The leaf of a cgroup path or unit name, or a placeholder. */
  private static String unitOf(KillerEvent e) {
    return e.unit()
        .map(u -> u.substring(u.lastIndexOf('/') + 1))
        .filter(u -> !u.isEmpty())
        .orElse("<unit>");
  }

  private static List<Fix> fixes(Killer k, List<KillerEvent> events) {
    KillerEvent first = events.getFirst();
    String comm = first.comm().orElse("<process name>");
    List<Fix> fixes = new ArrayList<>();
    switch (k) {
      case EARLYOOM -> {
        fixes.add(
            new Fix(
                Layer.NODE,
                "If "
                    + comm
                    + " must not be earlyoom's choice, tell earlyoom to avoid it (and to"
                    + " prefer what may go); lower -m/-s to let it act later, closer to a real"
                    + " shortage.",
                Optional.of(
                    "# /etc/default/earlyoom, then: systemctl restart earlyoom\n"
                        + "EARLYOOM_ARGS=\"-r 3600 -m 5,2 -s 5,2 --avoid '^("
                        + comm
                        + ")$'\"\n")));
        fixes.add(limitFix(comm));
      }
      case SYSTEMD_OOMD -> {
        String unit = unitOf(first);
        fixes.add(
            new Fix(
                Layer.NODE,
                "Protect the unit that should survive: ManagedOOMPreference=avoid makes oomd pick"
                    + " other candidates first (omit: never), for units owned by root.",
                Optional.of(
                    "# systemctl edit " + unit + "\n[Service]\nManagedOOMPreference=avoid\n")));
        fixes.add(
            new Fix(
                Layer.NODE,
                "Or let oomd act later: raise the pressure limit on the monitored slice, or the time"
                    + " it must last.",
                Optional.of(
                    "# systemctl edit <monitored slice, e.g. user@.service>\n[Service]\n"
                        + "ManagedOOMMemoryPressureLimit=80%\n"
                        + "# /etc/systemd/oomd.conf.d/50-later.conf\n[OOM]\n"
                        + "DefaultMemoryPressureDurationSec=60s\n")));
        fixes.add(limitFix(unit));
      }
      case NOHANG -> {
        fixes.add(
            new Fix(
                Layer.NODE,
                "Protect "
                    + comm
                    + " from nohang's choice, or lower its thresholds so it acts"
                    + " closer to a real shortage.",
                Optional.of(
                    "# /etc/nohang/nohang.conf, then: systemctl restart nohang\n"
                        + "soft_threshold_min_mem = 3 %\n"
                        + "hard_threshold_min_mem = 2 %\n"
                        + "@BADNESS_ADJ_RE_NAME -500 /// ^"
                        + comm
                        + "$\n")));
        fixes.add(limitFix(comm));
      }
      case KUBELET_EVICTION -> {
        fixes.add(
            new Fix(
                Layer.POD_SPEC,
                "Set the evicted pod's memory request to what it really uses (requests equal to"
                    + " limits make it Guaranteed, evicted last): pods over their request go first.",
                Optional.of(
                    "resources:\n  requests:\n    memory: \"<observed peak>\"\n"
                        + "  limits:\n    memory: \"<observed peak>\"\n")));
        fixes.add(
            new Fix(
                Layer.NODE,
                "Keep the node from reaching the eviction threshold: reserve memory for the system"
                    + " and the kubelet, and add a soft threshold with a grace period so pods are"
                    + " stopped gracefully first.",
                Optional.of(
                    "# /var/lib/kubelet/config.yaml\n"
                        + "systemReserved:\n  memory: \"512Mi\"\n"
                        + "kubeReserved:\n  memory: \"512Mi\"\n"
                        + "evictionHard:\n  memory.available: \"200Mi\"\n"
                        + "evictionSoft:\n  memory.available: \"500Mi\"\n"
                        + "evictionSoftGracePeriod:\n  memory.available: \"1m30s\"\n")));
      }
      case SYSTEMD_UNIT_RESULT -> {}
    }
    return fixes;
  }

  private static Fix limitFix(String what) {
    return new Fix(
        Layer.CONTAINER_LIMIT,
        "Put the workload that grows under its own cgroup limit (MemoryHigh below MemoryMax) so"
            + " the kernel reclaims and, at worst, kills inside that cgroup, before a host-wide"
            + " daemon has to pick a victim.",
        Optional.of(
            "# systemctl edit <unit running "
                + what
                + ">\n[Service]\n"
                + "MemoryHigh=<90% of MemoryMax>\nMemoryMax=<its budget>\n"));
  }
}
