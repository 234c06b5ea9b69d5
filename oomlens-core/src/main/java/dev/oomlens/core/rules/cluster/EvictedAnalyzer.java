package dev.oomlens.core.rules.cluster;

import dev.oomlens.core.cluster.ClusterEvent;
import dev.oomlens.core.cluster.ClusterNode;
import dev.oomlens.core.cluster.ClusterPod;
import dev.oomlens.core.cluster.ClusterState;
import dev.oomlens.core.cluster.ObjectRef;
import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.Citation;
import dev.oomlens.core.model.Quantity;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.RuleInfo;
import dev.oomlens.core.rules.Shell;
import dev.oomlens.core.rules.Sizes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/*
 * When a node's free memory falls below the kubelet's eviction threshold (memory.available,
 * 100Mi by default), the kubelet evicts pods before the kernel has to kill: BestEffort first,
 * then Burstable pods by how far their use exceeds their request. The pod ends Failed with reason
 * Evicted and a message naming what it used ("Container web was using 1200Mi, which exceeds its
 * request of 256Mi"); the node posts EvictionThresholdMet and its MemoryPressure condition. A
 * request below the real use is what made the pod the one evicted, and the scheduler placed it
 * by that request: the fix is a request near its use. Pods evicted for disk or PIDs are not this
 * rule's.
 */

/** {@code EVICTED}: pods the kubelet evicted because their node ran short of memory. */
public final class EvictedAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
          "EVICTED",
          "The kubelet evicted pods because their node ran short of memory",
          Severity.MEDIUM,
          RuleInfo.Scope.KILL,
          Layer.POD_SPEC,
          Layer.NODE);

  /** The kubelet's words, old ("which exceeds its request of") and new ("request is"). */
  private static final Pattern USING =
      Pattern.compile(
          "Container (\\S+) was using (\\S+),"
              + " (?:request is|which exceeds its request of) (\\S+?)[,.]?(?:\\s|$)");

  private static final Set<String> PRESSURE =
      Set.of("EvictionThresholdMet", "NodeHasInsufficientMemory");

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    List<Finding> out = new ArrayList<>();
    for (ClusterState cluster : evidence.clusters()) {
      Map<String, List<ClusterPod>> byNode = new LinkedHashMap<>();
      for (ClusterPod p : cluster.pods()) {
        if (p.reason().filter("Evicted"::equals).isPresent()
            && p.message().map(m -> m.contains("memory")).orElse(false)) {
          byNode
              .computeIfAbsent(p.nodeName().orElse("(unknown node)"), k -> new ArrayList<>())
              .add(p);
        }
      }
      byNode.forEach((node, pods) -> out.add(finding(cluster, node, pods)));
    }
    return out;
  }

  private static Finding finding(ClusterState cluster, String node, List<ClusterPod> pods) {
    List<Citation> cited = new ArrayList<>();
    List<String> over = new ArrayList<>();
    StringBuilder requests = new StringBuilder();
    for (ClusterPod p : pods) {
      cited.add(p.ref().field("status.message", p.message().orElse("")));
      Matcher m = USING.matcher(p.message().orElse(""));
      while (m.find()) {
        Optional<Long> used = bytes(m.group(2));
        Optional<Long> request = bytes(m.group(3));
        over.add(
            p.namespace()
                + "/"
                + p.ref().name()
                + " "
                + m.group(1)
                + " used "
                + m.group(2)
                + " against a request of "
                + m.group(3));
        if (used.isPresent() && request.isPresent() && p.owner().isPresent()) {
          ObjectRef w = p.owner().get();
          requests
              .append("kubectl set resources ")
              .append(w.kind().toLowerCase(java.util.Locale.ROOT))
              .append('/')
              .append(Shell.quote(w.name()))
              .append(" -n ")
              .append(Shell.quote(p.namespace()))
              .append(" -c ")
              .append(Shell.quote(m.group(1)))
              .append(" --requests=memory=")
              .append(Sizes.quantityMi(used.get()))
              .append('\n');
        }
      }
    }
    Optional<ClusterNode> n = cluster.node(node);
    List<String> signals = new ArrayList<>();
    n.ifPresent(
        nd -> {
          for (ClusterEvent e : cluster.eventsAbout(nd.ref())) {
            if (PRESSURE.contains(e.reason())) {
              cited.add(e.ref().field("message", e.message()));
              signals.add(e.reason() + " (" + e.message() + ")");
            }
          }
          if (nd.memoryPressure().orElse(false)) {
            cited.add(nd.ref().field("status.conditions[type=MemoryPressure].status", "True"));
            signals.add("MemoryPressure is True now");
          }
        });
    StringBuilder why =
        new StringBuilder("The kubelet evicted ")
            .append(pods.size())
            .append(pods.size() == 1 ? " pod" : " pods")
            .append(" from node ")
            .append(node)
            .append(" because it ran short of memory (below its eviction threshold): ")
            .append(
                ClusterFacts.some(
                    pods.stream().map(p -> p.namespace() + "/" + p.ref().name()).toList(), 6))
            .append('.');
    if (!signals.isEmpty()) {
      why.append(" The node said so: ").append(String.join("; ", signals)).append('.');
    }
    if (!over.isEmpty()) {
      why.append(" The kubelet evicts first the pods whose use exceeds their request the most: ")
          .append(ClusterFacts.some(over, 5))
          .append(
              ". The scheduler placed them by those"
                  + " requests, so the node was fuller than it was told.");
    }
    List<Fix> fixes = new ArrayList<>();
    if (requests.length() > 0) {
      fixes.add(
          new Fix(
              Layer.POD_SPEC,
              "Set each evicted container's memory request to what it"
                  + " used when evicted, so the scheduler counts it and the kubelet does not pick it"
                  + " first.",
              Optional.of(requests.toString())));
    }
    fixes.add(
        new Fix(
            Layer.NODE,
            "See what fills the node and what its threshold is; give it"
                + " more memory or fewer pods if the requests, once true, no longer fit.",
            Optional.of(
                "kubectl describe node "
                    + Shell.quote(node)
                    + " | grep -A12 'Allocated resources'\n"
                    + "kubectl get events -A --field-selector reason=Evicted")));
    return new Finding(
        INFO.code(),
        pods.size() >= 3 ? Severity.HIGH : Severity.MEDIUM,
        Confidence.HIGH,
        pods.size()
            + (pods.size() == 1 ? " pod was" : " pods were")
            + " evicted from node "
            + node
            + " for memory",
        why.toString(),
        cited,
        fixes);
  }

  /** What {@code container} of {@code p} used when the kubelet evicted it, as its message says. */
  static java.util.OptionalLong usedWhenEvicted(ClusterPod p, String container) {
    if (p.reason().filter("Evicted"::equals).isEmpty() || p.message().isEmpty()) {
      return java.util.OptionalLong.empty();
    }
    Matcher m = USING.matcher(p.message().get());
    while (m.find()) {
      if (m.group(1).equals(container)) {
        Optional<Long> used = bytes(m.group(2));
        if (used.isPresent()) {
          return java.util.OptionalLong.of(used.get());
        }
      }
    }
    return java.util.OptionalLong.empty();
  }

  private static Optional<Long> bytes(String quantity) {
    try {
      return Optional.of(Quantity.parseBytes(quantity.replaceAll("[,.]$", "")));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
