package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.calc.KubevirtOverhead;
import dev.oomlens.core.calc.KubevirtOverhead.Version;
import dev.oomlens.core.cluster.ClusterPod;
import dev.oomlens.core.cluster.ClusterState;
import dev.oomlens.core.cluster.ContainerSpec;
import dev.oomlens.core.cluster.VirtualMachine;
import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.Citation;
import dev.oomlens.core.rules.Sizes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/*
 * A VMI's virt-launcher pod must hold the guest's memory plus KubeVirt's overhead (page tables,
 * the launcher's helpers and qemu, vCPU tables, graphics) times the overhead ratio in effect
 * (KubevirtOverhead, seed 001's matrix). A compute container whose limit leaves less is killed by
 * its own cgroup once the helpers grow, although the guest never used more than it was given.
 * KubeVirt's version, which sets the fixed part, comes from the launcher's image tag; the ratio
 * from KubeVirt's CR or Harvester's setting when the input holds one, else 1 (KubeVirt's
 * default), and the finding says which.
 */

/** The {@code KUBEVIRT-OVERHEAD} findings about VMIs whose launcher limit is too small. */
final class LauncherLimits {
  private static final Pattern TAG = Pattern.compile(":v?(\\d+)\\.(\\d+)");

  private LauncherLimits() {}

  static List<Finding> findings(List<ClusterState> clusters, String code) {
    List<Finding> out = new ArrayList<>();
    for (ClusterState cluster : clusters) {
      for (VirtualMachine vm : cluster.virtualMachines()) {
        String prefix = "virt-launcher-" + vm.ref().name() + "-";
        for (ClusterPod p : cluster.pods()) {
          if (p.template()
              || !p.ref().name().startsWith(prefix)
              || !p.ref().namespace().equals(vm.ref().namespace())) {
            continue;
          }
          p.container("compute", false)
              .filter(c -> c.limitBytes().isPresent())
              .flatMap(c -> finding(vm, p, c, code))
              .ifPresent(out::add);
        }
      }
    }
    return out;
  }

  /** KubeVirt's version from the launcher's image tag; empty when it does not say. */
  static Optional<Version> version(ContainerSpec compute) {
    Matcher m = TAG.matcher(compute.image().orElse(""));
    if (!m.find()) {
      return Optional.empty();
    }
    int major = Integer.parseInt(m.group(1));
    int minor = Integer.parseInt(m.group(2));
    if (major == 0) {
      return Optional.of(minor < 59 ? Version.V0_50 : Version.V0_59_TO_1_4);
    }
    return Optional.of(
        minor <= 4 ? Version.V0_59_TO_1_4 : minor <= 9 ? Version.V1_5_TO_1_9 : Version.MAIN);
  }

  private static Optional<Finding> finding(
      VirtualMachine vm, ClusterPod pod, ContainerSpec compute, String code) {
    Optional<Version> tagged = version(compute);
    Version version = tagged.orElse(Version.V1_5_TO_1_9);
    double ratio = vm.ratio().orElse(1.0);
    long overhead =
        KubevirtOverhead.overheadBytes(
            KubevirtOverhead.Vm.basic(vm.guestBytes(), vm.vcpus(), version, vm.graphics()), ratio);
    long needed = vm.guestBytes() + overhead;
    long limit = compute.limitBytes().getAsLong();
    if (limit >= needed) {
      return Optional.empty();
    }
    List<Citation> cited =
        List.of(
            pod.ref().field(compute.limitPath(), Sizes.quantityMi(limit)),
            vm.ref().field("spec.domain.memory.guest", Sizes.quantityMi(vm.guestBytes())));
    String why =
        "VMI "
            + vm.ref().namespace().orElse("")
            + "/"
            + vm.ref().name()
            + " gives its"
            + " guest "
            + Sizes.quantityMi(vm.guestBytes())
            + " with "
            + vm.vcpus()
            + (vm.vcpus() == 1 ? " vCPU" : " vCPUs")
            + "; KubeVirt "
            + version.label()
            + (tagged.isPresent()
                ? " (from the launcher's image tag)"
                : " (assumed: the launcher's" + " image tag does not say)")
            + " needs "
            + Sizes.quantityMi(overhead)
            + " of overhead for it at ratio "
            + ratio
            + " ("
            + vm.ratioSource().orElse("no ratio" + " setting in the input: KubeVirt's default")
            + "), so the launcher needs "
            + Sizes.quantityMi(needed)
            + ". Its compute container is limited to "
            + Sizes.quantityMi(limit)
            + ": "
            + Sizes.quantityMi(needed - limit)
            + " short. When the"
            + " launcher's helpers and qemu grow into the overhead they were not given, the pod's"
            + " own cgroup kills qemu and the VM with it.";
    return Optional.of(
        new Finding(
            code,
            Severity.HIGH,
            Confidence.MEDIUM,
            "VMI "
                + vm.ref().name()
                + ": its launcher's "
                + Sizes.quantityMi(limit)
                + " limit is "
                + Sizes.quantityMi(needed - limit)
                + " short of guest plus KubeVirt's overhead ("
                + Sizes.quantityMi(needed)
                + ")",
            why,
            cited,
            List.of(
                new Fix(
                    Layer.HYPERVISOR,
                    "Let KubeVirt add the overhead it needs (do not override the launcher's"
                        + " resources), or raise the overhead ratio so the launcher gets "
                        + Sizes.quantityMi(needed)
                        + "; see oomlens kubevirt for the breakdown.",
                    Optional.of(
                        "oomlens kubevirt --memory "
                            + Sizes.quantityMi(vm.guestBytes())
                            + " --vcpus "
                            + vm.vcpus())))));
  }
}
