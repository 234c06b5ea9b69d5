package dev.oomlens.report.markdown;

import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.core.host.KillerEvent;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.OomScope;
import dev.oomlens.core.model.Workload;
import dev.oomlens.core.rules.ReportFacts;
import dev.oomlens.core.rules.RuleInfo;
import dev.oomlens.core.rules.RuleRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/*
 * The queries use the metric names of the exporters most clusters already run: node_exporter
 * (meminfo, vmstat's oom_kill/pswpin/pswpout, pressure), cAdvisor inside the kubelet
 * (container_memory_working_set_bytes, container_spec_memory_limit_bytes,
 * container_oom_events_total; its `id` label is the cgroup path, the same path the kernel prints
 * as oom_memcg/task_memcg) and kube-state-metrics (pod metrics carry the pod's `uid`). Label values
 * come from the evidence: the host name as node_exporter's instance (with or without a port), the
 * pod UID (dashes, or underscores under the systemd cgroup driver) and the cgroup path. A value the
 * evidence does not hold stays an explicit <placeholder> rather than a guess.
 */

/** What to watch after an OOM kill, chosen from the findings' codes and the reports' scope. */
final class Monitoring {
  /** One query to watch, with what it should show once the fix works. */
  record Metric(String title, String promql, String expect) {}

  /** One measurable condition a fix must meet. */
  record Criterion(String text, String promql) {}

  private final List<OomReport> reports;
  private final Set<String> codes;
  private final Optional<HostSnapshot> host;
  private final String instance;
  private final boolean hostLevel;

  Monitoring(
      List<OomReport> reports,
      Set<String> codes,
      Optional<HostSnapshot> host,
      List<KillerEvent> killers) {
    this.reports = reports;
    this.codes = codes;
    this.host = host;
    Set<String> names = new TreeSet<>();
    reports.forEach(r -> r.host().ifPresent(names::add));
    killers.forEach(k -> k.host().ifPresent(names::add));
    if (names.isEmpty()) {
      host.flatMap(HostSnapshot::hostname).ifPresent(names::add);
    }
    this.instance =
        names.isEmpty()
            ? "instance=~\"<host>(:[0-9]+)?\""
            : "instance=~\""
                + (names.size() == 1
                    ? regex(names.iterator().next())
                    : "(" + String.join("|", names.stream().map(Monitoring::regex).toList()) + ")")
                + "(:[0-9]+)?\"";
    this.hostLevel =
        !killers.isEmpty()
            || reports.stream()
                .anyMatch(r -> r.scope().filter(s -> s != OomScope.MEMCG).isPresent())
            || infos().anyMatch(i -> i.scope() == RuleInfo.Scope.HOST)
            || (reports.isEmpty() && host.isPresent());
  }

  /** The node_exporter selector of the affected hosts. */
  String instance() {
    return instance;
  }

  List<Metric> metrics() {
    Map<String, Metric> out = new LinkedHashMap<>();
    if (!reports.isEmpty() || hostLevel) {
      add(
          out,
          "OOM kills on the host (all cgroups)",
          "increase(node_vmstat_oom_kill{" + instance + "}[1h])",
          "0 once the fix is in");
    }
    for (Target t : targets()) {
      add(
          out,
          "Working set of " + t.label() + " against its limit",
          "container_memory_working_set_bytes{"
              + t.selector()
              + "}\n  / container_spec_memory_"
              + "limit_bytes{"
              + t.selector()
              + "}",
          "below 0.9 (+Inf: no limit is set)");
      add(
          out,
          "Memory cgroup OOM events of " + t.label(),
          "increase(container_oom_events_total{" + t.selector() + "}[1h])",
          "0");
      t.podUid()
          .ifPresent(
              uid -> {
                add(
                    out,
                    "Containers of pod " + uid + " last terminated as OOMKilled",
                    "kube_pod_container_status_last_terminated_reason{uid=\""
                        + uid
                        + "\", reason=\"OOMKilled\"}",
                    "0 (or absent) for every container");
                add(
                    out,
                    "Restarts of pod " + uid + "'s containers",
                    "increase(kube_pod_container_status_restarts_total{uid=\"" + uid + "\"}[1h])",
                    "0; a replaced pod has a new UID: `kube_pod_info{uid=\""
                        + uid
                        + "\"}` names its"
                        + " namespace and owner to select the new one by");
              });
      t.unit()
          .ifPresent(
              unit ->
                  add(
                      out,
                      "Failures of " + Markdown.code(unit),
                      "node_systemd_unit_state{"
                          + instance
                          + ", name=\""
                          + unit
                          + "\", state=\"failed\"}",
                      "0 (node_exporter's systemd collector)"));
    }
    if (hostLevel) {
      add(
          out,
          "Memory available to new work, as a share of RAM",
          "node_memory_MemAvailable_bytes{"
              + instance
              + "}\n  / node_memory_MemTotal_bytes{"
              + instance
              + "}",
          "above 0.1");
      add(
          out,
          "Swap size (0 means no swap)",
          "node_memory_SwapTotal_bytes{" + instance + "}",
          "the size configured");
      add(
          out,
          "Swap in use",
          "node_memory_SwapTotal_bytes{"
              + instance
              + "} - node_memory_SwapFree_bytes{"
              + instance
              + "}",
          "below the swap size");
    }
    if (hostLevel || host.flatMap(HostSnapshot::memoryPressure).isPresent()) {
      add(
          out,
          "Share of time every task stalled on memory (PSI full)",
          "rate(node_pressure_memory_stalled_seconds_total{" + instance + "}[5m])",
          "below 0.05 outside known batch windows");
      add(
          out,
          "Share of time some task waited on memory (PSI some)",
          "rate(node_pressure_memory_waiting_seconds_total{" + instance + "}[5m])",
          "below 0.2; systemd-oomd and the PSI killers act on this");
    }
    // A rule's own expectation of a query is the more precise one: it replaces a generic one.
    infos()
        .flatMap(i -> i.watches().stream())
        .filter(w -> w.kind() == RuleInfo.Watch.Kind.METRIC)
        .forEach(
            w -> {
              String promql = fill(w.promql());
              out.put(promql, new Metric(w.title(), promql, w.expect()));
            });
    return List.copyOf(out.values());
  }

  List<Criterion> criteria() {
    List<Criterion> out = new ArrayList<>();
    if (!reports.isEmpty()) {
      Set<String> victims = new TreeSet<>();
      reports.forEach(r -> r.victim().ifPresent(v -> victims.add(Markdown.code(v.comm()))));
      String who = victims.isEmpty() ? "any process" : String.join(", ", victims);
      out.add(
          new Criterion(
              "No OOM kill of " + who + " on the affected hosts for 7 days of normal" + " load",
              "increase(node_vmstat_oom_kill{" + instance + "}[7d]) == 0"));
    }
    for (Target t : targets()) {
      out.add(
          new Criterion(
              "The working set of " + t.label() + " peaks below 90% of its limit" + " over 7 days",
              "max_over_time((container_memory_working_set_bytes{"
                  + t.selector()
                  + "}\n  / container_spec_memory_limit_bytes{"
                  + t.selector()
                  + "})[7d:5m]) < 0.9"));
    }
    if (hostLevel) {
      out.add(
          new Criterion(
              "MemAvailable never falls below 10% of RAM over 7 days",
              "min_over_time((node_memory_MemAvailable_bytes{"
                  + instance
                  + "}\n  / node_memory_MemTotal_bytes{"
                  + instance
                  + "})[7d:5m]) > 0.1"));
    }
    Set<String> seen = new LinkedHashSet<>();
    infos()
        .flatMap(i -> i.watches().stream())
        .filter(w -> w.kind() == RuleInfo.Watch.Kind.CRITERION)
        .filter(w -> seen.add(w.promql()))
        .forEach(w -> out.add(new Criterion(w.title(), fill(w.promql()))));
    return out;
  }

  /** Commands that show the change is live, by where the memory ran out. */
  List<String> checks() {
    Set<String> out = new LinkedHashSet<>();
    for (Target t : targets()) {
      t.podUid()
          .ifPresent(
              uid ->
                  out.add(
                      "Find the pod (the one killed had UID "
                          + uid
                          + ") and"
                          + " read its limits:\n\n"
                          + Markdown.fenced(
                              "shell",
                              "kubectl get pods -A -o jsonpath='{range .items[?(@.metadata.uid==\""
                                  + uid
                                  + "\")]}{.metadata.namespace}/{.metadata.name}{\"\\n\"}{end}'\n"
                                  + "kubectl -n <namespace> get pod <name> -o jsonpath="
                                  + "'{range .spec.containers[*]}{.name}: {.resources.limits.memory}{\"\\n\"}"
                                  + "{end}'")));
      t.unit()
          .ifPresent(
              unit ->
                  out.add(
                      "Read the unit's limits:\n\n"
                          + Markdown.fenced(
                              "shell",
                              "systemctl show "
                                  + unit
                                  + " -p MemoryMax -p MemoryHigh -p MemorySwapMax")));
      t.docker()
          .ifPresent(
              id ->
                  out.add(
                      "Read the container's limit:\n\n"
                          + Markdown.fenced(
                              "shell",
                              "docker inspect --format '{{.HostConfig.Memory}}"
                                  + " {{.HostConfig.MemorySwap}}' "
                                  + id)));
    }
    if (hostLevel) {
      out.add(
          "On each affected host, check memory and swap:\n\n"
              + Markdown.fenced("shell", "free -m\nswapon --show\ncat /proc/pressure/memory"));
    }
    infos()
        .flatMap(i -> i.watches().stream())
        .filter(w -> w.kind() == RuleInfo.Watch.Kind.CHECK)
        .forEach(w -> out.add(w.title() + ":\n\n" + Markdown.fenced("shell", w.promql())));
    return List.copyOf(out);
  }

  /** What the findings' rules are, in code order. */
  private Stream<RuleInfo> infos() {
    return codes.stream().map(RuleRegistry::info).flatMap(Optional::stream);
  }

  /**
   * A rule's query with this evidence's selectors in place of {@code {instance}}, {@code {node}}.
   */
  private String fill(String promql) {
    return promql.replace("{instance}", "{" + instance + "}").replace("{node}", nodeLabel());
  }

  private String nodeLabel() {
    String value =
        instance
            .substring(instance.indexOf('"') + 1, instance.lastIndexOf('"'))
            .replace("(:[0-9]+)?", "");
    return "node=~\"" + value + "\"";
  }

  /** A cgroup to watch: its cAdvisor selector and how to name it. */
  private record Target(
      String label,
      String selector,
      Optional<String> podUid,
      Optional<String> unit,
      Optional<String> docker) {}

  /** The memory cgroups that hit their limit, each once, at most five. */
  private List<Target> targets() {
    Map<String, Target> out = new LinkedHashMap<>();
    for (OomReport r : reports) {
      if (r.scope().filter(s -> s == OomScope.MEMCG).isEmpty() || ReportFacts.isManual(r)) {
        continue;
      }
      Workload w = r.workload();
      Target t;
      if (w.podUid().isPresent() && w.kind() != Workload.Kind.KUBEPODS) {
        String uid = w.podUid().get();
        t =
            new Target(
                "pod " + Markdown.code(uid) + "'s containers",
                "id=~\".*pod"
                    + uid.replace("-", "[-_]")
                    + ".*\", container!=\"\", container!=\"POD\"",
                Optional.of(uid),
                Optional.empty(),
                Optional.empty());
      } else if (r.oomMemcg().isPresent()) {
        String cgroup = r.oomMemcg().get();
        Optional<String> unit =
            w.kind() == Workload.Kind.SYSTEMD_UNIT ? w.unit() : Optional.empty();
        Optional<String> docker =
            w.kind() == Workload.Kind.DOCKER
                ? w.containerId().map(id -> Facts.shortId(Optional.of(id)))
                : Optional.empty();
        t =
            new Target(
                "cgroup " + Markdown.code(cgroup),
                "id=\"" + escape(cgroup) + "\"",
                Optional.empty(),
                unit,
                docker);
      } else {
        continue;
      }
      out.putIfAbsent(t.selector(), t);
      if (out.size() == 5) {
        break;
      }
    }
    return List.copyOf(out.values());
  }

  private static void add(Map<String, Metric> out, String title, String promql, String expect) {
    out.putIfAbsent(promql, new Metric(title, promql, expect));
  }

  /** A host name as a PromQL regular expression inside a double-quoted string. */
  private static String regex(String host) {
    return escape(host.replace(".", "\\."));
  }

  /** Escapes a PromQL double-quoted string's backslashes and quotes. */
  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
