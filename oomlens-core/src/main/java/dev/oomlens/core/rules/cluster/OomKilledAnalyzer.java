package dev.oomlens.core.rules.cluster;

import dev.oomlens.core.cluster.ClusterPod;
import dev.oomlens.core.cluster.ClusterState;
import dev.oomlens.core.cluster.ContainerSpec;
import dev.oomlens.core.cluster.ContainerStatus;
import dev.oomlens.core.cluster.KernelKills;
import dev.oomlens.core.cluster.Termination;
import dev.oomlens.core.cluster.WorkloadContainer;
import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.Citation;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.RuleInfo;
import dev.oomlens.core.rules.RuleInfo.Watch;
import dev.oomlens.core.rules.Sizes;
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
  private static final RuleInfo INFO =
      RuleInfo.of(
              "OOMKILLED",
              "A container was OOMKilled: the kernel killed it for memory",
              Severity.HIGH,
              RuleInfo.Scope.WORKLOAD,
              Layer.CONTAINER_LIMIT,
              Layer.APPLICATION)
          .watching(
              Watch.metric(
                  "OOM kills by container (kube-state-metrics)",
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
        finding(cluster, wc, evidence.reports()).ifPresent(out::add);
      }
    }
    return out;
  }

  private static Optional<Finding> finding(
      ClusterState cluster, WorkloadContainer wc, List<OomReport> reports) {
    List<Citation> cited = new ArrayList<>();
    List<SourceLine> kernel = new ArrayList<>();
    List<String> where = new ArrayList<>();
    List<String> lies = new ArrayList<>();
    int restarts = 0;
    String last = null;
    for (ClusterPod p : wc.pods()) {
      for (ContainerStatus s : p.statuses()) {
        if (!s.name().equals(wc.spec().name()) || s.init() != wc.spec().init()) {
          continue;
        }
        List<OomReport> killed = KernelKills.of(reports, p, s);
        Optional<Termination> t =
            s.lastTerminated()
                .filter(Termination::oomKilled)
                .or(() -> s.terminated().filter(Termination::oomKilled));
        if (t.isEmpty() && !killed.isEmpty()) {
          // The kubelet said something else (Completed, Error) of a run the kernel killed.
          t = s.terminated().or(s::lastTerminated);
          t.ifPresent(
              x ->
                  lies.add(
                      p.ref().name()
                          + " says "
                          + x.reason().orElse("nothing")
                          + " (exit "
                          + x.exitCode()
                          + ")"));
        }
        if (t.isEmpty()) {
          continue;
        }
        killed.forEach(r -> r.victim().ifPresent(v -> kernel.add(v.source())));
        cited.add(p.ref().field(t.get().fieldPath() + ".reason", t.get().reason().orElse("")));
        restarts += s.restartCount();
        where.add(
            p.ref().name()
                + p.nodeName().map(n -> " on " + n).orElse("")
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
    cited.add(
        wc.specObject()
            .field(
                wc.specPath() + ".resources.limits.memory",
                limit.isPresent()
                    ? Optional.of(Sizes.quantityMi(limit.getAsLong()))
                    : Optional.empty()));
    StringBuilder why = new StringBuilder();
    if (!lies.isEmpty()) {
      why.append("The kubelet's status does not say OOMKilled (")
          .append(String.join(", ", lies))
          .append(
              ") but the kernel's report of the kill names this very container (pod UID"
                  + " and container ID in its memory cgroup): the status lies, the kernel killed"
                  + " it. ");
    }
    int pods = where.size();
    why.append(lies.isEmpty() ? "The kubelet reports " : "So ")
        .append(wc.describe())
        .append(
            lies.isEmpty()
                ? " terminated with reason OOMKilled in "
                : " was killed for memory" + " in ")
        .append(pods)
        .append(pods == 1 ? " pod (" : " pods (")
        .append(ClusterFacts.some(where, 5))
        .append("), ")
        .append(restarts)
        .append(restarts == 1 ? " restart" : " restarts")
        .append(" in all. ");
    List<Fix> fixes = new ArrayList<>();
    Optional<ClusterFacts.Proposal> proposal = ClusterFacts.proposal(cluster, wc);
    if (limit.isPresent()) {
      why.append("Its limit is ")
          .append(Sizes.human(limit.getAsLong()))
          .append(": its own cgroup reached it and the kernel killed inside it.");
      use.ifPresent(
          u ->
              why.append(" Its largest working set now is ")
                  .append(Sizes.human(u))
                  .append(" (")
                  .append(Sizes.wholePercent(u, limit.getAsLong()))
                  .append(" of it)."));
      // A kill only the kernel's report tells (the status lies) proposes what a reported one does.
      ClusterFacts.Proposal p =
          proposal.orElseGet(
              () ->
                  new ClusterFacts.Proposal(
                      ClusterFacts.roundLimit((long) (limit.getAsLong() * 1.5)),
                      "half again the limit it was killed at"));
      fixes.add(
          ClusterFacts.limitFix(
              wc,
              p.bytes(),
              "Raise the limit to "
                  + Sizes.quantityMi(p.bytes())
                  + " ("
                  + p.basis()
                  + "), unless the use grows without"
                  + " bound (a leak): then find what grows first, a higher limit only delays the kill."));
    } else {
      why.append(
          "It has no memory limit, so its own cgroup did not stop it: the kill came from a"
              + " cgroup above it (the pod's, the node's kubepods) or the node ran out as a whole,"
              + " and the kernel picked the container with the largest score.");
      if (proposal.isPresent()) {
        fixes.add(
            ClusterFacts.limitFix(
                wc,
                proposal.get().bytes(),
                "Bound it: a limit of "
                    + Sizes.quantityMi(proposal.get().bytes())
                    + " ("
                    + proposal.get().basis()
                    + ") makes it the one killed when it grows, not a neighbour or the node."));
      } else {
        fixes.add(
            new Fix(
                Layer.CONTAINER_LIMIT,
                "Bound it with a memory limit sized from its"
                    + " use (kubectl top pod --containers over a busy day, plus half again), so it is"
                    + " the one killed when it grows, not a neighbour or the node.",
                Optional.of(
                    "kubectl top pod --containers -n "
                        + dev.oomlens.core.rules.Shell.quote(
                            wc.workload().namespace().orElse("default")))));
      }
    }
    List<ContainerSpec.TmpfsMount> tmpfs = wc.spec().memoryTmpfsMounts();
    if (!tmpfs.isEmpty()) {
      // The files of a memory-backed emptyDir belong to the pod, not the container: a restarted
      // container starts with them still charged, so it is killed again sooner each time.
      why.append(" It mounts a memory-backed emptyDir (")
          .append(
              String.join(", ", tmpfs.stream().map(t -> t.volume() + " at " + t.path()).toList()))
          .append(
              "): what is written there is memory charged to the pod and survives the"
                  + " container's restarts, so each restart begins with it already counted and is"
                  + " killed again")
          .append(restarts >= 2 ? " (" + restarts + " restarts)" : "")
          .append('.');
      String sizeLimit = limit.isPresent() ? Sizes.quantityMi(limit.getAsLong() / 2) : null;
      fixes.add(
          new Fix(
              Layer.POD_SPEC,
              "Bound the memory-backed emptyDir with a sizeLimit"
                  + " below the container's limit (writes past it are refused instead of killing"
                  + (sizeLimit != null
                      ? "; half the limit, " + sizeLimit + ", as a starting point"
                      : "")
                  + "), or clean it when the container starts: the pod's memory holds the files and the"
                  + " process together.",
              sizeLimit == null
                  ? Optional.empty()
                  : Optional.of(
                      "volumes:\n- name: "
                          + ClusterFacts.yamlText(tmpfs.getFirst().volume())
                          + "\n"
                          + "  emptyDir:\n    medium: Memory\n    sizeLimit: "
                          + sizeLimit
                          + "\n")));
    }
    fixes.add(
        new Fix(
            Layer.APPLICATION,
            "See what it held before it died: the previous run's"
                + " log and the events of the pod.",
            Optional.of(
                "kubectl logs --previous "
                    + dev.oomlens.core.rules.Shell.quote(wc.pods().getFirst().ref().name())
                    + " -c "
                    + dev.oomlens.core.rules.Shell.quote(wc.spec().name())
                    + " -n "
                    + dev.oomlens.core.rules.Shell.quote(
                        wc.workload().namespace().orElse("default")))));
    if (!kernel.isEmpty()) {
      why.append(" The kernel's own report of the kill: ")
          .append(kernel.getFirst().file())
          .append(':')
          .append(kernel.getFirst().line())
          .append(kernel.size() > 1 ? " and " + (kernel.size() - 1) + " more" : "")
          .append(" (its diagnosis says where" + " the memory ran out).");
      cited.addAll(kernel);
    }
    Severity severity =
        restarts >= 3 || wc.daemonSet() || !lies.isEmpty() ? Severity.HIGH : Severity.MEDIUM;
    return Optional.of(
        new Finding(
            INFO.code(),
            severity,
            Confidence.HIGH,
            wc.describe()
                + " was OOMKilled"
                + (pods > 1 ? " in " + pods + " pods" : "")
                + (limit.isPresent()
                    ? " at its " + Sizes.quantityMi(limit.getAsLong()) + " limit"
                    : " with no memory limit")
                + (last != null ? ", last at " + last : "")
                + (lies.isEmpty() ? "" : ", although its status says otherwise"),
            why.toString(),
            cited,
            fixes));
  }
}
