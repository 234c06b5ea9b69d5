package dev.oomlens.core.rules.cluster;

import dev.oomlens.core.cluster.ClusterEvent;
import dev.oomlens.core.cluster.ClusterNode;
import dev.oomlens.core.cluster.ClusterPod;
import dev.oomlens.core.cluster.ClusterState;
import dev.oomlens.core.cluster.ContainerSpec;
import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.Citation;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.RuleInfo;
import dev.oomlens.core.rules.Shell;
import dev.oomlens.core.rules.Sizes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/*
 * The kubelet posts a SystemOOM event on the Node when the kernel OOM-killed a process outside
 * any container's own limit ("System OOM encountered, victim process: zebra, pid: 2211"); the
 * node problem detector posts OOMKilling with the kernel's kill line. An OOMKilling whose line is
 * "Memory cgroup out of memory" is a container at its own limit, which OOMKILLED tells: it is not
 * counted here. What is left is the node running out as a whole, killing what happened to score
 * highest: seed 002's routing daemons (zebra, bgpd, staticd) on a control-plane node.
 *
 * The kube-reserved number offered follows GKE's published tiers (25% of the first 4 GiB, 20% of
 * the next 4, 10% of the next 8, 6% of the next 112, 2% above), a starting point, said to be so.
 */

/** {@code SYSTEM-OOM}: the kernel killed processes because a node ran out as a whole. */
public final class SystemOomAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
          "SYSTEM-OOM",
          "A node ran out of memory as a whole: the kernel killed processes outside any limit",
          Severity.CRITICAL,
          RuleInfo.Scope.HOST,
          Layer.NODE,
          Layer.CONTAINER_LIMIT);

  private static final Pattern KUBELET_VICTIM =
      Pattern.compile("victim process: ([^,]+), pid: (\\d+)");
  private static final Pattern KILL_LINE =
      Pattern.compile("(?:Killed|Kill) process (\\d+) \\(([^)]*)\\)");

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    List<Finding> out = new ArrayList<>();
    for (ClusterState cluster : evidence.clusters()) {
      Map<String, List<ClusterEvent>> byNode = new LinkedHashMap<>();
      for (ClusterEvent e : cluster.events()) {
        if (isSystemOom(e) && e.involved().kind().equals("Node")) {
          byNode.computeIfAbsent(e.involved().name(), k -> new ArrayList<>()).add(e);
        }
      }
      byNode.forEach((node, events) -> out.add(finding(cluster, node, events)));
    }
    return out;
  }

  /** True for an event that tells of a node-wide OOM kill, not a container at its own limit. */
  static boolean isSystemOom(ClusterEvent e) {
    return e.reason().equals("SystemOOM")
        || (e.reason().equals("OOMKilling")
            && !e.message().contains("Memory cgroup out of memory"));
  }

  /** The process the event names as killed, when it names one. */
  static Optional<String> victim(ClusterEvent e) {
    Matcher m = KUBELET_VICTIM.matcher(e.message());
    if (m.find()) {
      return Optional.of(m.group(1).trim());
    }
    m = KILL_LINE.matcher(e.message());
    return m.find() ? Optional.of(m.group(2)) : Optional.empty();
  }

  private static Finding finding(ClusterState cluster, String node, List<ClusterEvent> events) {
    Set<String> victims = new LinkedHashSet<>();
    int kills = 0;
    List<Citation> cited = new ArrayList<>();
    String last = null;
    for (ClusterEvent e : events) {
      victim(e).ifPresent(victims::add);
      kills += e.count();
      cited.add(e.ref().field("message", e.message()));
      if (e.lastTimestamp().isPresent()
          && (last == null || e.lastTimestamp().get().compareTo(last) > 0)) {
        last = e.lastTimestamp().get();
      }
    }
    Optional<ClusterNode> n = cluster.node(node);
    StringBuilder why =
        new StringBuilder("The kernel of node ")
            .append(node)
            .append(" killed ")
            .append(kills)
            .append(kills == 1 ? " process" : " processes")
            .append(" because the node" + " ran out of memory as a whole (")
            .append(events.size())
            .append(events.size() == 1 ? " event" : " events")
            .append(" SystemOOM/OOMKilling");
    if (!victims.isEmpty()) {
      why.append("; killed: ").append(String.join(", ", victims));
    }
    why.append(
        "). These are kills outside any container's own limit: whatever scored highest"
            + " died, often a daemon the node needs.");
    n.ifPresent(
        nd -> {
          nd.capacityBytes()
              .ifPresent(
                  c -> {
                    why.append(" The node has ").append(Sizes.human(c)).append(" of memory");
                    nd.allocatableBytes()
                        .ifPresent(
                            a -> why.append(", ").append(Sizes.human(a)).append(" allocatable"));
                    why.append('.');
                    cited.add(nd.ref().field("status.capacity.memory", Sizes.quantityMi(c)));
                  });
        });
    List<String> unbounded = new ArrayList<>();
    for (ClusterPod p : cluster.podsOn(node)) {
      for (ContainerSpec c : p.containers()) {
        if (c.limitBytes().isEmpty()) {
          unbounded.add(p.ref().namespace().orElse("") + "/" + p.ref().name() + " " + c.name());
        }
      }
    }
    if (!unbounded.isEmpty()) {
      why.append(
              " Containers on it without a memory limit, free to grow until the node runs"
                  + " out: ")
          .append(ClusterFacts.some(unbounded, 6))
          .append('.');
    }
    List<Fix> fixes = new ArrayList<>();
    if (!unbounded.isEmpty()) {
      fixes.add(
          new Fix(
              Layer.CONTAINER_LIMIT,
              "Give the containers on "
                  + node
                  + " that have"
                  + " none a memory limit (NO-LIMIT gives the number for each), so the one that grows"
                  + " is killed at its own limit instead of the node's daemons.",
              Optional.empty()));
    }
    Optional<Long> capacity =
        n.flatMap(
            nd ->
                nd.capacityBytes().isPresent()
                    ? Optional.of(nd.capacityBytes().getAsLong())
                    : Optional.empty());
    String reserve = capacity.map(c -> Sizes.quantityMi(kubeReserved(c))).orElse(null);
    fixes.add(
        new Fix(
            Layer.NODE,
            "Reserve memory for the system and the kubelet and let the"
                + " kubelet evict before the kernel kills"
                + (reserve != null
                    ? " (kube-reserved "
                        + reserve
                        + " for a node of "
                        + Sizes.human(capacity.get())
                        + ", from GKE's published tiers: a starting point)"
                    : "")
                + ".",
            Optional.of(
                "# /var/lib/kubelet/config.yaml (k3s: --kubelet-arg=kube-reserved=memory="
                    + (reserve != null ? reserve : "<size>")
                    + ")\n"
                    + "kubeReserved:\n  memory: \""
                    + (reserve != null ? reserve : "256Mi")
                    + "\"\n"
                    + "systemReserved:\n  memory: \"128Mi\"\n"
                    + "evictionHard:\n  memory.available: \"100Mi\"\n")));
    fixes.add(
        new Fix(
            Layer.NODE,
            "See the kernel's own account of each kill on the node (what"
                + " filled it), then read it with oomlens diagnose.",
            Optional.of("ssh " + Shell.quote(node) + " dmesg -T | oomlens diagnose -")));
    return new Finding(
        INFO.code(),
        Severity.CRITICAL,
        Confidence.HIGH,
        "Node "
            + node
            + " ran out of memory: the kernel killed "
            + (victims.isEmpty() ? kills + " processes" : String.join(", ", victims))
            + (last != null ? ", last at " + last : ""),
        why.toString(),
        cited,
        fixes);
  }

  /** GKE's published kube-reserved memory for a node of {@code capacity} bytes. */
  static long kubeReserved(long capacity) {
    long gib = Sizes.GIB;
    long[] bounds = {4 * gib, 8 * gib, 16 * gib, 128 * gib, Long.MAX_VALUE};
    double[] shares = {0.25, 0.20, 0.10, 0.06, 0.02};
    long reserved = 0;
    long lower = 0;
    for (int i = 0; i < bounds.length && capacity > lower; i++) {
      long part = Math.min(capacity, bounds[i]) - lower;
      reserved += (long) (part * shares[i]);
      lower = bounds[i];
    }
    return reserved;
  }
}
