package dev.oomlens.core.rules.cluster;

import dev.oomlens.core.cluster.ClusterPod;
import dev.oomlens.core.cluster.ClusterState;
import dev.oomlens.core.cluster.ContainerStatus;
import dev.oomlens.core.cluster.Termination;
import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.Citation;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.RuleInfo;
import dev.oomlens.core.rules.RuleInfo.Watch;
import dev.oomlens.core.rules.Sizes;
import dev.oomlens.core.cluster.WorkloadContainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/*
 * The kubelet writes reason OOMKilled into a container's terminated state when the runtime says
 * the kernel's OOM killer ended it (containerd reads the cgroup's memory.events oom_kill). With a
 * memory limit that is the container's own cgroup at its limit; without one the kill came from a
 * cgroup above it (the pod's, kubepods, or the whole node): raising a limit it does not have
 * changes nothing, bounding it does. One finding per workload container, not per pod: a DaemonSet
 * killed on five nodes is one thing to fix.
 */

/** {@code OOMKILLED}: containers the kubelet reports killed by the kernel's OOM killer. */
public final class OomKilledAnalyzer implements Analyzer {
  private static final RuleInfo INFO = RuleInfo.of("OOMKILLED",
      "A container was OOMKilled: the kernel killed it for memory", Severity.HIGH,
      RuleInfo.Scope.WORKLOAD, Layer.CONTAINER_LIMIT, Layer.APPLICATION)
      .watching(Watch.metric("OOM kills by container (kube-state-metrics)",
          "increase(kube_pod_container_status_last_terminated_reason{reason=\"OOMKilled\"}[1d])",
          "0"));

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    List<Finding> out = new ArrayList<>();
    for (ClusterState cluster : evidence.clusters()) {
      for (WorkloadContainer wc : ClusterFacts.byWorkload(cluster)) {
        finding(cluster, wc).ifPresent(out::add);
      }
    }
    return out;
  }

  private static Optional<Finding> finding(ClusterState cluster, WorkloadContainer wc) {
    List<Citation> cited = new ArrayList<>();
    List<String> where = new ArrayList<>();
    int restarts = 0;
    String last = null;
    for (ClusterPod p : wc.pods()) {
      for (ContainerStatus s : p.statuses()) {
        if (!s.name().equals(wc.spec().name()) || s.init() != wc.spec().init()) {
          continue;
        }
        Optional<Termination> t = s.lastTerminated().filter(Termination::oomKilled)
            .or(() -> s.terminated().filter(Termination::oomKilled));
        if (t.isEmpty()) {
          continue;
        }
        cited.add(p.ref().field(t.get().fieldPath() + ".reason", "OOMKilled"));
        restarts += s.restartCount();
        where.add(p.ref().name() + p.nodeName().map(n -> " on " + n).orElse("")
            + t.get().finishedAt().map(f -> " at " + f).orElse(""));
        if (t.get().finishedAt().isPresent()
            && (last == null || t.get().finishedAt().get().compareTo(last) > 0)) {
          last = t.get().finishedAt().get();
        }
      }
    }
    if (cited.isEmpty()) {
      return Optional.empty();
    }
    OptionalLong limit = wc.spec().limitBytes();
    OptionalLong use = ClusterFacts.peakUse(cluster, wc);
    cited.add(wc.specObject().field(wc.specPath() + ".resources.limits.memory",
        limit.isPresent() ? Optional.of(Sizes.quantityMi(limit.getAsLong())) : Optional.empty()));
    StringBuilder why = new StringBuilder("The kubelet reports ").append(wc.describe())
        .append(" terminated with reason OOMKilled in ").append(cited.size() - 1)
        .append(cited.size() - 1 == 1 ? " pod (" : " pods (")
        .append(ClusterFacts.some(where, 5)).append("), ").append(restarts)
        .append(restarts == 1 ? " restart" : " restarts").append(" in all. ");
    List<Fix> fixes = new ArrayList<>();
    Optional<ClusterFacts.Proposal> proposal = ClusterFacts.proposal(cluster, wc);
    if (limit.isPresent()) {
      why.append("Its limit is ").append(Sizes.human(limit.getAsLong()))
          .append(": its own cgroup reached it and the kernel killed inside it.");
      use.ifPresent(u -> why.append(" Its largest working set now is ").append(Sizes.human(u))
          .append(" (").append(Sizes.wholePercent(u, limit.getAsLong())).append(" of it)."));
      ClusterFacts.Proposal p = proposal.orElseThrow();
      fixes.add(ClusterFacts.limitFix(wc, p.bytes(), "Raise the limit to "
          + Sizes.quantityMi(p.bytes()) + " (" + p.basis() + "), unless the use grows without"
          + " bound (a leak): then find what grows first, a higher limit only delays the kill."));
    } else {
      why.append("It has no memory limit, so its own cgroup did not stop it: the kill came from a"
          + " cgroup above it (the pod's, the node's kubepods) or the node ran out as a whole,"
          + " and the kernel picked the container with the largest score.");
      if (proposal.isPresent()) {
        fixes.add(ClusterFacts.limitFix(wc, proposal.get().bytes(), "Bound it: a limit of "
            + Sizes.quantityMi(proposal.get().bytes()) + " (" + proposal.get().basis()
            + ") makes it the one killed when it grows, not a neighbour or the node."));
      } else {
        fixes.add(new Fix(Layer.CONTAINER_LIMIT, "Bound it with a memory limit sized from its"
            + " use (kubectl top pod --containers over a busy day, plus half again), so it is"
            + " the one killed when it grows, not a neighbour or the node.", Optional.of(
                "kubectl top pod --containers -n " + dev.oomlens.core.rules.Shell.quote(
                    wc.workload().namespace().orElse("default")))));
      }
    }
    fixes.add(new Fix(Layer.APPLICATION, "See what it held before it died: the previous run's"
        + " log and the events of the pod.", Optional.of("kubectl logs --previous "
            + dev.oomlens.core.rules.Shell.quote(wc.pods().getFirst().ref().name()) + " -c "
            + dev.oomlens.core.rules.Shell.quote(wc.spec().name()) + " -n "
            + dev.oomlens.core.rules.Shell.quote(wc.workload().namespace().orElse("default")))));
    Severity severity = restarts >= 3 || wc.daemonSet() ? Severity.HIGH : Severity.MEDIUM;
    return Optional.of(new Finding(INFO.code(), severity, Confidence.HIGH,
        wc.describe() + " was OOMKilled" + (cited.size() > 2 ? " in " + (cited.size() - 1)
            + " pods" : "") + (limit.isPresent() ? " at its " + Sizes.quantityMi(
                limit.getAsLong()) + " limit" : " with no memory limit")
            + (last != null ? ", last at " + last : ""),
        why.toString(), cited, fixes));
  }
}
