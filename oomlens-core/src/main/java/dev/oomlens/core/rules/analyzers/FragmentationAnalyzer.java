package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.HostMemory.ZoneMemory;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.FreeMemory;
import dev.oomlens.core.rules.Incident;
import dev.oomlens.core.rules.ReportFacts;
import dev.oomlens.core.rules.RuleInfo;
import dev.oomlens.core.rules.RuleInfo.Watch;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/*
 * An order-N allocation needs 2^N contiguous free pages. With order > 0, plenty of free memory
 * (more than twice the zones' high watermarks) and no free block of 2^N pages in the buddy lists,
 * memory was there but in pieces: compaction could not assemble a block in time. Order-2/3 kernel
 * allocations (fork's kernel stack on older kernels, network buffers, some drivers) are the usual
 * victims. The fix is at the kernel: more free reserve (min_free_kbytes), earlier kswapd
 * (watermark_scale_factor), proactive compaction.
 */

/** {@code FRAGMENTATION}: a high-order allocation failed although plenty of memory was free. */
public final class FragmentationAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
              "FRAGMENTATION",
              "A high-order allocation failed with plenty of memory free: fragmentation",
              Severity.HIGH,
              RuleInfo.Scope.HOST,
              Layer.KERNEL_SWAP)
          .watching(
              Watch.metric(
                  "Free blocks per order (node_exporter --collector.buddyinfo)",
                  "node_buddyinfo_blocks{instance}",
                  "orders 3 and up never reach 0"));

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    List<Finding> out = new ArrayList<>();
    for (Incident incident : evidence.incidents()) {
      for (OomReport r : incident.reports()) {
        if (ReportFacts.isGlobal(r)
            && !ReportFacts.isManual(r)
            && FreeMemory.showsFragmentation(r)) {
          out.add(finding(r));
          break;
        }
      }
    }
    return out;
  }

  private static Finding finding(OomReport r) {
    int order = r.order().orElseThrow();
    long blockKb = (r.pageSizeBytes() << order) / 1024;
    FreeMemory free = FreeMemory.of(r).orElseThrow();
    List<SourceLine> cited = new ArrayList<>();
    ReportFacts.triggerLine(r).ifPresent(cited::add);
    ReportFacts.killLine(r).ifPresent(cited::add);
    free.zones().forEach(z -> cited.add(z.source()));
    StringBuilder why =
        new StringBuilder("The failed allocation was order ")
            .append(order)
            .append(" (")
            .append(blockKb)
            .append(" kB contiguous) by ")
            .append(r.trigger().map(t -> t.comm()).orElse("?"))
            .append(". The zones it could use held ")
            .append(free.usableFreeBytes() / 1024)
            .append(" kB free, more than twice their high watermarks (");
    free.sum(ZoneMemory::highBytes).ifPresent(h -> why.append(h / 1024).append(" kB"));
    why.append(").");
    if (!free.buddy().isEmpty()) {
      why.append(" Largest free blocks:");
      for (FreeMemory.Buddy b : free.buddy()) {
        why.append(' ')
            .append(b.zone())
            .append(" (node ")
            .append(b.node())
            .append(") ")
            .append(b.largestFreeBlockBytes() / 1024)
            .append(" kB;");
        cited.add(b.source());
      }
      why.append(" none of ").append(blockKb).append(" kB: the memory was free but in pieces.");
    } else {
      why.append(" The buddy lists are not in the input; the free amount alone says memory was")
          .append(" not short.");
    }
    long minKb = free.sum(ZoneMemory::minBytes).orElse(0) / 1024;
    String minLine =
        minKb > 0
            ? "vm.min_free_kbytes = "
                + minKb * 2
                + "   # 2 x the zones' min watermarks ("
                + minKb
                + " kB now)\n"
            : "vm.min_free_kbytes = <2 x current>\n";
    return new Finding(
        INFO.code(),
        Severity.HIGH,
        free.buddy().isEmpty() ? Confidence.MEDIUM : Confidence.HIGH,
        "An order-"
            + order
            + " allocation failed with "
            + free.usableFreeBytes() / 1024
            + " kB free: memory was fragmented, not exhausted",
        why.toString(),
        ReportFacts.sorted(cited),
        List.of(
            new Fix(
                Layer.KERNEL_SWAP,
                "Keep a larger free reserve and wake kswapd earlier so compaction has room;"
                    + " compact now to recover.",
                Optional.of(
                    "# /etc/sysctl.d/90-fragmentation.conf\n"
                        + minLine
                        + "vm.watermark_scale_factor = 200\n"
                        + "vm.compaction_proactiveness = 40   # 5.9+\n"
                        + "# now: echo 1 > /proc/sys/vm/compact_memory\n"))));
  }
}
