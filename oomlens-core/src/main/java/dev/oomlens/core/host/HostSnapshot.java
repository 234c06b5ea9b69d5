package dev.oomlens.core.host;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.model.Problem;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a machine's /proc and /sys said about memory at one moment.
 *
 * @param meminfo {@code /proc/meminfo}, values in kB
 * @param vmstat {@code /proc/vmstat} counters (oom_kill, pswpin, pswpout, workingset_refault_*...)
 * @param memoryPressure {@code /proc/pressure/memory}; empty where PSI is off
 * @param zswapEnabled {@code /sys/module/zswap/parameters/enabled}
 * @param virtioBalloon true when the virtio_balloon driver is bound (a balloon can take memory
 *     away)
 * @param configuredVmMemoryBytes the VM size the user says it was given ({@code --vm-memory}), to
 *     compare with MemTotal
 * @param problems files that were there but could not be read, with the line at fault
 */
public record HostSnapshot(
    Optional<String> hostname,
    Optional<String> kernelRelease,
    Optional<KeyedValues> meminfo,
    Optional<KeyedValues> vmstat,
    Optional<PressureStall> memoryPressure,
    List<SwapDevice> swaps,
    List<ZramDevice> zram,
    Optional<Boolean> zswapEnabled,
    Optional<Boolean> virtioBalloon,
    OptionalLong configuredVmMemoryBytes,
    List<CgroupMemory> cgroups,
    List<Problem> problems) {
  public HostSnapshot {
    requireNonNull(hostname, "hostname");
    requireNonNull(kernelRelease, "kernelRelease");
    requireNonNull(meminfo, "meminfo");
    requireNonNull(vmstat, "vmstat");
    requireNonNull(memoryPressure, "memoryPressure");
    swaps = List.copyOf(swaps);
    zram = List.copyOf(zram);
    requireNonNull(zswapEnabled, "zswapEnabled");
    requireNonNull(virtioBalloon, "virtioBalloon");
    requireNonNull(configuredVmMemoryBytes, "configuredVmMemoryBytes");
    cgroups = List.copyOf(cgroups);
    problems = List.copyOf(problems);
  }
}
