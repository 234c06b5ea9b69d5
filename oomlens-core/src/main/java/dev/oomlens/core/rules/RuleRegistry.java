package dev.oomlens.core.rules;

import dev.oomlens.core.rules.analyzers.BallooningAnalyzer;
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
import dev.oomlens.core.rules.analyzers.NoSwapAnalyzer;
import dev.oomlens.core.rules.analyzers.NodeAllocatableAnalyzer;
import dev.oomlens.core.rules.analyzers.NotOomAnalyzer;
import dev.oomlens.core.rules.analyzers.NothingKillableAnalyzer;
import dev.oomlens.core.rules.analyzers.PageCacheAnalyzer;
import dev.oomlens.core.rules.analyzers.PanicOnOomAnalyzer;
import dev.oomlens.core.rules.analyzers.QosOrderAnalyzer;
import dev.oomlens.core.rules.analyzers.RepeatedOomAnalyzer;
import dev.oomlens.core.rules.analyzers.ShmemTmpfsAnalyzer;
import dev.oomlens.core.rules.analyzers.SwapExhaustedAnalyzer;
import dev.oomlens.core.rules.analyzers.SysrqManualAnalyzer;
import dev.oomlens.core.rules.analyzers.ThrashingAnalyzer;
import dev.oomlens.core.rules.analyzers.TightLimitAnalyzer;
import dev.oomlens.core.rules.analyzers.UserspaceKillAnalyzer;
import dev.oomlens.core.rules.analyzers.VictimNotGrowerAnalyzer;
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
        new CpusetMempolicyAnalyzer(),
        new FragmentationAnalyzer(),
        new GroupKillAnalyzer(),
        new HostExhaustedAnalyzer(),
        new HugepagesAnalyzer(),
        new JvmAnalyzer(),
        new KernelMemoryAnalyzer(),
        new KubevirtOverheadAnalyzer(),
        new LeakAnalyzer(),
        new MemcgLimitAnalyzer(),
        new NoSwapAnalyzer(),
        new NodeAllocatableAnalyzer(),
        new NotOomAnalyzer(),
        new NothingKillableAnalyzer(),
        new PageCacheAnalyzer(),
        new PanicOnOomAnalyzer(),
        new QosOrderAnalyzer(),
        new RepeatedOomAnalyzer(),
        new ShmemTmpfsAnalyzer(),
        new SwapExhaustedAnalyzer(),
        new SysrqManualAnalyzer(),
        new ThrashingAnalyzer(),
        new TightLimitAnalyzer(),
        new UserspaceKillAnalyzer(),
        new VictimNotGrowerAnalyzer()
        // keep-sorted end
    );
  }
}
