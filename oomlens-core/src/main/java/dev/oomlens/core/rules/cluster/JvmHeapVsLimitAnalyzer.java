package dev.oomlens.core.rules.cluster;

import dev.oomlens.core.cluster.ClusterState;
import dev.oomlens.core.cluster.ContainerSpec;
import dev.oomlens.core.cluster.WorkloadContainer;
import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.Citation;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.RuleInfo;
import dev.oomlens.core.rules.Sizes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/*
 * The JVM's memory is the heap plus metaspace, code cache, thread stacks, direct buffers, GC and
 * JIT structures: a heap as large as the container's limit leaves nothing for the rest, and the
 * kernel kills the JVM without a Java OutOfMemoryError (seed 004). A heap above 75% of the limit
 * is where that starts for a typical service. Options are read where the JVM reads them, in its
 * order, the last one winning: JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS, then the command line. With
 * no -Xmx and no -XX:MaxRAMPercentage/MaxRAM the heap defaults to a quarter of the limit on a
 * container-aware JVM (JDK 10+, 8u191+), and to a quarter of the node on older ones: said, at low
 * severity, where the container is plainly a JVM (a java command or -X/-XX options).
 */

/** {@code JVM-HEAP-VS-LIMIT}: a JVM's maximum heap leaves too little of its container's limit. */
public final class JvmHeapVsLimitAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
          "JVM-HEAP-VS-LIMIT",
          "A JVM's maximum heap leaves too little of the container's limit for the rest of the JVM",
          Severity.HIGH,
          RuleInfo.Scope.WORKLOAD,
          Layer.JVM,
          Layer.CONTAINER_LIMIT);

  /** A heap above this share of the limit leaves too little for the JVM's other memory. */
  static final double MAX_SHARE = 0.75;

  /** The share of the limit proposed for the heap: 30% left for the rest. */
  static final int PROPOSED_PERCENT = 70;

  private static final Pattern XMX = Pattern.compile("^-Xmx(\\d+)([kKmMgGtT]?)$");

  @Override
  public RuleInfo info() {
    return INFO;
  }

  /** The heap bound the JVM would take from these options, in bytes; empty when none is set. */
  static OptionalLong xmx(List<String> options) {
    OptionalLong out = OptionalLong.empty();
    for (String o : options) {
      Matcher m = XMX.matcher(o);
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        int shift =
            switch (m.group(2).toLowerCase(Locale.ROOT)) {
              case "k" -> 10;
              case "m" -> 20;
              case "g" -> 30;
              case "t" -> 40;
              default -> 0;
            };
        out = OptionalLong.of(n << shift);
      }
    }
    return out;
  }

  /** The JVM's options in the order it reads them. */
  static List<String> options(ContainerSpec c) {
    List<String> out = new ArrayList<>();
    for (String var : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS")) {
      String v = c.env().get(var);
      if (v != null) {
        out.addAll(List.of(v.trim().split("\\s+")));
      }
    }
    for (String a : c.args()) {
      out.addAll(List.of(a.trim().split("\\s+")));
    }
    return out;
  }

  private static boolean isJvm(ContainerSpec c, List<String> options) {
    return options.stream()
        .anyMatch(
            o ->
                o.equals("java")
                    || o.endsWith("/java")
                    || o.startsWith("-XX:")
                    || o.startsWith("-Xm")
                    || o.equals("-jar"));
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    List<Finding> out = new ArrayList<>();
    for (ClusterState cluster : evidence.clusters()) {
      for (WorkloadContainer wc : ClusterFacts.byWorkload(cluster)) {
        ContainerSpec c = wc.spec();
        List<String> options = options(c);
        if (c.limitBytes().isEmpty() || !isJvm(c, options)) {
          continue;
        }
        long limit = c.limitBytes().getAsLong();
        OptionalLong heap = xmx(options);
        boolean ratio =
            options.stream()
                .anyMatch(
                    o ->
                        o.startsWith("-XX:MaxRAMPercentage=")
                            || o.startsWith("-XX:MaxRAM=")
                            || o.startsWith("-XX:MaxRAMFraction="));
        long proposed = limit * PROPOSED_PERCENT / 100 / Sizes.MIB;
        String where =
            c.env().containsKey("JAVA_TOOL_OPTIONS")
                ? "JAVA_TOOL_OPTIONS"
                : c.env().containsKey("JDK_JAVA_OPTIONS") ? "JDK_JAVA_OPTIONS" : "the command line";
        List<Citation> cited = new ArrayList<>();
        cited.add(
            wc.specObject()
                .field(wc.specPath() + ".resources.limits.memory", Sizes.quantityMi(limit)));
        Fix heapFix =
            new Fix(
                Layer.JVM,
                "Let the heap follow the limit with room for the rest:"
                    + " -XX:MaxRAMPercentage="
                    + PROPOSED_PERCENT
                    + " ("
                    + proposed
                    + " MiB of "
                    + Sizes.quantityMi(limit)
                    + ", 30% left for metaspace, code cache, thread stacks and"
                    + " direct buffers), in place of -Xmx.",
                Optional.of(
                    "env:\n- name: JAVA_TOOL_OPTIONS\n"
                        + "  value: \"-XX:MaxRAMPercentage="
                        + PROPOSED_PERCENT
                        + "\"\n"));
        if (heap.isPresent() && heap.getAsLong() > limit * MAX_SHARE) {
          long h = heap.getAsLong();
          cited.add(
              wc.specObject()
                  .field(
                      where.equals("the command line")
                          ? wc.specPath() + ".args"
                          : wc.specPath() + ".env[name=" + where + "].value",
                      "-Xmx" + Sizes.quantityMi(h).replace("Mi", "m")));
          ClusterFacts.Proposal raise = ClusterFacts.proposal(cluster, wc).orElseThrow();
          String why =
              wc.describe()
                  + " runs a JVM with -Xmx "
                  + Sizes.human(h)
                  + " (from "
                  + where
                  + ") in a "
                  + Sizes.quantityMi(limit)
                  + " limit: the heap alone may take "
                  + Sizes.wholePercent(h, limit)
                  + " of it, leaving "
                  + (h >= limit ? "nothing" : Sizes.human(limit - h))
                  + " for metaspace, code cache, thread stacks, direct"
                  + " buffers and the GC. The kernel kills the JVM at the limit before the heap is"
                  + " full, with no Java OutOfMemoryError to say why.";
          out.add(
              new Finding(
                  INFO.code(),
                  h >= limit ? Severity.HIGH : Severity.MEDIUM,
                  Confidence.HIGH,
                  wc.describe()
                      + ": -Xmx "
                      + Sizes.quantityMi(h)
                      + " is "
                      + Sizes.wholePercent(h, limit)
                      + " of its "
                      + Sizes.quantityMi(limit)
                      + " limit",
                  why,
                  cited,
                  List.of(
                      heapFix,
                      ClusterFacts.limitFix(
                          wc,
                          raise.bytes(),
                          "Or keep the heap and raise the limit to "
                              + Sizes.quantityMi(raise.bytes())
                              + " ("
                              + raise.basis()
                              + ")."))));
        } else if (heap.isEmpty() && !ratio) {
          out.add(
              new Finding(
                  INFO.code(),
                  Severity.LOW,
                  Confidence.MEDIUM,
                  wc.describe()
                      + ": a JVM with no heap bound in a "
                      + Sizes.quantityMi(limit)
                      + " limit",
                  wc.describe()
                      + " runs a JVM with neither -Xmx nor -XX:MaxRAMPercentage: a"
                      + " container-aware JVM (JDK 10+, 8u191+) takes a quarter of the limit for"
                      + " its heap, leaving most of it unused; an older one sizes the heap from the"
                      + " node's memory and can grow past the limit.",
                  cited,
                  List.of(heapFix)));
        }
      }
    }
    return out;
  }
}
