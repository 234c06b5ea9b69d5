package dev.oomlens.core.rules;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/*
 * Everything a renderer may need to know about a rule lives here, next to the rule, rather than in
 * a switch over codes in each renderer: what the rule is about (a workload's limit, the machine,
 * how the kill came about), the layers its fixes touch, and the queries that watch for its cause
 * once it is fixed. Queries name node_exporter's, cAdvisor's and kube-state-metrics' metrics; the
 * renderer fills {instance} (node_exporter's selector of the affected hosts) and {node} (the
 * kube-state-metrics selector of their nodes).
 */

/**
 * What a rule is: its stable code, a one-line summary without trailing period, the severity its
 * findings usually carry, what it is about, the layers its fixes touch and what watches for it.
 */
public record RuleInfo(
    String code,
    String summary,
    Severity defaultSeverity,
    Scope scope,
    Set<Layer> layers,
    List<Watch> watches) {
  /** What a rule's findings are about. */
  public enum Scope {
    /** A workload's own cgroup: its limit, its composition, its JVM, its kills. */
    WORKLOAD,
    /** The machine as a whole: its RAM, swap, balloon, NUMA nodes, the node's pods together. */
    HOST,
    /** How the kill came about rather than why memory ran out: a forced OOM, a SIGKILL. */
    KILL
  }

  /**
   * What shows whether a rule's cause is back: a metric to plot, a criterion the fix must meet, or
   * a command that shows the fix is live on the host.
   *
   * @param promql the query; for a check, the shell command
   */
  public record Watch(Kind kind, String title, String promql, String expect) {
    /** A metric to watch, a condition the fix must meet over days, or a command to run. */
    public enum Kind {
      METRIC,
      CRITERION,
      CHECK
    }

    public Watch {
      requireNonNull(kind, "kind");
      requireNonNull(title, "title");
      requireNonNull(promql, "promql");
      requireNonNull(expect, "expect");
    }

    /** A metric: {@code expect} says what it shows once the fix works. */
    public static Watch metric(String title, String promql, String expect) {
      return new Watch(Kind.METRIC, title, promql, expect);
    }

    /** A success criterion: {@code promql} holds (returns a series) when it is met. */
    public static Watch criterion(String text, String promql) {
      return new Watch(Kind.CRITERION, text, promql, "");
    }

    /** A command to run on an affected host that shows the fix is in place. */
    public static Watch check(String what, String command) {
      return new Watch(Kind.CHECK, what, command, "");
    }
  }

  public RuleInfo {
    requireNonNull(code, "code");
    requireNonNull(summary, "summary");
    requireNonNull(defaultSeverity, "defaultSeverity");
    requireNonNull(scope, "scope");
    layers =
        Collections.unmodifiableSet(
            layers.isEmpty() ? EnumSet.noneOf(Layer.class) : EnumSet.copyOf(layers));
    watches = List.copyOf(watches);
    if (!code.matches("[A-Z][A-Z0-9]*(-[A-Z0-9]+)*")) {
      throw new IllegalArgumentException("code must be UPPER-KEBAB: " + code);
    }
    if (summary.endsWith(".")) {
      throw new IllegalArgumentException("a summary has no trailing period: " + summary);
    }
  }

  /** A rule about {@code scope} whose fixes touch {@code layers}, watched by nothing yet. */
  public static RuleInfo of(
      String code, String summary, Severity defaultSeverity, Scope scope, Layer... layers) {
    return new RuleInfo(code, summary, defaultSeverity, scope, Set.of(layers), List.of());
  }

  /** This rule, watched also by {@code more}. */
  public RuleInfo watching(Watch... more) {
    List<Watch> all = new java.util.ArrayList<>(watches);
    all.addAll(List.of(more));
    return new RuleInfo(code, summary, defaultSeverity, scope, layers, all);
  }

  /** The documentation page of this rule, relative to the repository root. */
  public String docPath() {
    return "docs/rules/" + code + ".md";
  }
}
