package dev.oomlens.core.calc;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/*
 * KubeVirt's virt-launcher memory overhead, read from kubevirt/kubevirt:
 * pkg/hypervisor/kvm/hypervisorbackend.go GetMemoryOverhead (main, v1.8-v1.9),
 * pkg/virt-controller/services/renderresources.go GetMemoryOverhead (v0.59-v1.7), constants in
 * template.go, pod math in WithMemoryOverhead:
 *
 *   overhead = R/512                      guest page tables (R = memory request, rounded up to kB)
 *            + fixed                      per-process RSS of the launcher's helpers and qemu
 *            + 8Mi * vcpus + 8Mi          vCPU tables and one IOThread
 *            + 32Mi if a graphics device is attached (16Mi in v0.50)
 *            + 128Mi on arm64 (UEFI pflash), + 1Gi with any VFIO device,
 *            + 53Mi TPM, + 256Mi SEV, + 100Mi dedicated CPUs or guaranteed QoS,
 *            + 10Mi per exec probe and 100Mi once if there is any
 *   overhead *= additionalGuestMemoryOverheadRatio     (applied last)
 *   pod limit = memory limit + overhead
 *
 * Not modelled: passt (+250Mi after the ratio), network binding plugins, downward-metrics disks
 * (1Mi) and main's reservedOverhead.addedOverhead.
 *
 * Harvester (harvester/docs settings.md additional-guest-memory-overhead-ratio, create-vm.md
 * Reserved Memory; harvester#6438): the ratio defaults to "1.5"; "0" is the legacy mode, where
 * the overhead is not scaled and 100Mi of the VM's memory is reserved unless the user set another
 * amount. Reserved memory is carved out of the VM's memory (the guest sees less), it does not
 * raise the pod limit:
 *
 *   pod limit      = VM memory + overhead * ratio
 *   guest memory   = VM memory - reserved
 *   total overhead = overhead * ratio + reserved
 */

/**
 * KubeVirt's virt-launcher pod memory overhead by version, and how Harvester's overhead ratio and
 * reserved memory turn a VM's memory into the guest's memory and the pod's limit.
 */
public final class KubevirtOverhead {
  private static final long MIB = 1024L * 1024;

  /** Harvester's default {@code additional-guest-memory-overhead-ratio}. */
  public static final double HARVESTER_DEFAULT_RATIO = 1.5;

  /** Reserved memory Harvester's legacy mode (ratio "0") takes when the user set none. */
  public static final long HARVESTER_LEGACY_RESERVED_BYTES = 100 * MIB;

  private KubevirtOverhead() {}

  /** KubeVirt releases whose fixed per-process overhead differs. */
  public enum Version {
    /** v0.50: one flat 138Mi for all processes; graphics 16Mi. */
    V0_50("v0.50", 138, 138, 16),
    /** v0.59 to v1.4: launcher-monitor 25, launcher 100, virtlogd 20, virtqemud 35, qemu 30. */
    V0_59_TO_1_4("v0.59-v1.4", 210, 180, 32),
    /** v1.5 to v1.9: launcher-monitor 25, launcher 100, virtlogd 25, virtqemud 40, qemu 30. */
    V1_5_TO_1_9("v1.5-v1.9", 220, 190, 32),
    /** After v1.9: as v1.5-v1.9 with qemu at 50. */
    MAIN("main", 240, 190, 32);

    private final String label;
    private final long fixedMib;
    private final long helpersMib;
    private final long graphicsMib;

    Version(String label, long fixedMib, long helpersMib, long graphicsMib) {
      this.label = label;
      this.fixedMib = fixedMib;
      this.helpersMib = helpersMib;
      this.graphicsMib = graphicsMib;
    }

    public String label() {
      return label;
    }

    /** The fixed per-process part of the overhead: helpers and qemu. */
    public long fixedBytes() {
      return fixedMib * MIB;
    }

    /**
     * The part of the fixed overhead meant for the helpers (virt-launcher-monitor, virt-launcher,
     * virtlogd, virtqemud), qemu excluded. v0.50 budgets all processes as one.
     */
    public long helpersBytes() {
      return helpersMib * MIB;
    }

    public long graphicsBytes() {
      return graphicsMib * MIB;
    }
  }

  /**
   * The VM properties the overhead depends on.
   *
   * @param memoryRequestBytes {@code spec.domain.resources.requests.memory} (or the guest memory)
   * @param vcpus sockets x cores x threads, else the CPU limit or request; at least 1
   * @param graphics true unless {@code autoattachGraphicsDevice} is false
   * @param execProbes exec liveness and readiness probes
   * @param dedicatedOrGuaranteed dedicated CPU placement or guaranteed QoS requested
   */
  public record Vm(
      long memoryRequestBytes,
      int vcpus,
      Version version,
      boolean graphics,
      boolean arm64,
      boolean vfio,
      boolean tpm,
      boolean sev,
      boolean dedicatedOrGuaranteed,
      int execProbes) {
    public Vm {
      requireNonNull(version, "version");
      if (memoryRequestBytes <= 0) {
        throw new IllegalArgumentException("memoryRequestBytes=" + memoryRequestBytes);
      }
      if (vcpus < 1) {
        throw new IllegalArgumentException("vcpus=" + vcpus);
      }
      if (execProbes < 0) {
        throw new IllegalArgumentException("execProbes=" + execProbes);
      }
    }

    /** An amd64 VM with nothing but memory, vCPUs and (optionally) graphics. */
    public static Vm basic(long memoryRequestBytes, int vcpus, Version version, boolean graphics) {
      return new Vm(
          memoryRequestBytes, vcpus, version, graphics, false, false, false, false, false, 0);
    }
  }

  /** KubeVirt's overhead for this VM before any ratio is applied (ratio 1.0). */
  public static long overheadBytes(Vm vm) {
    long requestKb = Math.ceilDiv(vm.memoryRequestBytes(), 1024L);
    long overhead = requestKb * 1024 / 512;
    overhead += vm.version().fixedBytes();
    overhead += 8 * MIB * vm.vcpus() + 8 * MIB;
    if (vm.graphics()) {
      overhead += vm.version().graphicsBytes();
    }
    if (vm.arm64()) {
      overhead += 128 * MIB;
    }
    if (vm.vfio()) {
      overhead += 1024 * MIB;
    }
    if (vm.tpm()) {
      overhead += 53 * MIB;
    }
    if (vm.sev()) {
      overhead += 256 * MIB;
    }
    if (vm.dedicatedOrGuaranteed()) {
      overhead += 100 * MIB;
    }
    if (vm.execProbes() > 0) {
      overhead += 10 * MIB * vm.execProbes() + 100 * MIB;
    }
    return overhead;
  }

  /** KubeVirt's overhead scaled by {@code additionalGuestMemoryOverheadRatio}. */
  public static long overheadBytes(Vm vm, double ratio) {
    if (ratio <= 0) {
      throw new IllegalArgumentException("ratio=" + ratio);
    }
    return scale(overheadBytes(vm), ratio);
  }

  /**
   * A Harvester {@code additional-guest-memory-overhead-ratio} value: "" is the default 1.5, "0"
   * (or "0.0") the legacy mode, anything else must lie in 1.0..10.0.
   *
   * @return the ratio, 0 for the legacy mode
   * @throws IllegalArgumentException for a value Harvester rejects
   */
  public static double parseHarvesterRatio(String value) {
    requireNonNull(value, "value");
    String v = value.strip();
    if (v.isEmpty()) {
      return HARVESTER_DEFAULT_RATIO;
    }
    double ratio;
    try {
      ratio = Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a number: " + value);
    }
    if (ratio == 0) {
      return 0;
    }
    if (!(ratio >= 1.0 && ratio <= 10.0)) {
      throw new IllegalArgumentException("ratio must be 0 or 1.0..10.0: " + value);
    }
    return ratio;
  }

  /**
   * What Harvester makes of a VM's memory.
   *
   * @param guestBytes what the guest OS sees: VM memory minus reserved memory
   * @param podLimitBytes the virt-launcher pod's memory limit: VM memory plus overhead x ratio
   * @param totalOverheadBytes everything not given to the guest: overhead x ratio + reserved
   * @param reservedBytes the reserved memory in effect (legacy mode's 100Mi when none was set)
   * @param legacy true for ratio "0"
   */
  public record HarvesterLayout(
      long vmMemoryBytes,
      long guestBytes,
      long podLimitBytes,
      long scaledOverheadBytes,
      long reservedBytes,
      long totalOverheadBytes,
      boolean legacy) {}

  /**
   * Lays out a Harvester VM's memory.
   *
   * @param baseOverheadBytes KubeVirt's overhead at ratio 1.0 ({@link #overheadBytes(Vm)})
   * @param reservedBytes the VM's Reserved Memory, empty when not configured
   * @param ratio the {@code additional-guest-memory-overhead-ratio} setting as written
   */
  public static HarvesterLayout harvester(
      long vmMemoryBytes, long baseOverheadBytes, OptionalLong reservedBytes, String ratio) {
    requireNonNull(reservedBytes, "reservedBytes");
    if (vmMemoryBytes <= 0 || baseOverheadBytes < 0) {
      throw new IllegalArgumentException(
          "vmMemoryBytes=" + vmMemoryBytes + " baseOverheadBytes=" + baseOverheadBytes);
    }
    double r = parseHarvesterRatio(ratio);
    boolean legacy = r == 0;
    long scaled = legacy ? baseOverheadBytes : scale(baseOverheadBytes, r);
    long reserved = reservedBytes.orElse(legacy ? HARVESTER_LEGACY_RESERVED_BYTES : 0);
    if (reserved < 0 || reserved >= vmMemoryBytes) {
      throw new IllegalArgumentException("reservedBytes=" + reserved);
    }
    return new HarvesterLayout(
        vmMemoryBytes,
        vmMemoryBytes - reserved,
        vmMemoryBytes + scaled,
        scaled,
        reserved,
        scaled + reserved,
        legacy);
  }

  /**
   * The smallest Harvester ratio (one decimal, at least 1.0) whose scaled overhead covers {@code
   * neededBytes}; empty when even 10.0 does not.
   */
  public static OptionalDouble ratioCovering(long baseOverheadBytes, long neededBytes) {
    if (baseOverheadBytes <= 0) {
      throw new IllegalArgumentException("baseOverheadBytes=" + baseOverheadBytes);
    }
    BigDecimal ratio =
        BigDecimal.valueOf(neededBytes)
            .divide(BigDecimal.valueOf(baseOverheadBytes), 1, RoundingMode.CEILING)
            .max(BigDecimal.ONE);
    while (scale(baseOverheadBytes, ratio.doubleValue()) < neededBytes) {
      ratio = ratio.add(new BigDecimal("0.1"));
    }
    if (ratio.compareTo(BigDecimal.TEN) > 0) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(ratio.doubleValue());
  }

  private static long scale(long bytes, double ratio) {
    return BigDecimal.valueOf(bytes)
        .multiply(BigDecimal.valueOf(ratio))
        .setScale(0, RoundingMode.CEILING)
        .longValueExact();
  }
}
