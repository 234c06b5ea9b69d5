package dev.oomlens.core.host;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.model.Workload;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The memory controller's files of one cgroup, v1 or v2, in bytes. A limit that is not set ({@code
 * max}, or v1's 9223372036854771712) is empty.
 *
 * @param path the cgroup path as the kernel names it ({@code /kubepods.slice/...}), the same form
 *     as a report's {@code oom_memcg}
 * @param limitBytes v2 {@code memory.max}, v1 {@code memory.limit_in_bytes}
 * @param highBytes v2 {@code memory.high}
 * @param peakBytes v2 {@code memory.peak}, v1 {@code memory.max_usage_in_bytes}
 * @param swapLimitBytes v2 {@code memory.swap.max}; v1 {@code memory.memsw.limit_in_bytes} is
 *     memory and swap together and is kept in {@code memswLimitBytes}
 * @param failcnt v1 {@code memory.failcnt}
 * @param stat {@code memory.stat}
 * @param events v2 {@code memory.events} (low high max oom oom_kill oom_group_kill); for v1 the
 *     {@code memory.oom_control} keys (oom_kill_disable under_oom oom_kill)
 * @param oomGroup v2 {@code memory.oom.group}
 */
public record CgroupMemory(
    String path,
    int version,
    OptionalLong limitBytes,
    OptionalLong highBytes,
    OptionalLong currentBytes,
    OptionalLong peakBytes,
    OptionalLong swapLimitBytes,
    OptionalLong swapCurrentBytes,
    OptionalLong memswLimitBytes,
    OptionalLong memswUsageBytes,
    OptionalLong failcnt,
    Optional<KeyedValues> stat,
    Optional<KeyedValues> events,
    Optional<PressureStall> pressure,
    Optional<Boolean> oomGroup,
    Workload workload,
    SourceLine source) {
  public CgroupMemory {
    requireNonNull(path, "path");
    if (version != 1 && version != 2) {
      throw new IllegalArgumentException("version=" + version);
    }
    requireNonNull(limitBytes, "limitBytes");
    requireNonNull(highBytes, "highBytes");
    requireNonNull(currentBytes, "currentBytes");
    requireNonNull(peakBytes, "peakBytes");
    requireNonNull(swapLimitBytes, "swapLimitBytes");
    requireNonNull(swapCurrentBytes, "swapCurrentBytes");
    requireNonNull(memswLimitBytes, "memswLimitBytes");
    requireNonNull(memswUsageBytes, "memswUsageBytes");
    requireNonNull(failcnt, "failcnt");
    requireNonNull(stat, "stat");
    requireNonNull(events, "events");
    requireNonNull(pressure, "pressure");
    requireNonNull(oomGroup, "oomGroup");
    requireNonNull(workload, "workload");
    requireNonNull(source, "source");
  }
}
