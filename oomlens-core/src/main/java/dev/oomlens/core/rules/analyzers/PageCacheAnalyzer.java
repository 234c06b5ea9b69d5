package dev.oomlens.core.rules.analyzers;

import static dev.oomlens.core.rules.Sizes.human;
import static dev.oomlens.core.rules.Sizes.wholePercent;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.OomScope;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.RuleInfo;
import dev.oomlens.core.rules.RuleInfo.Watch;
import dev.oomlens.core.rules.Sizes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/*
 * Page cache is charged to the memory cgroup of the task that read or wrote the file, whatever
 * volume the file sits on, and it counts against the limit. Clean, unmapped cache is the first
 * thing reclaim drops, and the kernel reclaims (many times) before it invokes the OOM killer; so
 * when a cgroup dies with cache still making up most of its charge, that cache could not be
 * dropped in time: dirty pages waiting for writeback (on cgroup v1 the dirty limits are global,
 * so one writer can dirty its whole limit), pages under writeback, or pages mapped by running
 * processes (mmapped data files, executables). Seed 004 pattern D.
 *
 * Fires when page cache proper (file - shmem; tmpfs is SHMEM-TMPFS's) is at least 40% of the
 * charge and no smaller than anon, shmem or kernel memory. For a global OOM the same test is made
 * on the file LRU counters of Mem-Info against the RAM.
 */

/** PAGE-CACHE: file cache made up most of the charge when the cgroup (or host) ran out. */
public final class PageCacheAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
              "PAGE-CACHE",
              "Page cache filled the memory and could not be reclaimed in time",
              Severity.MEDIUM,
              RuleInfo.Scope.WORKLOAD,
              Layer.APPLICATION,
              Layer.CONTAINER_LIMIT,
              Layer.NODE,
              Layer.POD_SPEC)
          .watching(
              Watch.metric(
                  "Dirty page cache waiting for writeback",
                  "node_memory_Dirty_bytes{instance} + node_memory_Writeback_bytes{instance}",
                  "small against RAM"));

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
    if (ob.isEmpty() || ob.get().pageCacheBytes().isEmpty()) {
      return Optional.empty();
    }
    ChargeBreakdown b = ob.get();
    long charged = b.chargedBytes();
    long cache = b.pageCacheBytes().getAsLong();
    long anon = b.anonBytes().orElse(0);
    long shmem = b.shmemBytes().orElse(0);
    if (!b.dominates(cache)) {
      return Optional.empty();
    }
    long dirty = b.dirtyBytes().orElse(0) + b.writebackBytes().orElse(0);
    long mapped = b.mappedBytes().orElse(0);
    long limit = b.limitBytes().orElse(charged);
    String cgroup = r.oomMemcg().or(() -> b.memcg().statCgroup()).orElse("the cgroup");

    StringBuilder why = new StringBuilder();
    why.append("The memory cgroup ")
        .append(cgroup)
        .append(" was charged ")
        .append(human(charged))
        .append(" (limit ")
        .append(human(limit))
        .append(") when it ran out, and ")
        .append(human(cache))
        .append(" of it = ")
        .append(wholePercent(cache, charged))
        .append(" was page cache (file ")
        .append(human(b.fileBytes().orElse(0)))
        .append(" minus shmem ")
        .append(human(shmem))
        .append("), against ")
        .append(human(anon))
        .append(" of anon memory (")
        .append(wholePercent(anon, charged))
        .append("). ")
        .append(
            "The kernel reclaims before it kills, so this cache could not be dropped in "
                + "time: ");
    List<String> reasons = new ArrayList<>();
    if (dirty > 0) {
      reasons.add(
          human(dirty)
              + " dirty or under writeback ("
              + wholePercent(dirty, cache)
              + " of the cache) had to reach the disk first");
    }
    if (mapped > 0) {
      reasons.add(
          human(mapped) + " was mapped by running processes (" + wholePercent(mapped, cache) + ")");
    }
    if (reasons.isEmpty()) {
      reasons.add(
          "no dirty or mapped pages were reported, so reclaim was simply outpaced by "
              + "the allocations");
    }
    why.append(String.join("; ", reasons)).append(". ");
    if (!b.isV2Keys() && dirty > 0) {
      why.append(
          "On cgroup v1 the dirty limits are the host's, not the cgroup's, so a writer "
              + "can dirty its whole limit before it is throttled. ");
    }
    why.append(
        "Page cache is charged to whoever reads or writes the file, whatever volume it "
            + "is on.");
    if (b.isV2Keys()) {
      why.append(
          " With a limit raised, memory.high about 10% below it makes reclaim of the"
              + " cache start before the limit is hit.");
    }

    List<SourceLine> ev =
        new ArrayList<>(b.cite("file", "shmem", "anon", "dirty", "writeback", "mapped"));
    r.victim().ifPresent(v -> ev.add(v.source()));

    List<Fix> fixes = new ArrayList<>();
    fixes.add(
        new Fix(
            Layer.APPLICATION,
            "Stream the file I/O instead of staging whole files, "
                + "and drop pages once written: fsync in batches, then posix_fadvise(DONTNEED), or "
                + "O_DIRECT for large sequential reads and writes.",
            Optional.of(
                "# Python, after writing each chunk\nos.fsync(fd)\n"
                    + "os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)\n"
                    + "# shell copies\ndd if=in of=out bs=4M iflag=direct oflag=direct")));
    fixes.add(
        new Fix(
            Layer.POD_SPEC,
            "Move the heavy file I/O (transcoding, log shipping, "
                + "backups) into its own container or Job with its own limit: the cache is then charged "
                + "there, not to the application's "
                + human(limit)
                + ".",
            Optional.of(
                "containers:\n"
                    + "  - name: file-worker\n"
                    + "    resources:\n"
                    + "      limits:\n"
                    + "        memory: \""
                    + Sizes.quantityMi(cache)
                    + "\"")));
    LimitPolicy.advise(evidence, r).ifPresent(a -> fixes.add(a.fix()));
    if (dirty > 0 && dirty >= cache / 10) {
      long background = Math.max(16 * Sizes.MIB, limit / 8);
      long hard = Math.max(64 * Sizes.MIB, limit / 4);
      fixes.add(
          new Fix(
              Layer.NODE,
              "Start writeback earlier so dirty pages do not pile up: "
                  + "background at 1/8 and throttling at 1/4 of the "
                  + human(limit)
                  + " limit.",
              Optional.of(
                  "sysctl -w vm.dirty_background_bytes="
                      + background
                      + " vm.dirty_bytes="
                      + hard)));
    }
    Confidence conf = dirty > 0 || mapped > 0 ? Confidence.HIGH : Confidence.MEDIUM;
    String summary =
        "Page cache was "
            + human(cache)
            + " ("
            + wholePercent(cache, charged)
            + ") of "
            + cgroup
            + " when it hit its limit; anon only "
            + human(anon);
    return Optional.of(
        new Finding(
            INFO.code(),
            Severity.MEDIUM,
            conf,
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
    long cache = h.bytesOr0("active_file") + h.bytesOr0("inactive_file");
    long anon =
        Math.max(0, h.bytesOr0("active_anon") + h.bytesOr0("inactive_anon") - h.bytesOr0("shmem"));
    long slab = h.bytesOr0("slab_reclaimable") + h.bytesOr0("slab_unreclaimable");
    if (cache < ChargeBreakdown.DOMINANT_SHARE * ram
        || cache < anon
        || cache < h.bytesOr0("shmem")
        || cache < slab) {
      return Optional.empty();
    }
    long dirty = h.bytesOr0("dirty") + h.bytesOr0("writeback");
    long mapped = h.bytesOr0("mapped");
    String why =
        "The host ran out of memory with "
            + human(cache)
            + " of file pages on the LRU "
            + "(active_file + inactive_file) = "
            + wholePercent(cache, ram)
            + " of its "
            + human(ram)
            + " of RAM, against "
            + human(anon)
            + " of anon memory. Of that cache, "
            + human(dirty)
            + " was dirty or under writeback and "
            + human(mapped)
            + " was mapped by processes: "
            + "reclaim could not drop it fast enough.";
    List<SourceLine> ev =
        new ArrayList<>(
            h.cite("active_file", "inactive_file", "active_anon", "dirty", "writeback", "mapped"));
    h.ramLine().ifPresent(ev::add);
    r.victim().ifPresent(v -> ev.add(v.source()));
    long background = Math.max(16 * Sizes.MIB, ram / 100);
    long hard = Math.max(64 * Sizes.MIB, ram / 25);
    List<Fix> fixes =
        List.of(
            new Fix(
                Layer.NODE,
                "Start writeback earlier so dirty pages cannot pile up: background "
                    + "at 1% and throttling at 4% of RAM.",
                Optional.of(
                    "sysctl -w vm.dirty_background_bytes="
                        + background
                        + " vm.dirty_bytes="
                        + hard)),
            new Fix(
                Layer.APPLICATION,
                "Stream the file I/O and drop pages once written "
                    + "(fsync, then posix_fadvise DONTNEED), or use O_DIRECT for large sequential I/O.",
                Optional.empty()));
    return Optional.of(
        new Finding(
            INFO.code(),
            Severity.MEDIUM,
            dirty > 0 || mapped > 0 ? Confidence.MEDIUM : Confidence.LOW,
            "Page cache was "
                + human(cache)
                + " ("
                + wholePercent(cache, ram)
                + " of RAM) when the host "
                + "ran out; anon only "
                + human(anon),
            why,
            SourceLines.distinct(ev),
            fixes));
  }
}
