package dev.oomlens.core.rules.cluster;

import dev.oomlens.core.cluster.ClusterState;
import dev.oomlens.core.cluster.ContainerSpec;
import dev.oomlens.core.cluster.WorkloadContainer;
import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.Citation;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.RuleInfo;
import dev.oomlens.core.rules.Sizes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/*
 * Seed 004: the application's limit was sized with care, the proxy or log shipper beside it was
 * not counted. The pod's memory is the sum of its containers; a sidecar without a limit makes the
 * pod Burstable whatever the application's limit says, and its growth is charged to the pod's
 * cgroup and the node, not to anything sized for it. A sidecar is an init container with
 * restartPolicy Always (native sidecars), or a container after the first when the first has a
 * limit and it has none.
 */

/** {@code SIDECAR-NO-LIMIT}: a sidecar without a memory limit beside a limited application. */
public final class SidecarNoLimitAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
          "SIDECAR-NO-LIMIT",
          "A sidecar has no memory limit although the application beside it has one",
          Severity.MEDIUM,
          RuleInfo.Scope.WORKLOAD,
          Layer.CONTAINER_LIMIT,
          Layer.POD_SPEC);

  @Override
  public RuleInfo info() {
    return INFO;
  }

  /** True when {@code wc} is a sidecar without a limit beside a main container that has one. */
  static boolean isUncountedSidecar(WorkloadContainer wc, ClusterState cluster) {
    if (!wc.spec().sidecar() || wc.spec().limitBytes().isPresent()) {
      return false;
    }
    return main(wc).flatMap(m -> Optional.of(m.limitBytes().isPresent())).orElse(false);
  }

  private static Optional<ContainerSpec> main(WorkloadContainer wc) {
    return wc.pods().getFirst().containers().stream()
        .filter(c -> !c.init() && !c.sidecar())
        .findFirst();
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    List<Finding> out = new ArrayList<>();
    for (ClusterState cluster : evidence.clusters()) {
      for (WorkloadContainer wc : ClusterFacts.byWorkload(cluster)) {
        if (!isUncountedSidecar(wc, cluster)) {
          continue;
        }
        ContainerSpec app = main(wc).orElseThrow();
        List<Citation> cited =
            List.of(
                wc.specObject().field(wc.specPath() + ".resources.limits.memory", Optional.empty()),
                wc.specObject()
                    .field(app.limitPath(), Sizes.quantityMi(app.limitBytes().getAsLong())));
        OptionalLong use = ClusterFacts.peakUse(cluster, wc);
        StringBuilder why =
            new StringBuilder("In ")
                .append(wc.workload().describe())
                .append(", the application container ")
                .append(app.name())
                .append(" is limited to ")
                .append(Sizes.quantityMi(app.limitBytes().getAsLong()))
                .append(" but the sidecar ")
                .append(wc.spec().name())
                .append(
                    wc.spec().init()
                        ? " (a native sidecar: an init" + " container with restartPolicy Always)"
                        : "")
                .append(
                    " has no limit: the pod's memory is the sum of both, and the sidecar's"
                        + " growth lands on the pod and the node, sized for nobody.");
        List<Fix> fixes = new ArrayList<>();
        Optional<ClusterFacts.Proposal> p = ClusterFacts.proposal(cluster, wc);
        use.ifPresent(u -> why.append(" It uses ").append(Sizes.human(u)).append(" now."));
        if (p.isPresent()) {
          fixes.add(
              ClusterFacts.limitFix(
                  wc,
                  p.get().bytes(),
                  "Limit the sidecar to "
                      + Sizes.quantityMi(p.get().bytes())
                      + " ("
                      + p.get().basis()
                      + ") and count it in the pod's budget."));
        } else {
          fixes.add(
              new Fix(
                  Layer.POD_SPEC,
                  "Give the sidecar its own request and limit sized"
                      + " from its use (a mesh proxy often needs 64-256 MiB, more with many endpoints),"
                      + " and count it when sizing the pod; its injector usually takes them from"
                      + " annotations.",
                  Optional.of(
                      "kubectl top pod --containers -n "
                          + dev.oomlens.core.rules.Shell.quote(
                              wc.workload().namespace().orElse("default")))));
        }
        out.add(
            new Finding(
                INFO.code(),
                Severity.MEDIUM,
                Confidence.HIGH,
                wc.workload().describe()
                    + ": sidecar "
                    + wc.spec().name()
                    + " has no memory limit beside "
                    + app.name()
                    + "'s "
                    + Sizes.quantityMi(app.limitBytes().getAsLong()),
                why.toString(),
                cited,
                fixes));
      }
    }
    return out;
  }
}
