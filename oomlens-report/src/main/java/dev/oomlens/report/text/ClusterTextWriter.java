package dev.oomlens.report.text;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.diagnosis.ClusterView;
import dev.oomlens.core.diagnosis.Diagnosis;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.Input;
import dev.oomlens.core.model.Problem;
import dev.oomlens.report.escape.Controls;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/*
 * The cluster command's terminal text: what was read, then tables per node, namespace and
 * workload ranked by risk (ClusterView does the ranking), then every finding in full as the
 * diagnose command writes them. Columns are padded to their widest cell, so names of any length
 * keep the table's shape; no clock, locale or terminal width goes in.
 */

/** Writes a diagnosis of cluster evidence as terminal text. */
public final class ClusterTextWriter {
  private final PrintWriter out;

  public ClusterTextWriter(PrintWriter out) {
    this.out = requireNonNull(out, "out");
  }

  /** Writes what was read, the tables, and the findings in full. */
  public void write(Diagnosis d) {
    List<ClusterView> views = ClusterView.of(d);
    for (ClusterView v : views) {
      out.print(
          "Cluster:   "
              + Controls.visible(v.cluster().source())
              + ": "
              + v.cluster().nodes().size()
              + " nodes, "
              + v.cluster().pods().stream().filter(p -> !p.template()).count()
              + " pods, "
              + v.cluster().events().size()
              + " events read\n");
    }
    out.print("Findings:  " + counts(d.findings()) + "\n");
    for (Input input : d.evidence().inputs()) {
      for (Problem p : input.problems()) {
        out.print("Problem:   " + Controls.visible(p.toString()) + "\n");
      }
    }
    for (ClusterView v : views) {
      nodes(v);
      rows("Namespaces", "NAMESPACE", v.namespaces());
      rows("Workloads", "WORKLOAD", v.workloads());
    }
    if (!d.findings().isEmpty()) {
      out.print("\nFindings, most severe first\n");
      new DiagnosisTextWriter(out).findings(d);
    }
    out.flush();
  }

  private static String counts(List<Finding> findings) {
    if (findings.isEmpty()) {
      return "none";
    }
    Map<Severity, Integer> n = new EnumMap<>(Severity.class);
    findings.forEach(f -> n.merge(f.severity(), 1, Integer::sum));
    List<String> parts = new ArrayList<>();
    for (Severity s :
        List.of(Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO)) {
      if (n.containsKey(s)) {
        parts.add(n.get(s) + " " + s.jsonName());
      }
    }
    return findings.size() + " (" + String.join(", ", parts) + ")";
  }

  private void nodes(ClusterView v) {
    if (v.nodes().isEmpty()) {
      return;
    }
    List<List<String>> table = new ArrayList<>();
    table.add(
        List.of(
            "NODE",
            "STATUS",
            "CAPACITY",
            "ALLOCATABLE",
            "REQUESTS",
            "LIMITS",
            "NO LIMIT",
            "FINDINGS"));
    for (ClusterView.Row r : v.nodes()) {
      var load = r.load().orElseThrow();
      String status =
          r.node()
              .map(
                  n ->
                      (n.notReady() ? "NotReady" : "Ready")
                          + (n.unschedulable() ? ",SchedulingDisabled" : ""))
              .orElse("gone");
      long alloc = r.node().map(n -> n.allocatableBytes().orElse(0)).orElse(0L);
      table.add(
          List.of(
              r.name(),
              status,
              r.node()
                  .flatMap(
                      n ->
                          n.capacityBytes().isPresent()
                              ? java.util.Optional.of(
                                  Units.mibFromBytes(n.capacityBytes().getAsLong()))
                              : java.util.Optional.empty())
                  .orElse("-"),
              alloc > 0 ? Units.mibFromBytes(alloc) : "-",
              Units.mibFromBytes(load.requestBytes()) + share(load.requestBytes(), alloc),
              Units.mibFromBytes(load.limitBytes()) + share(load.limitBytes(), alloc),
              String.valueOf(load.unbounded().size()),
              codes(r)));
    }
    out.print("\nNodes, the most at risk first\n");
    table(table);
  }

  private static String share(long part, long whole) {
    return whole <= 0
        ? ""
        : String.format(Locale.ROOT, " (%d%%)", Math.round(part * 100.0 / whole));
  }

  private void rows(String title, String header, List<ClusterView.Row> rows) {
    if (rows.isEmpty()) {
      return;
    }
    List<List<String>> table = new ArrayList<>();
    table.add(List.of(header, "FINDINGS"));
    rows.forEach(r -> table.add(List.of(r.name(), codes(r))));
    out.print("\n" + title + ", the most at risk first\n");
    table(table);
  }

  private static String codes(ClusterView.Row r) {
    return r.codes().isEmpty()
        ? "-"
        : String.join(" ", r.codes()) + " (" + r.worst().orElseThrow().jsonName() + ")";
  }

  private void table(List<List<String>> given) {
    List<List<String>> rows =
        given.stream().map(r -> r.stream().map(Controls::visible).toList()).toList();
    int[] width = new int[rows.getFirst().size()];
    for (List<String> r : rows) {
      for (int i = 0; i < r.size(); i++) {
        width[i] = Math.max(width[i], r.get(i).codePointCount(0, r.get(i).length()));
      }
    }
    for (List<String> r : rows) {
      StringBuilder line = new StringBuilder("  ");
      for (int i = 0; i < r.size(); i++) {
        line.append(r.get(i));
        if (i < r.size() - 1) {
          line.append(" ".repeat(width[i] - r.get(i).codePointCount(0, r.get(i).length()) + 2));
        }
      }
      out.print(line.toString().stripTrailing() + "\n");
    }
  }
}
