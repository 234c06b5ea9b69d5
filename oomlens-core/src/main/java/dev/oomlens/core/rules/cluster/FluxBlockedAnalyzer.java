package dev.oomlens.core.rules.cluster;

import dev.oomlens.core.cluster.ClusterState;
import dev.oomlens.core.cluster.Condition;
import dev.oomlens.core.cluster.ObjectRef;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/*
 * Flux reconciles Kustomizations and HelmReleases in dependency order (spec.dependsOn): one that
 * is not Ready holds back every object that depends on it, and their Ready condition says only
 * "dependency 'ns/name' is not ready". The cause is in the first failing object of the chain,
 * so one finding per such root, naming what it holds back (seed 002: the MetalLB release failed,
 * the infrastructure Kustomization failed on it and on a reserved PriorityClass name, and the
 * apps waited on infrastructure). Fixing a dependent first does nothing. A dependent whose
 * message holds nothing but its waiting is not a root; one with a failure of its own is both.
 */

/** {@code FLUX-BLOCKED}: a failing Flux object and the reconciliations it holds back. */
public final class FluxBlockedAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
          "FLUX-BLOCKED",
          "Flux reconciliation is blocked: a failing Kustomization or HelmRelease holds back others",
          Severity.HIGH,
          RuleInfo.Scope.WORKLOAD,
          Layer.POD_SPEC);

  /** How a Flux object says it waits on another: dependsOn, or a health check of one. */
  private static final Pattern DEPENDENCY =
      Pattern.compile(
          "dependency '([^'/]+)/([^']+)' is not ready"
              + "|(?:HelmRelease|Kustomization)/([^/\\s]+)/([^\\s:]+) status: '(?:Failed|Stalled)'");

  /** Flux's wording around the objects a health check found failed, once they are taken out. */
  private static final Pattern HEALTH_CHECK =
      Pattern.compile("health check failed[^;\\[]*\\[[\\s,]*\\]");

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    List<Finding> out = new ArrayList<>();
    for (ClusterState cluster : evidence.clusters()) {
      Map<String, Condition> failing = new LinkedHashMap<>();
      for (Condition c : cluster.conditions()) {
        if (c.failing()) {
          failing.putIfAbsent(key(c.ref()), c);
        }
      }
      Map<String, List<String>> blockedBy = new LinkedHashMap<>();
      Map<String, String> waitsOn = new LinkedHashMap<>();
      for (Condition c : failing.values()) {
        Matcher m = DEPENDENCY.matcher(c.message().orElse(""));
        while (m.find()) {
          String dep =
              m.group(1) != null ? m.group(1) + "/" + m.group(2) : m.group(3) + "/" + m.group(4);
          Optional<String> depKey =
              failing.keySet().stream().filter(k -> k.endsWith(" " + dep)).findFirst();
          if (depKey.isPresent()) {
            blockedBy.computeIfAbsent(depKey.get(), k -> new ArrayList<>()).add(key(c.ref()));
            waitsOn.putIfAbsent(key(c.ref()), depKey.get());
          }
        }
      }
      for (Condition c : failing.values()) {
        String k = key(c.ref());
        boolean onlyWaits =
            waitsOn.containsKey(k)
                && c.message()
                    .map(
                        msg ->
                            HEALTH_CHECK
                                .matcher(DEPENDENCY.matcher(msg).replaceAll(""))
                                .replaceAll("")
                                .replaceAll("[\\s,.;:]", "")
                                .isEmpty())
                    .orElse(false);
        if (onlyWaits) {
          continue;
        }
        Set<String> held = new LinkedHashSet<>();
        collect(k, blockedBy, held);
        out.add(finding(c, held, failing));
      }
    }
    return out;
  }

  private static void collect(String k, Map<String, List<String>> blockedBy, Set<String> held) {
    for (String d : blockedBy.getOrDefault(k, List.of())) {
      if (held.add(d)) {
        collect(d, blockedBy, held);
      }
    }
  }

  private static String key(ObjectRef r) {
    return r.kind() + " " + r.namespace().orElse("") + "/" + r.name();
  }

  private static Finding finding(Condition c, Set<String> held, Map<String, Condition> failing) {
    List<Citation> cited = new ArrayList<>();
    cited.add(c.ref().field(c.fieldPath() + ".message", c.message().orElse("")));
    for (String h : held) {
      Condition hc = failing.get(h);
      cited.add(hc.ref().field(hc.fieldPath() + ".message", hc.message().orElse("")));
    }
    ObjectRef r = c.ref();
    StringBuilder why =
        new StringBuilder(r.describe())
            .append(" is not Ready")
            .append(c.reason().map(x -> " (" + x + ")").orElse(""))
            .append(": ")
            .append(c.message().orElse("no message"))
            .append('.');
    if (!held.isEmpty()) {
      why.append(" It holds back ")
          .append(held.size())
          .append(
              held.size() == 1
                  ? " object that depends on it"
                  : " objects that depend on it, directly or not")
          .append(": ")
          .append(ClusterFacts.some(List.copyOf(held), 6))
          .append(". Fix this one first; they reconcile once it is Ready.");
    }
    String kind = r.kind().toLowerCase(Locale.ROOT);
    String ns = r.namespace().orElse("flux-system");
    String reconcile =
        "flux reconcile "
            + kind
            + " "
            + Shell.quote(r.name())
            + " -n "
            + Shell.quote(ns)
            + (kind.equals("kustomization") ? " --with-source" : "");
    List<Fix> fixes = new ArrayList<>();
    fixes.add(
        new Fix(
            Layer.POD_SPEC,
            "Fix what its message names (a refused object, a failed"
                + " install or upgrade), then reconcile it"
                + (kind.equals("helmrelease")
                    ? "; a release stuck after exhausting its retries needs a suspend and resume"
                    : "")
                + ".",
            Optional.of(
                "kubectl describe "
                    + kind
                    + " "
                    + Shell.quote(r.name())
                    + " -n "
                    + Shell.quote(ns)
                    + "\n"
                    + reconcile
                    + (kind.equals("helmrelease")
                        ? "\nflux suspend helmrelease "
                            + Shell.quote(r.name())
                            + " -n "
                            + Shell.quote(ns)
                            + " && flux resume helmrelease "
                            + Shell.quote(r.name())
                            + " -n "
                            + Shell.quote(ns)
                        : "")
                    + "\n")));
    return new Finding(
        INFO.code(),
        held.isEmpty() ? Severity.MEDIUM : Severity.HIGH,
        Confidence.HIGH,
        r.describe()
            + " is failing"
            + (held.isEmpty()
                ? ""
                : " and blocks " + held.size() + (held.size() == 1 ? " other" : " others")),
        why.toString(),
        cited,
        fixes);
  }
}
