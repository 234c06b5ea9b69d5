package dev.oomlens.core.diagnosis;

import dev.oomlens.core.cluster.ClusterNode;
import dev.oomlens.core.cluster.ClusterPod;
import dev.oomlens.core.cluster.ClusterState;
import dev.oomlens.core.cluster.NodeLoad;
import dev.oomlens.core.cluster.ObjectRef;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.Citation;
import dev.oomlens.core.model.ObjectField;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/*
 * Which findings are about which node, namespace and workload follows from the objects they cite,
 * as incidents follow from the lines: a finding citing a pod is about its workload, its namespace
 * and its node. Computed once here so the text and Markdown tables cannot disagree. Rows are
 * ranked by their most severe finding, then by how many findings, then by name; the codes of a
 * row are sorted, so the tables do not depend on the order the rules ran in.
 */

/** A diagnosis of cluster evidence seen per node, per namespace and per workload. */
public record ClusterView(
    ClusterState cluster, List<Row> nodes, List<Row> namespaces, List<Row> workloads) {
  public ClusterView {
    nodes = List.copyOf(nodes);
    namespaces = List.copyOf(namespaces);
    workloads = List.copyOf(workloads);
  }

  /**
   * One node, namespace or workload and the findings about it.
   *
   * @param name a node's name, a namespace, or a workload as {@code Kind ns/name}
   * @param load for a node, what its pods may use; empty otherwise
   * @param node for a node, the node as read; empty for a gone node and the other rows
   * @param codes the codes of its findings, sorted, each once
   * @param worst the severity of its most severe finding; empty when none is about it
   */
  public record Row(
      String name,
      Optional<NodeLoad> load,
      Optional<ClusterNode> node,
      List<String> codes,
      Optional<Severity> worst,
      int findings) {
    public Row {
      codes = List.copyOf(codes);
    }
  }

  /** The view of each cluster in {@code d}'s evidence. */
  public static List<ClusterView> of(Diagnosis d) {
    List<ClusterView> out = new ArrayList<>();
    for (ClusterState c : d.evidence().clusters()) {
      out.add(of(c, d.findings()));
    }
    return out;
  }

  static ClusterView of(ClusterState cluster, List<Finding> findings) {
    Map<String, ClusterPod> pods = new HashMap<>();
    for (ClusterPod p : cluster.pods()) {
      pods.put(key(p.ref()), p);
    }
    Map<String, List<Finding>> byNode = new LinkedHashMap<>();
    Map<String, List<Finding>> byNamespace = new LinkedHashMap<>();
    Map<String, List<Finding>> byWorkload = new LinkedHashMap<>();
    cluster.nodes().forEach(n -> byNode.put(n.name(), new ArrayList<>()));
    for (Finding f : findings) {
      java.util.Set<String> nodes = new java.util.LinkedHashSet<>();
      java.util.Set<String> namespaces = new java.util.LinkedHashSet<>();
      java.util.Set<String> workloads = new java.util.LinkedHashSet<>();
      boolean citedNode = false;
      for (Citation c : f.evidence()) {
        if (!(c instanceof ObjectField o)) {
          continue;
        }
        if (o.kind().equals("Node")) {
          // The first node a finding cites is the one it is about; others are compared with it.
          if (!citedNode) {
            nodes.add(o.name());
            citedNode = true;
          }
          continue;
        }
        if (o.kind().equals("Event") || o.kind().equals("PersistentVolume")) {
          continue;
        }
        o.namespace().ifPresent(namespaces::add);
        ObjectRef ref = new ObjectRef(o.kind(), o.namespace(), o.name());
        ClusterPod p = pods.get(key(ref));
        if (p != null) {
          workloads.add(p.workload().describe());
          p.nodeName().ifPresent(nodes::add);
        } else if (!o.kind().equals("PersistentVolumeClaim")) {
          workloads.add(ref.describe());
        }
      }
      nodes.forEach(n -> byNode.computeIfAbsent(n, k -> new ArrayList<>()).add(f));
      namespaces.forEach(n -> byNamespace.computeIfAbsent(n, k -> new ArrayList<>()).add(f));
      workloads.forEach(w -> byWorkload.computeIfAbsent(w, k -> new ArrayList<>()).add(f));
    }
    List<Row> nodeRows = new ArrayList<>();
    byNode.forEach(
        (n, fs) -> nodeRows.add(row(n, Optional.of(NodeLoad.of(cluster, n)), cluster.node(n), fs)));
    List<Row> nsRows = new ArrayList<>();
    byNamespace.forEach((n, fs) -> nsRows.add(row(n, Optional.empty(), Optional.empty(), fs)));
    List<Row> wRows = new ArrayList<>();
    byWorkload.forEach((n, fs) -> wRows.add(row(n, Optional.empty(), Optional.empty(), fs)));
    return new ClusterView(cluster, ranked(nodeRows), ranked(nsRows), ranked(wRows));
  }

  private static String key(ObjectRef r) {
    return r.kind() + "/" + r.namespace().orElse("") + "/" + r.name();
  }

  private static Row row(
      String name, Optional<NodeLoad> load, Optional<ClusterNode> node, List<Finding> findings) {
    TreeSet<String> codes = new TreeSet<>();
    findings.forEach(f -> codes.add(f.code()));
    return new Row(
        name,
        load,
        node,
        List.copyOf(codes),
        findings.stream().map(Finding::severity).max(Comparator.naturalOrder()),
        findings.size());
  }

  private static List<Row> ranked(List<Row> rows) {
    List<Row> out = new ArrayList<>(rows);
    out.sort(
        Comparator.<Row, Integer>comparing(
                r -> r.worst().map(Severity::ordinal).orElse(-1), Comparator.reverseOrder())
            .thenComparing(Row::findings, Comparator.reverseOrder())
            .thenComparing(Row::name));
    return out;
  }
}
