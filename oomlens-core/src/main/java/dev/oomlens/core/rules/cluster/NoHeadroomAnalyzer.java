package dev.oomlens.core.rules.cluster;

import dev.oomlens.core.cluster.ClusterState;
import dev.oomlens.core.cluster.WorkloadContainer;
import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.Citation;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.RuleInfo;
import dev.oomlens.core.rules.Sizes;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/*
 * A working set within 10% of the limit leaves no room for the next spike: the kernel reclaims
 * page cache first, then kills. With requests equal to limits (Guaranteed QoS, seed 004) there is
 * no burst room by design, so 80% use is already close. Working sets come from metrics.k8s.io
 * (what kubectl top shows, cAdvisor's container_memory_working_set_bytes, the number the kubelet
 * evicts by). A container already OOMKilled is told by OOMKILLED, so it is not told again here.
 */

/** {@code NO-HEADROOM}: a container's working set is close to its memory limit. */
public final class NoHeadroomAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
              "NO-HEADROOM",
              "A container's working set is close to its memory limit: the next spike is a kill",
              Severity.MEDIUM,
              RuleInfo.Scope.WORKLOAD,
              Layer.CONTAINER_LIMIT)
          .watching(
              RuleInfo.Watch.metric(
                  "Working set over limit",
                  "max by (namespace, pod, container) (container_memory_working_set_bytes)"
                      + " / max by (namespace, pod, container)"
                      + " (kube_pod_container_resource_limits{resource=\"memory\"})",
                  "below 0.8"));

  /** Use at or above this share of the limit leaves no headroom. */
  static final double NEAR = 0.90;

  /** With requests equal to limits, use at or above this share is near. */
  static final double NEAR_GUARANTEED = 0.80;

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    List<Finding> out = new ArrayList<>();
    for (ClusterState cluster : evidence.clusters()) {
      for (WorkloadContainer wc : ClusterFacts.byWorkload(cluster)) {
        OptionalLong limit = wc.spec().limitBytes();
        OptionalLong use = ClusterFacts.peakUse(cluster, wc);
        if (limit.isEmpty() || use.isEmpty() || ClusterFacts.oomKilled(wc)) {
          continue;
        }
        boolean guaranteed = wc.spec().requestBytes().equals(limit);
        double share = Sizes.share(use.getAsLong(), limit.getAsLong());
        if (share < NEAR && !(guaranteed && share >= NEAR_GUARANTEED)) {
          continue;
        }
        ClusterFacts.Proposal raised = ClusterFacts.proposal(cluster, wc).orElseThrow();
        List<Citation> cited = new ArrayList<>();
        cited.add(
            wc.specObject()
                .field(
                    wc.specPath() + ".resources.limits.memory",
                    Sizes.quantityMi(limit.getAsLong())));
        if (guaranteed) {
          cited.add(
              wc.specObject()
                  .field(
                      wc.specPath() + ".resources.requests.memory",
                      Sizes.quantityMi(limit.getAsLong())));
        }
        String why =
            wc.describe()
                + " uses "
                + Sizes.human(use.getAsLong())
                + " of its "
                + Sizes.quantityMi(limit.getAsLong())
                + " limit ("
                + Sizes.wholePercent(use.getAsLong(), limit.getAsLong())
                + ", the largest working set of its pods)"
                + (guaranteed
                    ? "; its request equals its limit, so it has no burst room at all"
                    : "")
                + ". The kernel reclaims its page cache first and kills it at the limit:"
                + " the next spike is an OOMKilled.";
        out.add(
            new Finding(
                INFO.code(),
                share >= NEAR ? Severity.MEDIUM : Severity.LOW,
                Confidence.MEDIUM,
                wc.describe()
                    + " has no headroom: "
                    + Sizes.wholePercent(use.getAsLong(), limit.getAsLong())
                    + " of its "
                    + Sizes.quantityMi(limit.getAsLong())
                    + " limit in use",
                why,
                cited,
                List.of(
                    ClusterFacts.limitFix(
                        wc,
                        raised.bytes(),
                        "Raise the limit to "
                            + Sizes.quantityMi(raised.bytes())
                            + " ("
                            + raised.basis()
                            + (guaranteed ? "; raise the request with it to stay Guaranteed" : "")
                            + ")."))));
      }
    }
    return out;
  }
}
