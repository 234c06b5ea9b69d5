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
import dev.oomlens.core.model.Victim;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.RuleInfo;
import dev.oomlens.core.rules.RuleInfo.Watch;
import dev.oomlens.core.rules.Sizes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/*
 * tmpfs (a Kubernetes emptyDir with medium: Memory, /dev/shm, a tmpfs /tmp) and POSIX/SysV shared
 * memory live in the page cache as swap-backed "shmem" pages. They belong to files, not to
 * processes: killing a process frees its anonymous memory, never a tmpfs file's pages, which stay
 * charged to the cgroup that first touched them until the file is deleted (an emptyDir: until the
 * pod goes). Without swap they cannot leave RAM at all. So when shmem dominates a cgroup, the OOM
 * killer kills in vain and the next allocation hits the limit again.
 *
 * Dominant: at least 40% of what was charged (the memcg usage, or the host's RAM) and no less
 * than any other part (anon, page cache proper, kernel memory). The victim's own shmem-rss (a
 * process mapping a large shared segment) counts as the same evidence when it alone is 40% of the
 * charge.
 */

/** SHMEM-TMPFS: tmpfs or shared memory filled the cgroup (or the host); killing cannot free it. */
public final class ShmemTmpfsAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
              "SHMEM-TMPFS",
              "tmpfs or shared memory filled the memory; killing processes does not free it",
              Severity.HIGH,
              RuleInfo.Scope.WORKLOAD,
              Layer.APPLICATION,
              Layer.CONTAINER_LIMIT,
              Layer.KERNEL_SWAP,
              Layer.NODE,
              Layer.POD_SPEC)
          .watching(
              Watch.metric(
                  "Shared memory and tmpfs on the host",
                  "node_memory_Shmem_bytes{instance}",
                  "flat; tmpfs is freed by deleting files, not by killing"));

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
    if (ob.isEmpty()) {
      return Optional.empty();
    }
    ChargeBreakdown b = ob.get();
    long charged = b.chargedBytes();
    long shmem = b.shmemBytes().orElse(0);
    long anon = b.anonBytes().orElse(0);
    long cache = b.pageCacheBytes().orElse(0);
    long kernel = b.kernelBytes().orElse(0);
    long victimShmem = victimShmemBytes(r);
    boolean statDominant = b.dominates(shmem);
    boolean victimDominant = charged > 0 && victimShmem >= ChargeBreakdown.DOMINANT_SHARE * charged;
    if (!statDominant && !victimDominant) {
      return Optional.empty();
    }
    long tmpfs = Math.max(shmem, victimShmem);
    long limit = b.limitBytes().orElse(charged);
    long nonTmpfs = Math.max(0, charged - tmpfs);
    String cgroup = r.oomMemcg().or(() -> b.memcg().statCgroup()).orElse("the cgroup");

    StringBuilder why = new StringBuilder();
    why.append("The memory cgroup ")
        .append(cgroup)
        .append(" was charged ")
        .append(human(charged))
        .append(" at the OOM (limit ")
        .append(human(limit))
        .append("). Of that, ");
    if (statDominant) {
      why.append("shmem (tmpfs files, /dev/shm, shared memory) was ")
          .append(human(shmem))
          .append(" = ")
          .append(wholePercent(shmem, charged))
          .append(", anon ")
          .append(human(anon))
          .append(" (")
          .append(wholePercent(anon, charged))
          .append("), page cache ")
          .append(human(cache))
          .append(", kernel ")
          .append(human(kernel))
          .append(" (from the ")
          .append(b.formatName())
          .append("). ");
    } else {
      why.append("the victim alone mapped ")
          .append(human(victimShmem))
          .append(" of shared memory (shmem-rss) = ")
          .append(wholePercent(victimShmem, charged))
          .append(". ");
    }
    r.victim().ifPresent(v -> why.append(victimSentence(v)));
    why.append(
        "tmpfs pages belong to files, not to processes: they stay charged until the files "
            + "are deleted (a memory-backed emptyDir lives as long as the pod), so the next "
            + "allocation hits the limit again.");

    List<SourceLine> ev = new ArrayList<>(b.cite("shmem", "anon", "file"));
    r.victim().ifPresent(v -> ev.add(v.source()));

    List<Fix> fixes = new ArrayList<>();
    long sizeLimit = limit - nonTmpfs * 5 / 4;
    if (sizeLimit >= Sizes.MIB) {
      fixes.add(
          new Fix(
              Layer.POD_SPEC,
              "Cap the memory-backed emptyDir so the files fail with "
                  + "ENOSPC (or the pod is evicted) before the cgroup runs out: sizeLimit = limit "
                  + human(limit)
                  + " - 1.25 x the "
                  + human(nonTmpfs)
                  + " the rest used = "
                  + Math.floorDiv(sizeLimit, Sizes.MIB)
                  + "Mi (rounded down).",
              Optional.of(emptyDir(Math.floorDiv(sizeLimit, Sizes.MIB)))));
    }
    fixes.add(
        new Fix(
            Layer.POD_SPEC,
            "Or keep the files on disk: an emptyDir without "
                + "medium: Memory (or a PVC) puts them in ordinary page cache, which the kernel can write "
                + "back and drop instead of killing.",
            Optional.of("volumes:\n" + "  - name: scratch\n" + "    emptyDir: {}")));
    fixes.add(
        new Fix(
            Layer.APPLICATION,
            "Delete what the application leaves in tmpfs "
                + "(/dev/shm, a tmpfs /tmp, the emptyDir): find the files that hold the "
                + human(tmpfs)
                + ".",
            Optional.of(
                "kubectl exec <pod> -c <container> -- sh -c "
                    + "'df -h -t tmpfs; du -xsh /dev/shm/* /tmp/* 2>/dev/null | sort -h | tail'")));
    // Raising the limit gives the files more room as well as the processes: only with the
    // emptyDir capped too, the one size every rule gives for this limit.
    LimitPolicy.advise(evidence, r).ifPresent(a -> fixes.add(a.fix()));

    Confidence conf = statDominant ? Confidence.HIGH : Confidence.MEDIUM;
    String summary =
        "tmpfs/shared memory held "
            + human(tmpfs)
            + " ("
            + wholePercent(tmpfs, charged)
            + ") of "
            + cgroup
            + " at its OOM; killing processes does not free it";
    return Optional.of(
        new Finding(
            INFO.code(),
            Severity.HIGH,
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
    long shmem = h.bytesOr0("shmem");
    long victimShmem = victimShmemBytes(r);
    boolean statDominant = shmem >= ChargeBreakdown.DOMINANT_SHARE * ram;
    boolean victimDominant = victimShmem >= ChargeBreakdown.DOMINANT_SHARE * ram;
    if (!statDominant && !victimDominant) {
      return Optional.empty();
    }
    long tmpfs = Math.max(shmem, victimShmem);
    StringBuilder why = new StringBuilder();
    why.append("The host ran out with ")
        .append(human(shmem))
        .append(" of shmem (tmpfs, " + "/dev/shm, shared memory) = ")
        .append(wholePercent(shmem, ram))
        .append(" of its ")
        .append(human(ram))
        .append(" of RAM (Mem-Info shmem:")
        .append(shmem / r.pageSizeBytes())
        .append(" pages). ");
    if (victimDominant) {
      why.append("The victim itself mapped ")
          .append(human(victimShmem))
          .append(" of it (shmem-rss). ");
    }
    r.victim().ifPresent(v -> why.append(victimSentence(v)));
    if (h.memory().totalSwapBytes().orElse(-1) == 0) {
      why.append("With no swap (Total swap = 0kB) shmem pages cannot leave RAM at all. ");
    }
    why.append("tmpfs pages stay in memory until their files are deleted, whoever is killed.");
    List<SourceLine> ev = new ArrayList<>(h.cite("shmem"));
    h.ramLine().ifPresent(ev::add);
    r.victim().ifPresent(v -> ev.add(v.source()));
    List<Fix> fixes =
        List.of(
            new Fix(
                Layer.APPLICATION,
                "Find and delete the files that hold the "
                    + human(tmpfs)
                    + " in tmpfs, and the shared-memory segments nobody uses.",
                Optional.of(
                    "df -h -t tmpfs\ndu -xsh /dev/shm/* /tmp/* /run/* 2>/dev/null "
                        + "| sort -h | tail\nipcs -m")),
            new Fix(
                Layer.NODE,
                "Give every tmpfs mount a size that leaves the processes room: "
                    + "a tmpfs is unlimited memory until its size= says otherwise (the default is half "
                    + "of RAM, "
                    + human(ram / 2)
                    + " here, per mount).",
                Optional.of(
                    "# /etc/fstab\ntmpfs  /tmp  tmpfs  size="
                        + Sizes.ceilMib(ram / 8)
                        + "M,mode=1777  0 0\n# now:\nmount -o remount,size="
                        + Sizes.ceilMib(ram / 8)
                        + "M /tmp")),
            new Fix(
                Layer.KERNEL_SWAP,
                "Add swap (zram is enough): shmem is swap-backed, so with swap "
                    + "the kernel can page idle tmpfs files out instead of killing.",
                Optional.of(
                    "# zram-generator: /etc/systemd/zram-generator.conf\n[zram0]\n"
                        + "zram-size = ram / 2\n# NixOS\nzramSwap.enable = true;")));
    String summary =
        "tmpfs/shared memory held "
            + human(tmpfs)
            + " ("
            + wholePercent(tmpfs, ram)
            + " of RAM) when the host ran out; killing processes does not free it";
    return Optional.of(
        new Finding(
            INFO.code(),
            Severity.HIGH,
            statDominant ? Confidence.HIGH : Confidence.MEDIUM,
            summary,
            why.toString(),
            SourceLines.distinct(ev),
            fixes));
  }

  private static long victimShmemBytes(OomReport r) {
    return r.victim().map(v -> v.shmemRssBytes().orElse(0)).orElse(0L);
  }

  private static String victimSentence(Victim v) {
    return "Killing "
        + v.comm()
        + " (pid "
        + v.pid()
        + ") freed its "
        + human(v.anonRssBytes().orElse(0))
        + " of anon memory; its shmem-rss was "
        + human(v.shmemRssBytes().orElse(0))
        + ". ";
  }

  private static String emptyDir(long sizeLimitMib) {
    return "volumes:\n"
        + "  - name: scratch\n"
        + "    emptyDir:\n"
        + "      medium: Memory\n"
        + "      sizeLimit: "
        + sizeLimitMib
        + "Mi";
  }
}
