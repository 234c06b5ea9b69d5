package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.host.CgroupMemory;
import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.core.host.KillerEvent;
import dev.oomlens.core.host.KillerEvent.Killer;
import dev.oomlens.core.model.Citation;
import dev.oomlens.core.model.FileValue;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.ReportFacts;
import dev.oomlens.core.rules.RuleInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/*
 * Exit code 137 is 128 + 9: the process died of SIGKILL. The kernel's OOM killer is one sender;
 * a userspace killer, the kubelet (an eviction, a failed liveness probe, a stop whose grace
 * period ran out), a container runtime's stop timeout, systemd's TimeoutStopSec, or a person's
 * `kill -9` are the others. When the user says the workload died of SIGKILL and the evidence holds
 * no kernel OOM report, no killer's record and no service manager record of an OOM, and the
 * kernel's own counters (vmstat oom_kill, a cgroup's memory.events oom_kill) say it killed nothing
 * either, the kill was not an OOM. A non-zero oom_kill counter keeps the rule silent: the kernel
 * did OOM-kill since boot, and its report may only have left the ring buffer.
 *
 * In a cluster the kubelet says it per container: exit code 137 without reason OOMKilled
 * (ClusterSigkills).
 */

/** {@code NOT-OOM}: a SIGKILL (exit 137) that no OOM killer, kernel or userspace, recorded. */
public final class NotOomAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
          "NOT-OOM",
          "A workload died of SIGKILL (exit 137) but no OOM killer recorded it",
          Severity.MEDIUM,
          RuleInfo.Scope.KILL,
          Layer.APPLICATION,
          Layer.NODE,
          Layer.POD_SPEC);

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    List<Finding> out = new ArrayList<>(host(evidence));
    out.addAll(ClusterSigkills.findings(evidence, INFO.code()));
    return out;
  }

  private List<Finding> host(EvidenceSet evidence) {
    // A kernel log that could not be read whole may hold the very report that would explain
    // the kill: then nothing is known, and the ladder says so.
    if (!evidence.exitedWithSigkill()
        || !evidence.reports().isEmpty()
        || !evidence.kernelLogWhole()) {
      return List.of();
    }
    List<SourceLine> signalExits = new ArrayList<>();
    for (KillerEvent e : evidence.killers()) {
      if (e.killer() != Killer.SYSTEMD_UNIT_RESULT || isOomRecord(e)) {
        return List.of();
      }
      signalExits.add(e.source());
    }
    Optional<HostSnapshot> host = evidence.host();
    long oomKills = HostFacts.vmstat(host, "oom_kill").orElse(0);
    long cgroupOomKills =
        host.map(h -> h.cgroups().stream().mapToLong(NotOomAnalyzer::oomKills).sum()).orElse(0L);
    if (oomKills > 0 || cgroupOomKills > 0) {
      return List.of();
    }
    boolean killersRead = evidence.killerRecordsRead();
    StringBuilder why =
        new StringBuilder(
            "The workload died of SIGKILL (exit 137 = 128 + 9),"
                + " but the kernel log holds no OOM report"
                + (killersRead
                    ? ", and there is no record of systemd-oomd, earlyoom, nohang or a"
                        + " kubelet eviction, nor a service manager record of an OOM kill."
                    : "; the records of userspace killers (systemd-oomd, earlyoom, nohang, kubelet"
                        + " evictions) could not be read, so one of them may have sent it."));
    List<Citation> cited = new ArrayList<>(signalExits);
    Optional<FileValue> counter = HostFacts.vmstatValue(host, "oom_kill");
    if (counter.isPresent()) {
      why.append(
          " The kernel's own counter agrees: /proc/vmstat oom_kill is 0, so it has not"
              + " OOM-killed anything since boot.");
      cited.add(counter.get());
    }
    if (!signalExits.isEmpty()) {
      why.append(" systemd saw the process die of a signal (")
          .append(HostFacts.where(signalExits.getFirst()))
          .append("), without naming an OOM.");
    }
    why.append(
        " Something else sent the SIGKILL: a person or script (kill -9), the kubelet"
            + " (failed liveness probe, or the grace period of a stop ran out), a container runtime's"
            + " stop timeout, systemd's TimeoutStopSec, or a supervisor of the application.");
    Confidence confidence = counter.isPresent() && killersRead ? Confidence.MEDIUM : Confidence.LOW;
    if (counter.isEmpty()) {
      why.append(
          " Without the host's /proc/vmstat the kernel's counter could not be checked;"
              + " a report that left the kernel's ring buffer would look the same.");
    }
    return List.of(
        new Finding(
            INFO.code(),
            Severity.MEDIUM,
            confidence,
            "The workload was killed with SIGKILL but no OOM killer recorded it: a manual kill, a"
                + " probe or stop timeout, or a crash",
            why.toString(),
            ReportFacts.sorted(cited),
            fixes()));
  }

  /** True for systemd's records that name an OOM: the kernel's OOM killer or systemd-oomd. */
  static boolean isOomRecord(KillerEvent e) {
    return switch (e.action()) {
      case UNIT_OOM_KILL, UNIT_OOM_RESULT, UNIT_KILLED_BY_OOMD -> true;
      default -> false;
    };
  }

  private static long oomKills(CgroupMemory c) {
    return c.events().map(ev -> ev.get("oom_kill").orElse(0)).orElse(0L);
  }

  private static List<Fix> fixes() {
    return List.of(
        new Fix(
            Layer.POD_SPEC,
            "In Kubernetes, read why the container last terminated: reason OOMKilled is the"
                + " kernel, Error with exit 137 is a SIGKILL from elsewhere; look for failed"
                + " liveness probes and for the grace period of a stop running out.",
            Optional.of(
                """
                kubectl get pod <pod> \\
                  -o jsonpath='{.status.containerStatuses[*].lastState.terminated}'
                kubectl describe pod <pod> | grep -A8 'Last State'
                kubectl get events --field-selector involvedObject.name=<pod> \\
                  | grep -Ei 'unhealthy|liveness|killing'
                """)),
        new Fix(
            Layer.NODE,
            "Read the kubelet's and the runtime's log around the time of death: they log each"
                + " container they kill and why.",
            Optional.of(
                """
                journalctl -u kubelet --since '<time of death>' \\
                  | grep -Ei 'killing container|probe failed|evict'
                journalctl -u containerd -u docker --since '<time of death>' | grep -Ei 'kill|stop'
                """)),
        new Fix(
            Layer.NODE,
            "Find who sends SIGKILL: an audit rule records every kill(2) with signal 9, with the"
                + " sender's pid, command and user.",
            Optional.of(
                """
                auditctl -a always,exit -F arch=b64 -S kill -S tkill -F a1=9 -k sigkill
                auditctl -a always,exit -F arch=b64 -S tgkill -F a2=9 -k sigkill
                ausearch -k sigkill -i
                """)),
        new Fix(
            Layer.APPLICATION,
            "Check the application's own log and any supervisor or wrapper that may kill it"
                + " (watchdogs, timeouts in job runners).",
            Optional.empty()));
  }
}
