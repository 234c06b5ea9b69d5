package dev.oomlens.core.rules.cluster;

import dev.oomlens.core.cluster.ClusterPod;
import dev.oomlens.core.cluster.ClusterState;
import dev.oomlens.core.cluster.Condition;
import dev.oomlens.core.cluster.PriorityClassInfo;
import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.Citation;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.RuleInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/*
 * The API server refuses a PriorityClass whose name starts with "system-" unless it is one of the
 * two built-in classes (pkg/apis/scheduling/validation: "name must not start with 'system-' as it
 * is reserved for system use"). A manifest that creates one never applies: a Flux Kustomization or
 * Helm release holding it fails, and everything that depends on it waits (seed 002: Flux blocked
 * by system-infrastructure). Pods that name such a class are refused by the Priority admission
 * plugin ("no PriorityClass with name ... was found"). Found in PriorityClass objects of dumps or
 * manifests, in pods and templates, and in the failure messages of Flux's objects.
 */

/**
 * {@code PRIORITYCLASS-RESERVED}: a PriorityClass named with the reserved {@code system-} prefix.
 */
public final class PriorityClassReservedAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
          "PRIORITYCLASS-RESERVED",
          "A PriorityClass is named with the reserved system- prefix: the API server refuses it",
          Severity.HIGH,
          RuleInfo.Scope.WORKLOAD,
          Layer.POD_SPEC);

  /** The two classes Kubernetes itself creates. */
  static final Set<String> BUILT_IN = Set.of("system-cluster-critical", "system-node-critical");

  private static final Pattern NAMED =
      Pattern.compile("\"?(system-[a-z0-9]([-a-z0-9.]*[a-z0-9])?)");

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    List<Finding> out = new ArrayList<>();
    for (ClusterState cluster : evidence.clusters()) {
      Map<String, List<Citation>> byName = new LinkedHashMap<>();
      for (PriorityClassInfo pc : cluster.priorityClasses()) {
        if (reserved(pc.name())) {
          byName
              .computeIfAbsent(pc.name(), k -> new ArrayList<>())
              .add(pc.ref().field("metadata.name", pc.name()));
        }
      }
      for (ClusterPod p : cluster.pods()) {
        p.priorityClassName()
            .filter(PriorityClassReservedAnalyzer::reserved)
            .ifPresent(
                n ->
                    byName
                        .computeIfAbsent(n, k -> new ArrayList<>())
                        .add(
                            p.ref()
                                .field(
                                    (p.template() ? "spec.template.spec" : "spec")
                                        + ".priorityClassName",
                                    n)));
      }
      for (Condition c : cluster.conditions()) {
        if (!c.failing() || c.message().isEmpty() || !c.message().get().contains("system-")) {
          continue;
        }
        Matcher m = NAMED.matcher(c.message().get());
        while (m.find()) {
          String name = m.group(1);
          if (reserved(name)
              && (c.message().get().contains("PriorityClass")
                  || c.message().get().contains("reserved"))) {
            byName
                .computeIfAbsent(name, k -> new ArrayList<>())
                .add(c.ref().field(c.fieldPath() + ".message", c.message().get()));
            break;
          }
        }
      }
      byName.forEach((name, cited) -> out.add(finding(name, cited)));
    }
    return out;
  }

  static boolean reserved(String name) {
    return name.startsWith("system-") && !BUILT_IN.contains(name);
  }

  private static Finding finding(String name, List<Citation> cited) {
    String renamed = name.substring("system-".length()) + "-priority";
    String why =
        "PriorityClass names starting with \"system-\" are reserved: the API server"
            + " accepts only system-cluster-critical and system-node-critical, and refuses \""
            + name
            + "\" (name must not start with 'system-' as it is reserved for system use). Whatever"
            + " creates it fails to apply, and pods that name it are refused. It is named in "
            + cited.size()
            + (cited.size() == 1 ? " place." : " places.");
    return new Finding(
        INFO.code(),
        Severity.HIGH,
        Confidence.HIGH,
        "PriorityClass " + name + " uses the reserved system- prefix: the API server refuses it",
        why,
        cited,
        List.of(
            new Fix(
                Layer.POD_SPEC,
                "Rename the class (for instance to "
                    + renamed
                    + ") in its manifest and in every priorityClassName that names it, then"
                    + " let the release apply again.",
                Optional.of(
                    "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata:\n  name: "
                        + ClusterFacts.yamlText(renamed)
                        + "  # was: "
                        + ClusterFacts.yamlText(name)
                        + "\nvalue: 1000000\n# and in pod specs: priorityClassName: "
                        + ClusterFacts.yamlText(renamed)
                        + "\n"))));
  }
}
