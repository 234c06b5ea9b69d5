package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.core.host.PressureStall;
import dev.oomlens.core.model.Citation;
import dev.oomlens.core.model.HostMemory;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.FreeMemory;
import dev.oomlens.core.rules.Incident;
import dev.oomlens.core.rules.ReportFacts;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BiFunction;

/*
 * NO-SWAP and SWAP-EXHAUSTED judge the same fact, swap at a host-wide kill, from the report's
 * show_mem lines ("Total swap = %ldkB", "Free swap  = %ldkB"), else from the host as it is now
 * when that can only have been the same (no swap now and no device: none then either). Swap
 * present now says nothing about how full it was at the kill.
 */

/**
 * Swap as it stood at a host-wide kill.
 *
 * @param fromReport read from the report's lines, not inferred from the host now
 */
record SwapAtKill(long totalKb, long freeKb, boolean fromReport, List<Citation> cited) {
  /** Swap counts as used up when at most this share of it (2 %) was free at the kill. */
  static final double EXHAUSTED_FREE_SHARE = 0.02;

  SwapAtKill {
    cited = List.copyOf(cited);
  }

  boolean none() {
    return totalKb == 0;
  }

  boolean exhausted() {
    return totalKb > 0 && freeKb <= totalKb * EXHAUSTED_FREE_SHARE;
  }

  long usedKb() {
    return totalKb - Math.min(freeKb, totalKb);
  }

  /** A shortage swap could have absorbed: global, not forced by SysRq, not fragmentation. */
  private static boolean isHostShortage(OomReport r) {
    return ReportFacts.isGlobal(r) && !ReportFacts.isManual(r) && !FreeMemory.showsFragmentation(r);
  }

  /**
   * The first finding {@code judge} makes for a host-wide shortage of each incident (each report
   * alone when the evidence has no incidents); forced (SysRq) and fragmentation OOMs were not a
   * shortage swap could have absorbed.
   */
  static List<Finding> firstPerIncident(
      EvidenceSet evidence, BiFunction<OomReport, List<OomReport>, Optional<Finding>> judge) {
    List<List<OomReport>> groups =
        evidence.incidents().isEmpty()
            ? evidence.reports().stream().map(List::of).toList()
            : evidence.incidents().stream().map(Incident::reports).toList();
    List<Finding> out = new ArrayList<>();
    for (List<OomReport> group : groups) {
      group.stream()
          .filter(SwapAtKill::isHostShortage)
          .map(r -> judge.apply(r, group))
          .flatMap(Optional::stream)
          .findFirst()
          .ifPresent(out::add);
    }
    return out;
  }

  static Optional<SwapAtKill> of(OomReport r, Optional<HostSnapshot> host) {
    Optional<HostMemory> hm = r.hostMemory();
    if (hm.isPresent() && hm.get().totalSwapBytes().isPresent()) {
      // In kB, as /proc/meminfo and /proc/swaps give the same facts on a live host.
      long total = hm.get().totalSwapBytes().getAsLong() / 1024;
      OptionalLong freeBytes = hm.get().freeSwapBytes();
      long free =
          freeBytes.isPresent() ? freeBytes.getAsLong() / 1024 : total == 0 ? 0 : Long.MAX_VALUE;
      List<Citation> cited = new ArrayList<>();
      hm.get().totalSwapSource().ifPresent(cited::add);
      hm.get().freeSwapSource().ifPresent(cited::add);
      return Optional.of(new SwapAtKill(total, free, true, cited));
    }
    OptionalLong swapTotal = HostFacts.meminfoKb(host, "SwapTotal");
    boolean noDevices = host.map(h -> h.swaps().isEmpty()).orElse(false);
    if (swapTotal.isPresent() && swapTotal.getAsLong() == 0 && noDevices) {
      List<Citation> cited = new ArrayList<>();
      HostFacts.meminfoValue(host, "SwapTotal").ifPresent(cited::add);
      return Optional.of(new SwapAtKill(0, 0, false, cited));
    }
    return Optional.empty();
  }

  /** PSI around the kill, when tasks stalled on memory: reclaim was working hard. */
  static void stall(PressureStall p, StringBuilder why, List<Citation> cited) {
    double some = Math.max(p.some().avg10(), p.some().avg60());
    if (some >= ThrashingAnalyzer.SUSTAINED_SOME) {
      why.append(" PSI shows tasks stalled on memory (some avg10 ")
          .append(HostFacts.psi(p.some().avg10()))
          .append(", avg60 ")
          .append(HostFacts.psi(p.some().avg60()))
          .append("): the host was reclaiming page cache hard around the kill (see THRASHING).");
      cited.add(p.some().cite());
    }
  }
}
