package dev.oomlens.core.rules.analyzers;

import static dev.oomlens.core.rules.Sizes.human;
import static dev.oomlens.core.rules.Sizes.wholePercent;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.HostMemory;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.OomScope;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.RuleInfo;
import dev.oomlens.core.rules.RuleInfo.Watch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/*
 * Persistent huge pages (vm.nr_hugepages, hugepages= on the kernel command line) are taken out
 * of the page allocator when they are reserved: they count in "pages RAM" but no ordinary
 * allocation can use them, used or not. show_mem prints one line per node and size,
 * "Node N hugepages_total=T hugepages_free=F hugepages_surp=S hugepages_size=KkB", so
 * sum(T x K) against "pages RAM" says how much of the machine was out of reach of the OOM'ing
 * allocation; the free count says how much of that was reserved for nothing.
 *
 * Fires on a global (or cpuset/mempolicy) OOM when the pool is at least 25% of RAM, and on a
 * memcg OOM whose stats charge hugetlb pages (v2 "hugetlb", with memory_hugetlb_accounting) at
 * 40% of the usage or more.
 */

/** HUGEPAGES: reserved huge pages took a large share of RAM away from ordinary allocations. */
public final class HugepagesAnalyzer implements Analyzer {
  static final double POOL_SHARE = 0.25;
  static final double MEMCG_SHARE = 0.40;
  private static final RuleInfo INFO =
      RuleInfo.of(
              "HUGEPAGES",
              "Reserved huge pages left too little memory for everything else",
              Severity.HIGH,
              RuleInfo.Scope.WORKLOAD,
              Layer.CONTAINER_LIMIT,
              Layer.NODE,
              Layer.POD_SPEC)
          .watching(
              Watch.metric(
                  "Huge pages reserved but unused",
                  "node_memory_HugePages_Free{instance} * node_memory_Hugepagesize_bytes{instance}",
                  "near 0: a reserved pool is lost to everything else"));

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    return Episodes.firstFindingPerEpisode(
        evidence, r -> r.scope().orElse(null) == OomScope.MEMCG ? memcg(evidence, r) : host(r));
  }

  private Optional<Finding> host(OomReport r) {
    Optional<HostBreakdown> oh = HostBreakdown.of(r);
    if (oh.isEmpty() || oh.get().ramBytes().isEmpty()) {
      return Optional.empty();
    }
    HostBreakdown h = oh.get();
    long ram = h.ramBytes().getAsLong();
    long pool = 0;
    long free = 0;
    Map<Long, long[]> bySize = new LinkedHashMap<>();
    List<SourceLine> poolLines = new ArrayList<>();
    for (HostMemory.Hugepages hp : h.memory().hugepages()) {
      pool += hp.total() * hp.sizeBytes();
      free += hp.free() * hp.sizeBytes();
      long[] acc = bySize.computeIfAbsent(hp.sizeBytes() / 1024, k -> new long[2]);
      acc[0] += hp.total();
      acc[1] += hp.free();
      if (hp.total() > 0) {
        poolLines.add(hp.source());
      }
    }
    if (pool < POOL_SHARE * ram) {
      return Optional.empty();
    }
    StringBuilder why = new StringBuilder();
    why.append("Huge pages reserved ")
        .append(human(pool))
        .append(" = ")
        .append(wholePercent(pool, ram))
        .append(" of the ")
        .append(human(ram))
        .append(" of RAM (");
    List<String> sizes = new ArrayList<>();
    bySize.forEach(
        (kb, acc) -> {
          if (acc[0] > 0) {
            sizes.add(acc[0] + " x " + human(kb * 1024) + ", " + acc[1] + " free");
          }
        });
    why.append(String.join("; ", sizes))
        .append(
            "). Reserved huge pages are out of reach of "
                + "ordinary allocations, used or not, so everything else had only ")
        .append(human(ram - pool))
        .append(". ");
    if (free > 0) {
      why.append(human(free))
          .append(" (")
          .append(wholePercent(free, pool))
          .append(") of the pool was free: reserved and never used. ");
    }
    List<SourceLine> ev = new ArrayList<>(poolLines);
    h.ramLine().ifPresent(ev::add);
    ev.add(h.memory().source());
    r.victim().ifPresent(v -> ev.add(v.source()));
    long used = pool - free;
    long keepPages = 0;
    long largestKb = 0;
    for (Map.Entry<Long, long[]> e : bySize.entrySet()) {
      if (e.getValue()[0] > 0 && e.getKey() > largestKb) {
        largestKb = e.getKey();
        keepPages = e.getValue()[0] - e.getValue()[1];
      }
    }
    String sysctl =
        largestKb == 2048
            ? "sysctl -w vm.nr_hugepages="
                + keepPages
                + "\n"
                + "echo 'vm.nr_hugepages = "
                + keepPages
                + "' > /etc/sysctl.d/90-hugepages.conf"
            : "echo "
                + keepPages
                + " > /sys/kernel/mm/hugepages/hugepages-"
                + largestKb
                + "kB/nr_hugepages\n# boot: hugepagesz="
                + (largestKb >= 1048576 ? "1G" : largestKb + "K")
                + " hugepages="
                + keepPages;
    List<Fix> fixes =
        List.of(
            new Fix(
                Layer.NODE,
                "Shrink the pool to what is used: "
                    + human(used)
                    + " of huge pages "
                    + "were in use, which gives "
                    + human(pool - used)
                    + " back to ordinary memory.",
                Optional.of(sysctl)),
            new Fix(
                Layer.POD_SPEC,
                "In Kubernetes, let only the pods that map huge pages ask for "
                    + "them, with a hugepages-<size> request equal to the limit; size the node's pool from "
                    + "the sum of those requests.",
                Optional.of(
                    "resources:\n"
                        + "  limits:\n"
                        + "    hugepages-2Mi: \"1Gi\"\n"
                        + "    memory: \"2Gi\"\n"
                        + "  requests:\n"
                        + "    hugepages-2Mi: \"1Gi\"\n"
                        + "    memory: \"2Gi\"")));
    return Optional.of(
        new Finding(
            INFO.code(),
            Severity.HIGH,
            free * 2 >= pool ? Confidence.HIGH : Confidence.MEDIUM,
            "Huge pages reserved "
                + human(pool)
                + " ("
                + wholePercent(pool, ram)
                + " of RAM) when the "
                + "host ran out; "
                + human(free)
                + " of them free",
            why.toString(),
            SourceLines.distinct(ev),
            fixes));
  }

  private Optional<Finding> memcg(EvidenceSet evidence, OomReport r) {
    Optional<ChargeBreakdown> ob = ChargeBreakdown.of(r);
    if (ob.isEmpty() || ob.get().get("hugetlb").isEmpty()) {
      return Optional.empty();
    }
    ChargeBreakdown b = ob.get();
    long charged = b.chargedBytes();
    long hugetlb = b.get("hugetlb").getAsLong();
    if (charged <= 0 || hugetlb < MEMCG_SHARE * charged) {
      return Optional.empty();
    }
    String cgroup = r.oomMemcg().orElse("the cgroup");
    String why =
        "The memory cgroup "
            + cgroup
            + " was charged "
            + human(charged)
            + ", of which "
            + human(hugetlb)
            + " = "
            + wholePercent(hugetlb, charged)
            + " were huge pages (hugetlb, "
            + "charged to memory because of memory_hugetlb_accounting). Huge pages are never "
            + "reclaimed or swapped: they stay until the mapping goes.";
    List<SourceLine> ev = new ArrayList<>(b.cite("hugetlb", "anon"));
    r.victim().ifPresent(v -> ev.add(v.source()));
    List<Fix> fixes = new ArrayList<>();
    fixes.add(
        new Fix(
            Layer.APPLICATION,
            "Map fewer huge pages: they are charged whole and"
                + " never reclaimed, so the "
                + human(hugetlb)
                + " stay charged while mapped.",
            Optional.empty()));
    LimitPolicy.advise(evidence, r).ifPresent(a -> fixes.add(a.fix()));
    return Optional.of(
        new Finding(
            INFO.code(),
            Severity.HIGH,
            Confidence.HIGH,
            "Huge pages were "
                + human(hugetlb)
                + " ("
                + wholePercent(hugetlb, charged)
                + ") of "
                + cgroup
                + " when it hit its limit",
            why,
            SourceLines.distinct(ev),
            fixes));
  }
}
