package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.core.model.Citation;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.ReportFacts;
import dev.oomlens.core.rules.RuleInfo;
import dev.oomlens.core.rules.RuleInfo.Watch;
import dev.oomlens.core.rules.Sizes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/*
 * A memory balloon (virtio_balloon) lets the hypervisor take pages back from a running guest.
 * Without VIRTIO_BALLOON_F_DEFLATE_ON_OOM the driver removes the pages it inflates from the
 * managed count (adjust_managed_page_count in drivers/virtio/virtio_balloon.c), so MemTotal drops
 * below what the VM was configured with. Kubernetes takes node capacity from MemTotal when the
 * kubelet starts; a balloon that moves afterwards leaves the scheduler placing pods on memory the
 * node no longer has (seed 002: a 4 GB k3s node that really had ~516 Mi).
 *
 * MemTotal is always somewhat below the configured size even without a balloon: the kernel's
 * image, the struct page array (64 bytes per 4 kB page, about 1.6 %), firmware holes and a
 * crashkernel reservation (192-256 MiB on common distributions) are not in it. So the rule fires
 * only when both hold: MemTotal < 90 % of the configured size, and the missing part exceeds what
 * the kernel keeps (2 % of the configured size + 256 MiB). A 512 MiB VM shows MemTotal at 88 %
 * with no balloon at all (61 MiB missing), which the second test keeps silent. It never fires
 * without the balloon driver bound or without a configured size (--vm-memory), and it cannot see
 * a deflate-on-oom balloon, whose pages count as used memory, not as a smaller MemTotal.
 *
 * Kubernetes nodes are read the same way from their capacity (NodeBalloons): against the size the
 * user gave per node, or against the other nodes of their pool.
 */

/** {@code BALLOONING}: a memory balloon took memory from the VM that it was configured with. */
public final class BallooningAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
              "BALLOONING",
              "A memory balloon took memory away from the VM: MemTotal well below its configured size",
              Severity.HIGH,
              RuleInfo.Scope.HOST,
              Layer.HYPERVISOR,
              Layer.NODE)
          .watching(
              Watch.metric(
                  "Changes of MemTotal (a balloon taking memory back)",
                  "changes(node_memory_MemTotal_bytes{instance}[1d])",
                  "0"));

  /** MemTotal below this share (90 %) of the configured size is suspect. */
  public static final double MEMTOTAL_SHARE = 0.90;

  /** The kernel keeps about this share of RAM out of MemTotal (struct pages and more). */
  public static final double KERNEL_SHARE = 0.02;

  /** And about this much more (kernel image, firmware holes, crashkernel). */
  public static final long KERNEL_FIXED_KB = 256 * HostFacts.KIB_PER_MIB;

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    List<Finding> out = new ArrayList<>(host(evidence));
    out.addAll(NodeBalloons.findings(evidence.clusters(), INFO.code()));
    return out;
  }

  private List<Finding> host(EvidenceSet evidence) {
    Optional<HostSnapshot> host = evidence.host();
    if (host.isEmpty()
        || !host.get().virtioBalloon().orElse(false)
        || host.get().configuredVmMemoryBytes().isEmpty()) {
      return List.of();
    }
    OptionalLong memTotal = HostFacts.meminfoKb(host, "MemTotal");
    long configuredKb = host.get().configuredVmMemoryBytes().getAsLong() / 1024;
    if (memTotal.isEmpty() || configuredKb <= 0) {
      return List.of();
    }
    long totalKb = memTotal.getAsLong();
    long missingKb = configuredKb - totalKb;
    long allowanceKb = (long) (configuredKb * KERNEL_SHARE) + KERNEL_FIXED_KB;
    if (totalKb >= configuredKb * MEMTOTAL_SHARE || missingKb <= allowanceKb) {
      return List.of();
    }
    List<Citation> cited = new ArrayList<>();
    HostFacts.meminfoValue(host, "MemTotal").ifPresent(cited::add);
    StringBuilder why =
        new StringBuilder("The VM was configured with ")
            .append(Sizes.kb(configuredKb))
            .append(" (--vm-memory) but MemTotal is ")
            .append(Sizes.kb(totalKb))
            .append(" (")
            .append(Sizes.percent(totalKb, configuredKb))
            .append("): ")
            .append(Sizes.kb(missingKb))
            .append(" missing, more than the ")
            .append(Sizes.kb(allowanceKb))
            .append(
                " the kernel itself keeps out of MemTotal (2%"
                    + " + 256 MiB), and the virtio_balloon driver is bound: the hypervisor's balloon has"
                    + " taken that memory back.");
    OptionalLong available = HostFacts.meminfoKb(host, "MemAvailable");
    if (available.isPresent()) {
      why.append(" MemAvailable is ")
          .append(Sizes.kb(available.getAsLong()))
          .append(" (")
          .append(Sizes.percent(available.getAsLong(), configuredKb))
          .append(" of the configured size).");
      HostFacts.meminfoValue(host, "MemAvailable").ifPresent(cited::add);
    }
    why.append(
        " Anything sized from the configured memory (a Kubernetes node's capacity, taken"
            + " from MemTotal when the kubelet started; JVMs and caches sized at boot) now counts on"
            + " memory the guest does not have.");
    Optional<OomReport> kill =
        evidence.reports().stream()
            .filter(r -> ReportFacts.isGlobal(r) && !ReportFacts.isManual(r))
            .findFirst();
    String summary =
        "A memory balloon took "
            + Sizes.kb(missingKb)
            + " from this VM: MemTotal "
            + Sizes.kb(totalKb)
            + " of "
            + Sizes.kb(configuredKb)
            + " configured";
    if (kill.isPresent()) {
      OomReport r = kill.get();
      why.append(" A host-wide OOM followed (")
          .append(ReportFacts.where(r))
          .append("): the guest" + " ran out of the memory it still had.");
      r.victim().ifPresent(v -> cited.add(v.source()));
    }
    return List.of(
        new Finding(
            INFO.code(),
            kill.isPresent() ? Severity.HIGH : Severity.MEDIUM,
            Confidence.MEDIUM,
            summary,
            why.toString(),
            ReportFacts.sorted(cited),
            fixes(configuredKb, totalKb, missingKb)));
  }

  /** The fixes for a VM configured with {@code configuredKb} whose MemTotal is {@code totalKb}. */
  public static List<Fix> fixes(long configuredKb, long totalKb, long missingKb) {
    long configuredMi = Sizes.ceilMi(configuredKb);
    long reserveMi = Sizes.ceilMi(missingKb);
    List<Fix> fixes = new ArrayList<>();
    fixes.add(
        new Fix(
            Layer.HYPERVISOR,
            "Disable the balloon for this VM (Proxmox: the Ballooning Device checkbox, or balloon: 0)"
                + " and give it the memory it should really have; a node that needs its memory"
                + " should not share it.",
            Optional.of(
                "# Proxmox: qm set <vmid> --memory "
                    + configuredMi
                    + " --balloon 0\n"
                    + "# or in /etc/pve/qemu-server/<vmid>.conf\n"
                    + "memory: "
                    + configuredMi
                    + "\n"
                    + "balloon: 0\n"
                    + "# libvirt (virsh edit <domain>): <memballoon model='none'/>\n")));
    fixes.add(
        new Fix(
            Layer.HYPERVISOR,
            "Or keep ballooning but set its floor to what the guest needs, so the balloon can never"
                + " take it below that (Proxmox balloon: <minimum MiB>; libvirt currentMemory).",
            Optional.of(
                "# Proxmox: qm set <vmid> --memory "
                    + configuredMi
                    + " --balloon "
                    + configuredMi
                    + "\n"
                    + "memory: "
                    + configuredMi
                    + "\n"
                    + "balloon: "
                    + configuredMi
                    + "\n")));
    fixes.add(
        new Fix(
            Layer.NODE,
            "On a Kubernetes node, until the balloon is fixed: reserve the memory the balloon took ("
                + reserveMi
                + " MiB) so allocatable matches what the node has, and restart the"
                + " kubelet so it reads capacity again (MemTotal is now "
                + Sizes.kb(totalKb)
                + ").",
            Optional.of(
                "# /var/lib/kubelet/config.yaml\n"
                    + "kubeReserved:\n"
                    + "  memory: \""
                    + reserveMi
                    + "Mi\"\n"
                    + "# then: systemctl restart kubelet\n")));
    return fixes;
  }
}
