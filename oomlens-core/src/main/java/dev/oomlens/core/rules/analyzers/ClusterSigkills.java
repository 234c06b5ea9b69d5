package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.cluster.ClusterEvent;
import dev.oomlens.core.cluster.ClusterPod;
import dev.oomlens.core.cluster.ClusterState;
import dev.oomlens.core.cluster.ContainerStatus;
import dev.oomlens.core.cluster.KernelKills;
import dev.oomlens.core.cluster.Termination;
import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.Citation;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.Shell;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/*
 * A container that ended with exit code 137 (SIGKILL) without the kubelet's OOMKilled reason was
 * killed by something else: the kubelet after a failed liveness probe or a grace period that ran
 * out, a preemption, an eviction, a person. The runtime reads the kill from the container's
 * memory cgroup (memory.events oom_kill), which counts node-wide OOM kills too, so the reason is
 * reliable; and when a kernel log was given, a report naming the container settles it the other
 * way (OOMKILLED tells that one). The pod's events usually say who: Killing, Unhealthy,
 * Preempted, Evicted.
 */

/** The {@code NOT-OOM} findings about containers of a cluster: exit 137 that was no OOM kill. */
final class ClusterSigkills {
  private static final Set<String> TELLING =
      Set.of(
          "Killing",
          "Unhealthy",
          "Preempted",
          "Preempting",
          "Evicted",
          "ExceededGracePeriod",
          "FailedPreStopHook");

  private ClusterSigkills() {}

  static List<Finding> findings(EvidenceSet evidence, String code) {
    List<Finding> out = new ArrayList<>();
    for (ClusterState cluster : evidence.clusters()) {
      for (ClusterPod p : cluster.pods()) {
        for (ContainerStatus s : p.statuses()) {
          Optional<Termination> t =
              s.lastTerminated()
                  .filter(ClusterSigkills::sigkill)
                  .or(() -> s.terminated().filter(ClusterSigkills::sigkill));
          if (t.isEmpty() || !KernelKills.of(evidence.reports(), p, s).isEmpty()) {
            continue;
          }
          out.add(finding(cluster, p, s, t.get(), code));
        }
      }
    }
    return out;
  }

  private static boolean sigkill(Termination t) {
    return t.exitCode() == 137 && !t.oomKilled();
  }

  private static Finding finding(
      ClusterState cluster, ClusterPod p, ContainerStatus s, Termination t, String code) {
    List<Citation> cited = new ArrayList<>();
    cited.add(p.ref().field(t.fieldPath() + ".exitCode", "137"));
    cited.add(p.ref().field(t.fieldPath() + ".reason", t.reason()));
    List<String> told = new ArrayList<>();
    for (ClusterEvent e : cluster.eventsAbout(p.ref())) {
      if (TELLING.contains(e.reason())) {
        cited.add(e.ref().field("message", e.message()));
        told.add(e.reason() + ": " + e.message());
      }
    }
    StringBuilder why =
        new StringBuilder("Container ")
            .append(s.name())
            .append(" of pod ")
            .append(p.ref().namespace().orElse(""))
            .append('/')
            .append(p.ref().name())
            .append(" ended with exit code 137 (SIGKILL) and reason ")
            .append(t.reason().orElse("(none)"))
            .append(
                ", not OOMKilled: the runtime saw no OOM kill in its memory cgroup, so something"
                    + " else sent the SIGKILL.");
    if (!told.isEmpty()) {
      why.append(" The pod's events say who: ").append(String.join("; ", told)).append('.');
    } else {
      why.append(
          " The pod's events (gone after an hour by default) would say who: the kubelet"
              + " after a failed liveness probe or a grace period that ran out, a preemption, an"
              + " eviction, or a person.");
    }
    String ns = p.ref().namespace().orElse("default");
    return new Finding(
        code,
        Severity.MEDIUM,
        told.isEmpty() ? Confidence.MEDIUM : Confidence.HIGH,
        "Pod "
            + ns
            + "/"
            + p.ref().name()
            + " container "
            + s.name()
            + " was killed with SIGKILL (exit 137) but not for memory",
        why.toString(),
        cited,
        List.of(
            new Fix(
                Layer.POD_SPEC,
                "Find who sent it: the pod's"
                    + " events and the previous run's last words; a liveness probe that fails under"
                    + " load needs a longer timeout or failureThreshold, a slow shutdown a longer"
                    + " terminationGracePeriodSeconds.",
                Optional.of(
                    "kubectl describe pod "
                        + Shell.quote(p.ref().name())
                        + " -n "
                        + Shell.quote(ns)
                        + "\nkubectl get events"
                        + " -n "
                        + Shell.quote(ns)
                        + " --field-selector involvedObject.name="
                        + Shell.quote(p.ref().name())
                        + "\nkubectl logs --previous "
                        + Shell.quote(p.ref().name())
                        + " -c "
                        + Shell.quote(s.name())
                        + " -n "
                        + Shell.quote(ns)))));
  }
}
