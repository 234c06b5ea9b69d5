package dev.oomlens.core.rules.cluster;

import dev.oomlens.core.cluster.ClusterPod;
import dev.oomlens.core.cluster.ClusterState;
import dev.oomlens.core.cluster.ObjectRef;
import dev.oomlens.core.cluster.WorkloadContainer;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.LimitChange;
import dev.oomlens.core.rules.Shell;
import dev.oomlens.core.rules.Sizes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/** What several cluster rules need: grouping containers by workload, limits from usage, patches. */
final class ClusterFacts {
  /** Kinds whose pod template a patch can change. */
  static final Set<String> PATCHABLE =
      Set.of("Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job", "CronJob");

  /** A limit proposed from use leaves this much room above the largest working set seen. */
  static final double USAGE_MARGIN = 1.5;

  private ClusterFacts() {}

  /** Every container of every workload once (see {@link ClusterState#workloadContainers()}). */
  static List<WorkloadContainer> byWorkload(ClusterState cluster) {
    return cluster.workloadContainers();
  }

  /**
   * The largest working set of this container in any of its pods, when metrics hold one, or what it
   * used when the kubelet evicted one of them (its message says).
   */
  static OptionalLong peakUse(ClusterState cluster, WorkloadContainer wc) {
    long max = -1;
    for (ClusterPod p : wc.pods()) {
      if (!p.template()) {
        Optional<Long> ws = cluster.workingSet(p.ref(), wc.spec().name());
        if (ws.isPresent()) {
          max = Math.max(max, ws.get());
        }
        OptionalLong evicted = EvictedAnalyzer.usedWhenEvicted(p, wc.spec().name());
        if (evicted.isPresent()) {
          max = Math.max(max, evicted.getAsLong());
        }
      }
    }
    return max < 0 ? OptionalLong.empty() : OptionalLong.of(max);
  }

  /** A memory limit proposed for one container, and what it rests on. */
  record Proposal(long bytes, String basis) {}

  /*
   * Every rule that proposes a limit for a container proposes this one, so two findings about one
   * container never ask for two different numbers: the largest of what each reason needs.
   */
  /** The limit to propose for {@code wc}: the largest that any reason needs; empty when none. */
  static Optional<Proposal> proposal(ClusterState cluster, WorkloadContainer wc) {
    List<Proposal> candidates = new ArrayList<>();
    OptionalLong limit = wc.spec().limitBytes();
    OptionalLong use = peakUse(cluster, wc);
    if (limit.isPresent() && oomKilled(wc)) {
      candidates.add(
          new Proposal(
              roundLimit((long) (limit.getAsLong() * 1.5)),
              "half again the limit it was killed at"));
    }
    if (use.isPresent()) {
      candidates.add(
          new Proposal(
              roundLimit((long) (use.getAsLong() * USAGE_MARGIN)),
              "1.5 times its largest working set, " + Sizes.human(use.getAsLong())));
    }
    OptionalLong heap = JvmHeapVsLimitAnalyzer.xmx(JvmHeapVsLimitAnalyzer.options(wc.spec()));
    if (heap.isPresent()
        && limit.isPresent()
        && heap.getAsLong() > limit.getAsLong() * JvmHeapVsLimitAnalyzer.MAX_SHARE) {
      candidates.add(
          new Proposal(
              roundLimit(heap.getAsLong() * 100 / JvmHeapVsLimitAnalyzer.PROPOSED_PERCENT),
              "its -Xmx heap as 70% of it"));
    }
    if (candidates.isEmpty() && limit.isEmpty() && wc.spec().requestBytes().isPresent()) {
      candidates.add(
          new Proposal(
              roundLimit(wc.spec().requestBytes().getAsLong() * 2),
              "twice its request of "
                  + Sizes.quantityMi(wc.spec().requestBytes().getAsLong())
                  + "; a starting point, no use was observed: check it with kubectl top pod"
                  + " --containers"));
    }
    return candidates.stream().max(java.util.Comparator.comparingLong(Proposal::bytes));
  }

  /** True when any pod of {@code wc} reports the container OOMKilled, now or last time. */
  static boolean oomKilled(WorkloadContainer wc) {
    for (ClusterPod p : wc.pods()) {
      for (dev.oomlens.core.cluster.ContainerStatus s : p.statuses()) {
        if (s.name().equals(wc.spec().name())
            && s.init() == wc.spec().init()
            && (s.lastTerminated().map(t -> t.oomKilled()).orElse(false)
                || s.terminated().map(t -> t.oomKilled()).orElse(false))) {
          return true;
        }
      }
    }
    return false;
  }

  /** {@code bytes} rounded up to whole MiB, at least 16 MiB (less starves any runtime). */
  static long roundLimit(long bytes) {
    return Math.max(16, Sizes.ceilMib(bytes)) * Sizes.MIB;
  }

  /**
   * The fix that sets this container's memory limit to {@code newBytes}: a patch of the workload
   * (its pod template) with kubectl, and the same in YAML for the manifest in the repository.
   */
  static Fix limitFix(WorkloadContainer wc, long newBytes, String action) {
    ObjectRef w = wc.workload();
    String q = Sizes.quantityMi(newBytes);
    String list = wc.spec().init() ? "initContainers" : "containers";
    StringBuilder snippet = new StringBuilder();
    String json =
        "{\"name\":\""
            + jsonText(wc.spec().name())
            + "\",\"resources\":{\"limits\":"
            + "{\"memory\":\""
            + q
            + "\"}}}";
    if (PATCHABLE.contains(w.kind())) {
      snippet
          .append("kubectl")
          .append(w.namespace().map(n -> " -n " + Shell.quote(n)).orElse(""))
          .append(" patch ")
          .append(w.kind().toLowerCase(java.util.Locale.ROOT))
          .append(' ')
          .append(Shell.quote(w.name()))
          .append(" --type=strategic -p ")
          .append(
              Shell.quote("{\"spec\":{\"template\":{\"spec\":{\"" + list + "\":[" + json + "]}}}}"))
          .append("\n# or in its manifest (")
          .append(w.describe())
          .append("):\n")
          .append("spec:\n  template:\n    spec:\n      ")
          .append(list)
          .append(":\n");
      yamlContainer(snippet, "      ", wc.spec().name(), q);
    } else {
      snippet
          .append("# ")
          .append(w.describe())
          .append(": a pod's resources cannot be changed in place; set them in what creates it\n")
          .append("spec:\n  ")
          .append(list)
          .append(":\n");
      yamlContainer(snippet, "  ", wc.spec().name(), q);
    }
    return new Fix(
        Layer.CONTAINER_LIMIT,
        action,
        Optional.of(snippet.toString()),
        Optional.of(
            new LimitChange(
                wc.describe(), LimitChange.Knob.MEMORY, wc.spec().limitBytes(), newBytes)));
  }

  private static void yamlContainer(StringBuilder s, String indent, String name, String q) {
    s.append(indent)
        .append("- name: ")
        .append(yamlText(name))
        .append('\n')
        .append(indent)
        .append("  resources:\n")
        .append(indent)
        .append("    limits:\n")
        .append(indent)
        .append("      memory: ")
        .append(q)
        .append('\n');
  }

  /** A name as a JSON string's content. */
  static String jsonText(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /** A name as a YAML scalar: plain when it is a DNS label, else double-quoted. */
  static String yamlText(String s) {
    return s.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?") ? s : "\"" + jsonText(s) + "\"";
  }

  /** Names of the objects, at most {@code max}, then how many more. */
  static String some(List<String> names, int max) {
    if (names.size() <= max) {
      return String.join(", ", names);
    }
    return String.join(", ", names.subList(0, max)) + " and " + (names.size() - max) + " more";
  }
}
