package dev.oomlens.core.rules;

import dev.oomlens.core.rules.analyzers.BallooningAnalyzer;
import dev.oomlens.core.rules.analyzers.CacheHeavyAnalyzer;
import dev.oomlens.core.rules.analyzers.CpusetMempolicyAnalyzer;
import dev.oomlens.core.rules.analyzers.FragmentationAnalyzer;
import dev.oomlens.core.rules.analyzers.GroupKillAnalyzer;
import dev.oomlens.core.rules.analyzers.HostExhaustedAnalyzer;
import dev.oomlens.core.rules.analyzers.HugepagesAnalyzer;
import dev.oomlens.core.rules.analyzers.JvmAnalyzer;
import dev.oomlens.core.rules.analyzers.KernelMemoryAnalyzer;
import dev.oomlens.core.rules.analyzers.KubevirtOverheadAnalyzer;
import dev.oomlens.core.rules.analyzers.LeakAnalyzer;
import dev.oomlens.core.rules.analyzers.MemcgLimitAnalyzer;
import dev.oomlens.core.rules.analyzers.NearLimitAnalyzer;
import dev.oomlens.core.rules.analyzers.NoSwapAnalyzer;
import dev.oomlens.core.rules.analyzers.NodeAllocatableAnalyzer;
import dev.oomlens.core.rules.analyzers.NotOomAnalyzer;
import dev.oomlens.core.rules.analyzers.NothingKillableAnalyzer;
import dev.oomlens.core.rules.analyzers.OversizedAnalyzer;
import dev.oomlens.core.rules.analyzers.PageCacheAnalyzer;
import dev.oomlens.core.rules.analyzers.PanicOnOomAnalyzer;
import dev.oomlens.core.rules.analyzers.QosOrderAnalyzer;
import dev.oomlens.core.rules.analyzers.RepeatedOomAnalyzer;
import dev.oomlens.core.rules.analyzers.SawtoothAnalyzer;
import dev.oomlens.core.rules.analyzers.ShmemTmpfsAnalyzer;
import dev.oomlens.core.rules.analyzers.SpikeAnalyzer;
import dev.oomlens.core.rules.analyzers.SwapExhaustedAnalyzer;
import dev.oomlens.core.rules.analyzers.SysrqManualAnalyzer;
import dev.oomlens.core.rules.analyzers.ThrashingAnalyzer;
import dev.oomlens.core.rules.analyzers.TightLimitAnalyzer;
import dev.oomlens.core.rules.analyzers.UserspaceKillAnalyzer;
import dev.oomlens.core.rules.analyzers.VictimNotGrowerAnalyzer;
import dev.oomlens.core.rules.cluster.DeadNodeAnalyzer;
import dev.oomlens.core.rules.cluster.EvictedAnalyzer;
import dev.oomlens.core.rules.cluster.FluxBlockedAnalyzer;
import dev.oomlens.core.rules.cluster.JvmHeapVsLimitAnalyzer;
import dev.oomlens.core.rules.cluster.NoHeadroomAnalyzer;
import dev.oomlens.core.rules.cluster.NoLimitAnalyzer;
import dev.oomlens.core.rules.cluster.NodeOvercommitAnalyzer;
import dev.oomlens.core.rules.cluster.OomKilledAnalyzer;
import dev.oomlens.core.rules.cluster.PriorityClassReservedAnalyzer;
import dev.oomlens.core.rules.cluster.SidecarNoLimitAnalyzer;
import dev.oomlens.core.rules.cluster.SystemOomAnalyzer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The analyzers the engine runs: an explicit list, so adding a rule is one visible line here and
 * nothing is found by classpath scanning.
 */
public final class RuleRegistry {
  private static final Map<String, RuleInfo> INFOS = infos();

  private RuleRegistry() {}

  /** What the rule with {@code code} is; empty for codes no registered rule has. */
  public static Optional<RuleInfo> info(String code) {
    return Optional.ofNullable(INFOS.get(code));
  }

  private static Map<String, RuleInfo> infos() {
    Map<String, RuleInfo> out = new LinkedHashMap<>();
    for (Analyzer a : all()) {
      out.put(a.info().code(), a.info());
    }
    return Map.copyOf(out);
  }

  /** Every analyzer, one per root cause. */
  public static List<Analyzer> all() {
    return List.of(
        // keep-sorted start
        new BallooningAnalyzer(),
        new CacheHeavyAnalyzer(),
        new CpusetMempolicyAnalyzer(),
        new DeadNodeAnalyzer(),
        new EvictedAnalyzer(),
        new FluxBlockedAnalyzer(),
        new FragmentationAnalyzer(),
        new GroupKillAnalyzer(),
        new HostExhaustedAnalyzer(),
        new HugepagesAnalyzer(),
        new JvmAnalyzer(),
        new JvmHeapVsLimitAnalyzer(),
        new KernelMemoryAnalyzer(),
        new KubevirtOverheadAnalyzer(),
        new LeakAnalyzer(),
        new MemcgLimitAnalyzer(),
        new NearLimitAnalyzer(),
        new NoHeadroomAnalyzer(),
        new NoLimitAnalyzer(),
        new NoSwapAnalyzer(),
        new NodeAllocatableAnalyzer(),
        new NodeOvercommitAnalyzer(),
        new NotOomAnalyzer(),
        new NothingKillableAnalyzer(),
        new OomKilledAnalyzer(),
        new OversizedAnalyzer(),
        new PageCacheAnalyzer(),
        new PanicOnOomAnalyzer(),
        new PriorityClassReservedAnalyzer(),
        new QosOrderAnalyzer(),
        new RepeatedOomAnalyzer(),
        new SawtoothAnalyzer(),
        new ShmemTmpfsAnalyzer(),
        new SidecarNoLimitAnalyzer(),
        new SpikeAnalyzer(),
        new SwapExhaustedAnalyzer(),
        new SysrqManualAnalyzer(),
        new SystemOomAnalyzer(),
        new ThrashingAnalyzer(),
        new TightLimitAnalyzer(),
        new UserspaceKillAnalyzer(),
        new VictimNotGrowerAnalyzer()
        // keep-sorted end
        );
  }
}
