package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.Constraint;
import dev.oomlens.core.model.HostMemory;
import dev.oomlens.core.model.HostMemory.ZoneMemory;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.model.TaskRow;
import dev.oomlens.core.model.Workload;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.FreeMemory;
import dev.oomlens.core.rules.Incident;
import dev.oomlens.core.rules.ReportFacts;
import dev.oomlens.core.rules.RuleInfo;
import dev.oomlens.core.rules.Sizes;
import dev.oomlens.core.rules.TaskGrowth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/*
 * A global OOM (constraint CONSTRAINT_NONE, or the pre-4.19 shape: Mem-Info and "Out of memory:")
 * that nobody forced (order -1 / moom_callback is SYSRQ-MANUAL) and that is not a high-order
 * allocation failing with plenty free (FRAGMENTATION). What filled RAM is read from the Mem-Info
 * counters: anon (active+inactive, which includes shmem: tmpfs pages sit on the anon LRU), file,
 * shmem, slab, page tables, each as a share of RAM.
 */

/** {@code HOST-EXHAUSTED}: the whole machine (or VM) ran out of memory. */
public final class HostExhaustedAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
          "HOST-EXHAUSTED",
          "The whole host ran out of memory (global OOM)",
          Severity.CRITICAL,
          RuleInfo.Scope.HOST,
          Layer.APPLICATION,
          Layer.CONTAINER_LIMIT,
          Layer.KERNEL_SWAP);

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    List<Finding> out = new ArrayList<>();
    for (Incident incident : evidence.incidents()) {
      List<OomReport> hits =
          incident.reports().stream()
              .filter(ReportFacts::isGlobal)
              .filter(r -> !ReportFacts.isManual(r))
              .filter(r -> !FreeMemory.showsFragmentation(r))
              .toList();
      if (!hits.isEmpty()) {
        out.add(finding(hits));
      }
    }
    return out;
  }

  private static Finding finding(List<OomReport> hits) {
    OomReport r =
        hits.stream().filter(x -> x.hostMemory().isPresent()).findFirst().orElse(hits.getFirst());
    StringBuilder why =
        new StringBuilder("Global OOM (")
            .append(r.constraint().map(Constraint::name).orElse("no cgroup limit in the report"))
            .append(", order ")
            .append(r.order().isPresent() ? r.order().getAsInt() : "?")
            .append(
                "): no cgroup limit was involved, the machine itself had no memory left to give.");
    List<SourceLine> cited = new ArrayList<>();
    String summary = "The host ran out of memory";
    Optional<HostMemory> host = r.hostMemory();
    if (host.isPresent()) {
      HostMemory h = host.get();
      cited.add(h.source());
      FreeMemory free = FreeMemory.of(r).orElseThrow();
      List<ZoneMemory> low = free.belowLow();
      if (!low.isEmpty()) {
        why.append(" Zones under their low watermark: ");
        for (int i = 0; i < low.size(); i++) {
          why.append(i == 0 ? "" : "; ").append(FreeMemory.describe(low.get(i)));
          cited.add(low.get(i).source());
        }
        why.append('.');
      } else {
        why.append(" Free in the zones this allocation could use: ")
            .append(free.usableFreeBytes() / 1024)
            .append(" kB");
        free.sum(ZoneMemory::minBytes)
            .ifPresent(
                m -> why.append(" against min watermarks of ").append(m / 1024).append(" kB"));
        why.append('.');
        free.zones().forEach(z -> cited.add(z.source()));
      }
      if (free.cmaFreeBytes() > 0 && !free.movableAllocation()) {
        why.append(" ")
            .append(free.cmaFreeBytes() / 1024)
            .append(" kB of the free memory was CMA, which")
            .append(" this non-movable allocation cannot use.");
      }
      Map<String, Long> parts = composition(h);
      long ramBytes = h.ramBytes().orElse(0);
      if (ramBytes > 0) {
        why.append(" Of ").append(Sizes.bytes(ramBytes)).append(" RAM: ");
        int i = 0;
        for (Map.Entry<String, Long> e : parts.entrySet()) {
          why.append(i++ == 0 ? "" : ", ")
              .append(e.getKey())
              .append(' ')
              .append(Sizes.bytes(e.getValue()))
              .append(" (")
              .append(Sizes.percent(e.getValue(), ramBytes))
              .append(')');
        }
        why.append('.');
      }
      String dominant =
          parts.entrySet().stream()
              .max(Map.Entry.comparingByValue())
              .map(Map.Entry::getKey)
              .orElse("anon");
      summary += ": " + dominant + " memory filled RAM";
      String swap = swap(h);
      why.append(' ').append(swap);
      if (h.totalSwapBytes().isPresent()) {
        long totalKb = h.totalSwapBytes().getAsLong() / 1024;
        long freeKb = h.freeSwapBytes().isPresent() ? h.freeSwapBytes().getAsLong() / 1024 : 1;
        summary += totalKb == 0 ? ", no swap" : freeKb * 100 < totalKb ? ", swap full" : "";
        h.totalSwapSource().ifPresent(cited::add);
        h.freeSwapSource().ifPresent(cited::add);
      }
    } else {
      why.append(" The report's Mem-Info block is not in the input, so what filled memory is not")
          .append(" known from it.");
    }
    TaskGrowth.Comparison c = TaskGrowth.compare(r);
    c.largest()
        .ifPresent(
            t -> {
              why.append(" Largest task: ")
                  .append(ReportFacts.name(t))
                  .append(" holding ")
                  .append(Sizes.bytes(ReportFacts.heldBytes(t)))
                  .append(" (rss + swap).");
              cited.add(t.source());
            });
    r.victim().ifPresent(v -> why.append(" Killed: ").append(ReportFacts.name(v)).append('.'));
    if (hits.size() > 1) {
      why.append(" The host ran out ").append(hits.size()).append(" times in this incident.");
    }
    ReportFacts.triggerLine(r).ifPresent(cited::add);
    ReportFacts.constraintLine(r).ifPresent(cited::add);
    hits.forEach(h -> ReportFacts.killLine(h).ifPresent(cited::add));
    return new Finding(
        INFO.code(),
        Severity.CRITICAL,
        host.isPresent() ? Confidence.HIGH : Confidence.MEDIUM,
        summary,
        why.toString(),
        ReportFacts.sorted(cited),
        fixes(r, c.largest()));
  }

  /** Bytes per kind of use, largest first: anon without shmem, file, shmem, slab, page tables. */
  static Map<String, Long> composition(HostMemory h) {
    Map<String, Long> c = h.counterBytes();
    long shmem = c.getOrDefault("shmem", 0L);
    long anon =
        c.getOrDefault("active_anon", 0L)
            + c.getOrDefault("inactive_anon", 0L)
            + c.getOrDefault("isolated_anon", 0L);
    Map<String, Long> parts = new LinkedHashMap<>();
    parts.put("anon", Math.max(0, anon - shmem));
    parts.put(
        "file",
        c.getOrDefault("active_file", 0L)
            + c.getOrDefault("inactive_file", 0L)
            + c.getOrDefault("isolated_file", 0L));
    parts.put("shmem", shmem);
    parts.put(
        "slab", c.getOrDefault("slab_reclaimable", 0L) + c.getOrDefault("slab_unreclaimable", 0L));
    parts.put("page tables", c.getOrDefault("pagetables", 0L));
    parts.put("free", c.getOrDefault("free", 0L));
    Map<String, Long> sorted = new LinkedHashMap<>();
    parts.entrySet().stream()
        .filter(e -> !e.getKey().equals("free"))
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> sorted.put(e.getKey(), e.getValue()));
    sorted.put("free", parts.get("free"));
    return sorted;
  }

  private static String swap(HostMemory h) {
    if (h.totalSwapBytes().isEmpty()) {
      return "Swap totals are not in the report.";
    }
    long total = h.totalSwapBytes().getAsLong() / 1024;
    if (total == 0) {
      return "No swap was configured (Total swap = 0kB): nothing could absorb the excess.";
    }
    long free = h.freeSwapBytes().orElse(0) / 1024;
    return "Swap: "
        + free
        + " kB free of "
        + total
        + " kB ("
        + Sizes.percent(total - free, total)
        + " used)"
        + (free * 100 < total ? ": swap was exhausted too." : ".");
  }

  private static List<Fix> fixes(OomReport r, Optional<TaskRow> largest) {
    List<Fix> fixes = new ArrayList<>();
    if (largest.isPresent()) {
      TaskRow t = largest.get();
      long held = ReportFacts.heldBytes(t);
      // The victim's cgroup names the workload when the largest task is the victim; otherwise
      // the task's own cgroup is not in the report, and a systemd unit is the usual home.
      Workload w =
          r.victim()
              .filter(v -> v.pid() == t.pid())
              .map(v -> r.workload())
              .filter(x -> x.kind() != Workload.Kind.OTHER)
              .orElse(
                  new Workload(
                      Workload.Kind.SYSTEMD_UNIT,
                      Optional.empty(),
                      Optional.empty(),
                      Optional.empty(),
                      Optional.empty(),
                      Optional.empty(),
                      Optional.of("<unit running " + t.comm() + ">.service"),
                      false));
      long ram = r.hostMemory().map(h -> h.ramBytes().orElse(0)).orElse(0L);
      long max = ram > 0 ? Math.min(held, ram * 8 / 10) : held;
      String action =
          "Bound the largest consumer, "
              + ReportFacts.name(t)
              + " ("
              + Sizes.bytes(held)
              + "), with a memory limit below the host's memory ("
              + Sizes.quantityMi(max)
              + ": its size, at most 80% of "
              + Sizes.bytes(ram)
              + " RAM), so it is stopped at its own limit instead of taking the host down.";
      fixes.add(
          new Fix(
              Layer.CONTAINER_LIMIT,
              action,
              Optional.of(
                  LimitSnippet.forWorkload(
                      w,
                      w.cgroup().orElse("<its cgroup>"),
                      max,
                      max,
                      OptionalLong.empty(),
                      false,
                      "<" + t.comm() + " command>"))));
    }
    fixes.add(
        new Fix(
            Layer.APPLICATION,
            "Check whether that use is expected: a leak grows from one kill to the next (see LEAK);"
                + " if it is real load, the host needs more memory or fewer workloads.",
            Optional.empty()));
    if (r.hostMemory().filter(h -> h.totalSwapBytes().orElse(-1) == 0).isPresent()) {
      fixes.add(
          new Fix(
              Layer.KERNEL_SWAP,
              "The host has no swap: a compressed swap in RAM (zram) lets a spike slow the host down"
                  + " instead of killing (see NO-SWAP).",
              Optional.empty()));
    }
    return fixes;
  }
}
