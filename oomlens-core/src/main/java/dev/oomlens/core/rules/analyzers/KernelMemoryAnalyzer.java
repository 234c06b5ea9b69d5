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
import dev.oomlens.core.model.TaskRow;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.ReportFacts;
import dev.oomlens.core.rules.RuleInfo;
import dev.oomlens.core.rules.RuleInfo.Watch;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/*
 * Kernel memory made on behalf of a cgroup's tasks is charged to it (slab objects such as
 * dentries, inodes and socket buffers, kernel stacks, page tables); killing a process frees its
 * stacks and page tables but not the slab objects it left behind (a dentry or conntrack flood).
 *
 * memcg: v2 "kernel" (or slab + kernel_stack + pagetables + sec_pagetables + percpu + sock +
 * vmalloc), v1 the kmem counter. Dominant = at least 40% of the usage and no less than anon,
 * page cache or shmem. Kernel stacks are 16 KiB per thread on x86_64 and arm64, so kernel_stack
 * tells how many threads the cgroup ran.
 *
 * global: slab_unreclaimable + pagetables of Mem-Info at 40% of RAM, or the kernel's own verdict:
 * it prints "Unreclaimable slab info:" only when unreclaimable slab exceeds all user LRU pages
 * (mm/oom_kill.c is_dump_unreclaim_slabs).
 */

/** KERNEL-MEMORY: slab, kernel stacks or page tables filled the cgroup (or the host). */
public final class KernelMemoryAnalyzer implements Analyzer {
  private static final long THREAD_STACK_BYTES = 16 * 1024;
  private static final RuleInfo INFO =
      RuleInfo.of(
              "KERNEL-MEMORY",
              "Kernel memory (slab, stacks, page tables, sockets) filled the memory",
              Severity.HIGH,
              RuleInfo.Scope.WORKLOAD,
              Layer.APPLICATION,
              Layer.CONTAINER_LIMIT,
              Layer.NODE)
          .watching(
              Watch.metric(
                  "Unreclaimable kernel memory (slab, page tables)",
                  "node_memory_SUnreclaim_bytes{instance} + node_memory_PageTables_bytes{instance}",
                  "flat; growth is a kernel-side leak or a table explosion"));

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    return Episodes.firstFindingPerEpisode(
        evidence, r -> r.scope().orElse(null) == OomScope.MEMCG ? memcg(evidence, r) : host(r));
  }

  private Optional<Finding> memcg(EvidenceSet evidence, OomReport r) {
    Optional<ChargeBreakdown> ob = ChargeBreakdown.of(r);
    if (ob.isEmpty() || ob.get().kernelBytes().isEmpty()) {
      return Optional.empty();
    }
    ChargeBreakdown b = ob.get();
    long charged = b.chargedBytes();
    long kernel = b.kernelBytes().getAsLong();
    long anon = b.anonBytes().orElse(0);
    long cache = b.pageCacheBytes().orElse(0);
    if (!b.dominates(kernel)) {
      return Optional.empty();
    }
    String cgroup = r.oomMemcg().or(() -> b.memcg().statCgroup()).orElse("the cgroup");
    Map<String, Long> parts = b.kernelParts();
    StringBuilder why = new StringBuilder();
    why.append("The memory cgroup ")
        .append(cgroup)
        .append(" was charged ")
        .append(human(charged))
        .append(" when it ran out, and ")
        .append(human(kernel))
        .append(" of it = ")
        .append(wholePercent(kernel, charged))
        .append(" was kernel memory");
    if (b.isV2Keys()) {
      List<String> p = new ArrayList<>();
      parts.entrySet().stream()
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
          .forEach(e -> p.add(e.getKey() + " " + human(e.getValue())));
      if (!p.isEmpty()) {
        why.append(" (").append(String.join(", ", p)).append(")");
      }
    } else {
      why.append(" (the v1 kmem counter)");
    }
    why.append(", against ")
        .append(human(anon))
        .append(" of anon memory and ")
        .append(human(cache))
        .append(" of page cache. ");
    String top =
        parts.entrySet().stream()
            .max(Map.Entry.comparingByValue())
            .map(Map.Entry::getKey)
            .orElse("kmem");
    long stacks = parts.getOrDefault("kernel_stack", 0L);
    if (stacks > 0) {
      why.append("kernel_stack ")
          .append(human(stacks))
          .append(" / 16 KiB per thread = about ")
          .append(stacks / THREAD_STACK_BYTES)
          .append(" threads. ");
    }
    why.append(explain(top));
    List<String> keys = new ArrayList<>(List.of("kmem", "anon", "file"));
    keys.addAll(parts.keySet());
    if (b.get("kernel").isPresent()) {
      keys.add("kernel");
    }
    if (b.get("slab_unreclaimable").isPresent()) {
      keys.add("slab_unreclaimable");
    }
    List<SourceLine> ev = new ArrayList<>(b.cite(keys.toArray(String[]::new)));
    r.victim().ifPresent(v -> ev.add(v.source()));

    List<Fix> fixes = new ArrayList<>();
    fixes.add(new Fix(Layer.APPLICATION, fixFor(top, stacks), Optional.of(snippetFor(top))));
    // If this kernel memory is the workload's normal need, the limit must hold it: the one size
    // every rule gives for this limit counts it, since it is part of what the cgroup held.
    LimitPolicy.advise(evidence, r).ifPresent(a -> fixes.add(a.fix()));
    String summary =
        "Kernel memory (mostly "
            + top
            + ") was "
            + human(kernel)
            + " ("
            + wholePercent(kernel, charged)
            + ") of "
            + cgroup
            + " when it hit its limit";
    return Optional.of(
        new Finding(
            INFO.code(),
            Severity.HIGH,
            b.isV2Keys() ? Confidence.HIGH : Confidence.MEDIUM,
            summary,
            why.toString(),
            SourceLines.distinct(ev),
            fixes));
  }

  private Optional<Finding> host(OomReport r) {
    Optional<HostBreakdown> oh = HostBreakdown.of(r);
    if (oh.isEmpty() || oh.get().ramBytes().isEmpty()) {
      return Optional.empty();
    }
    HostBreakdown h = oh.get();
    long ram = h.ramBytes().getAsLong();
    long unreclaimable = h.bytesOr0("slab_unreclaimable");
    long pagetables = h.bytesOr0("pagetables");
    long kernel = unreclaimable + pagetables;
    List<HostMemory.SlabEntry> slabs = h.memory().unreclaimableSlab();
    boolean kernelSaysSo = !slabs.isEmpty();
    if (!kernelSaysSo && kernel < ChargeBreakdown.DOMINANT_SHARE * ram) {
      return Optional.empty();
    }
    long taskPgtables = 0;
    for (TaskRow t : r.tasks()) {
      taskPgtables += t.pgtablesBytes().orElse(t.nrPtesBytes().orElse(0));
    }
    List<HostMemory.SlabEntry> top =
        slabs.stream()
            .sorted(Comparator.comparingLong(HostMemory.SlabEntry::totalBytes).reversed())
            .limit(5)
            .toList();
    StringBuilder why = new StringBuilder();
    why.append("The host ran out with ")
        .append(human(unreclaimable))
        .append(" of unreclaimable slab and ")
        .append(human(pagetables))
        .append(" of page tables = ")
        .append(wholePercent(kernel, ram))
        .append(" of its ")
        .append(human(ram))
        .append(" of RAM. ");
    if (kernelSaysSo) {
      why.append(
          "The kernel printed its unreclaimable slab caches, which it does only when "
              + "they hold more than all user-space LRU pages together; the largest: ");
      List<String> names = new ArrayList<>();
      top.forEach(s -> names.add(s.name() + " " + human(s.totalBytes())));
      why.append(String.join(", ", names)).append(". ");
    }
    if (taskPgtables > 0) {
      why.append("The task table's page tables add up to ")
          .append(human(taskPgtables))
          .append(". ");
    }
    why.append(
        "Killing a process frees its page tables and stacks, not slab objects it left "
            + "behind.");
    List<SourceLine> ev = new ArrayList<>(h.cite("slab_unreclaimable", "pagetables"));
    h.ramLine().ifPresent(ev::add);
    top.forEach(s -> ev.add(s.source()));
    r.victim().ifPresent(v -> ev.add(v.source()));
    String topName =
        top.isEmpty() ? (pagetables > unreclaimable ? "pagetables" : "slab") : top.get(0).name();
    // Page tables are per process, not a slab cache: slabtop would show nothing of them.
    boolean tables = top.isEmpty() && pagetables > unreclaimable;
    Optional<TaskRow> widest =
        r.tasks().stream()
            .max(
                Comparator.comparingLong(t -> t.pgtablesBytes().orElse(t.nrPtesBytes().orElse(0))));
    Fix find =
        tables
            ? new Fix(
                Layer.NODE,
                "Find the processes whose page tables grew (VmPTE in their status)"
                    + widest
                        .map(
                            t ->
                                "; in the task table the largest was "
                                    + ReportFacts.name(t)
                                    + " with "
                                    + human(t.pgtablesBytes().orElse(t.nrPtesBytes().orElse(0))))
                        .orElse("")
                    + ": many processes mapping the same large region, or huge sparse"
                    + " mappings.",
                Optional.of("grep VmPTE /proc/[0-9]*/status | sort -k2 -n | tail"))
            : new Fix(
                Layer.NODE,
                "Find the cache that grows and what allocates it (a driver, "
                    + "conntrack, dentries of a file-churning job, sockets): watch it over time; a "
                    + "steadily growing kmalloc-* cache is a kernel or driver leak to report upstream or "
                    + "fix with a kernel update.",
                Optional.of(
                    "slabtop -o -s c | head -15\n"
                        + "grep -E '^("
                        + topName.replaceAll("[^A-Za-z0-9_-]", ".")
                        + ") ' /proc/slabinfo"));
    List<Fix> fixes =
        List.of(
            find,
            new Fix(
                Layer.APPLICATION,
                fixFor(
                    topName.startsWith("TCP") || topName.startsWith("sock")
                        ? "sock"
                        : tables ? "pagetables" : "slab",
                    0),
                Optional.empty()));
    return Optional.of(
        new Finding(
            INFO.code(),
            Severity.HIGH,
            kernelSaysSo ? Confidence.HIGH : Confidence.MEDIUM,
            "Kernel memory ("
                + topName
                + " first) held "
                + human(kernel)
                + " ("
                + wholePercent(kernel, ram)
                + " of RAM) when the host ran out",
            why.toString(),
            SourceLines.distinct(ev),
            fixes));
  }

  private static String explain(String part) {
    return switch (part) {
      case "sock" ->
          "Socket buffers are charged to the cgroup on v2: many connections or slow "
              + "readers leave data queued in the kernel.";
      case "pagetables", "sec_pagetables" ->
          "Page tables grow with mapped address space: huge "
              + "sparse mappings or many processes mapping the same large region each pay for their "
              + "own tables.";
      case "kernel_stack" -> "Each thread costs a kernel stack: a thread leak shows here first.";
      case "percpu", "vmalloc" ->
          "Per-CPU and vmalloc memory comes from kernel objects the "
              + "workload creates (cgroups, BPF maps, network namespaces).";
      default ->
          "Slab is kernel objects made for the workload (dentries and inodes of files it "
              + "touched, socket and filesystem structures); the unreclaimable part cannot be dropped "
              + "under pressure.";
    };
  }

  private static String fixFor(String part, long stackBytes) {
    return switch (part) {
      case "sock" ->
          "Bound the connections and their buffers: pool and close connections, read "
              + "sockets promptly, cap net.ipv4.tcp_rmem/tcp_wmem for this workload.";
      case "pagetables", "sec_pagetables" ->
          "Shrink the mapped address space: map large files "
              + "in windows instead of whole, use huge pages for very large heaps, or share one "
              + "mapping across fewer processes.";
      case "kernel_stack" ->
          "Bound the thread count (about "
              + stackBytes / THREAD_STACK_BYTES
              + " threads ran): fix a thread leak or cap the thread pools.";
      default ->
          "Find what makes the kernel objects: files created and deleted in bulk "
              + "(dentries, inodes), sockets, or a kernel bug; see which slab caches grow.";
    };
  }

  private static String snippetFor(String part) {
    return switch (part) {
      case "kernel_stack" -> "ps -eLf | awk '{print $2}' | sort | uniq -c | sort -n | tail";
      case "sock" -> "ss -s\nss -tanp | awk '{print $1}' | sort | uniq -c";
      case "pagetables", "sec_pagetables" -> "grep -E 'VmPTE|VmSize' /proc/<pid>/status";
      default -> "slabtop -o -s c | head -15";
    };
  }
}
