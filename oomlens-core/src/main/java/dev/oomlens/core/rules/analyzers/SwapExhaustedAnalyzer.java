package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.core.host.SwapDevice;
import dev.oomlens.core.model.Citation;
import dev.oomlens.core.model.Constraint;
import dev.oomlens.core.model.HostMemory;
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
import java.util.regex.Pattern;

/*
 * Seed 000 ends its fix (zram on every 2 GB NixOS VM) with what to do if zram is not enough: give
 * the VM more memory, let it balloon from the host, build remotely, evaluate less at once. That is
 * this rule's case: a host-wide OOM whose report says swap was there and full (Free swap at most
 * 2 % of Total swap). Adding swap, NO-SWAP's advice, would not help: swap only postponed the
 * kill, and zram takes RAM for its compressed pages, so a larger zram device leaves less RAM.
 *
 * The size to give the machine is what the load showed it needed: RAM plus the swap it filled,
 * with a quarter more, in whole GiB. Seed 000's 2 GB VMs with 1 GB of zram come to 4 GiB, the size
 * its fallback names.
 */

/** {@code SWAP-EXHAUSTED}: a host-wide OOM with its swap (or zram) full. */
public final class SwapExhaustedAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
              "SWAP-EXHAUSTED",
              "A host-wide OOM with its swap or zram full",
              Severity.HIGH,
              RuleInfo.Scope.HOST,
              Layer.HYPERVISOR,
              Layer.APPLICATION,
              Layer.KERNEL_SWAP)
          .watching(
              Watch.metric(
                  "Share of swap in use",
                  "1 - node_memory_SwapFree_bytes{instance} / node_memory_SwapTotal_bytes{instance}",
                  "stays well below 1 during the heavy job"),
              Watch.criterion(
                  "No host fills its swap",
                  "node_memory_SwapTotal_bytes{instance} > 0 and node_memory_SwapFree_bytes{instance}"
                      + " < 0.02 * node_memory_SwapTotal_bytes{instance}"),
              Watch.check(
                  "With zram, zramctl shows how much it holds and the RAM that takes", "zramctl"));

  /** Victims that are Nix evaluating or building: seed 000's upgrade. */
  private static final Pattern NIX = Pattern.compile("nix(-daemon|-build|os-rebuild)?|nix-.*");

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    return SwapAtKill.firstPerIncident(
        evidence,
        (r, group) ->
            SwapAtKill.of(r, evidence.host())
                .filter(s -> s.fromReport() && s.exhausted())
                .map(s -> finding(r, s, evidence.host(), group.size())));
  }

  private Finding finding(OomReport r, SwapAtKill s, Optional<HostSnapshot> host, int reports) {
    List<Citation> cited = new ArrayList<>(s.cited());
    r.trigger().ifPresent(t -> cited.add(t.source()));
    r.victim().ifPresent(v -> cited.add(v.source()));
    OptionalLong ramKb = HostFacts.reportRamKb(r);
    if (ramKb.isPresent()) {
      r.hostMemory().flatMap(HostMemory::ramLine).ifPresent(cited::add);
    } else {
      ramKb = HostFacts.meminfoKb(host, "MemTotal");
      HostFacts.meminfoValue(host, "MemTotal").ifPresent(cited::add);
    }
    Optional<SwapDevice> zram =
        host.map(HostSnapshot::swaps)
            .flatMap(l -> l.stream().filter(SwapDevice::isZram).findFirst());
    zram.ifPresent(d -> cited.add(d.cite()));
    String victim = r.victim().map(ReportFacts::name).orElse("a task");
    String outcome =
        r.victim().isPresent()
            ? victim + " was killed"
            : r.panic().isPresent() ? "the kernel panicked" : "nothing could be killed";

    StringBuilder why =
        new StringBuilder("Host-wide OOM at ")
            .append(ReportFacts.where(r))
            .append(" (")
            .append(r.constraint().map(Constraint::name).orElse("global report shape"))
            .append(")");
    ramKb.ifPresent(kb -> why.append(" on a host with ").append(Sizes.kb(kb)).append(" RAM"));
    why.append(". Swap was there and full: ")
        .append(Sizes.kb(Math.min(s.freeKb(), s.totalKb())))
        .append(" free of ")
        .append(Sizes.kb(s.totalKb()))
        .append(" (")
        .append(Sizes.percent(s.usedKb(), s.totalKb()))
        .append(" used; at most ")
        .append(Sizes.percent((long) (SwapAtKill.EXHAUSTED_FREE_SHARE * 100), 100))
        .append(
            " free counts as full). The load needed more than RAM and swap together, so"
                + " more swap would only postpone the kill");
    if (zram.isPresent()) {
      SwapDevice d = zram.get();
      why.append("; the host's swap is zram (")
          .append(d.filename())
          .append(", ")
          .append(Sizes.kb(d.sizeKb()))
          .append(
              " now), whose compressed pages take RAM: a"
                  + " larger device leaves less RAM for the load");
    }
    why.append('.');
    host.flatMap(HostSnapshot::memoryPressure).ifPresent(p -> SwapAtKill.stall(p, why, cited));
    if (reports > 1) {
      why.append(" The incident holds ").append(reports).append(" reports.");
    }
    String summary =
        "Host-wide OOM with "
            + (zram.isPresent() ? "zram" : "swap")
            + " full ("
            + Sizes.kb(Math.min(s.freeKb(), s.totalKb()))
            + " free of "
            + Sizes.kb(s.totalKb())
            + "): "
            + outcome;
    boolean nix = r.victim().map(v -> NIX.matcher(v.comm()).matches()).orElse(false);
    return new Finding(
        INFO.code(),
        Severity.HIGH,
        ramKb.isPresent() ? Confidence.HIGH : Confidence.MEDIUM,
        summary,
        why.toString(),
        ReportFacts.sorted(cited),
        fixes(ramKb, s, nix));
  }

  private static List<Fix> fixes(OptionalLong ramKb, SwapAtKill s, boolean nix) {
    List<Fix> fixes = new ArrayList<>();
    if (ramKb.isPresent()) {
      long neededKb = (ramKb.getAsLong() + s.usedKb()) * 5 / 4;
      long gib = Math.ceilDiv(neededKb, HostFacts.KIB_PER_GIB);
      long ramMi = Sizes.ceilMi(ramKb.getAsLong());
      fixes.add(
          new Fix(
              Layer.HYPERVISOR,
              "Give the machine more memory: at least "
                  + gib
                  + " GiB (its "
                  + Sizes.kb(ramKb.getAsLong())
                  + " of RAM + the "
                  + Sizes.kb(s.usedKb())
                  + " of swap the load filled, with a quarter more). For a VM, at the hypervisor.",
              Optional.of("# Terraform, Proxmox VM\nmemory = " + gib * 1024 + "\n")));
      fixes.add(
          new Fix(
              Layer.HYPERVISOR,
              "Or let the VM balloon: it keeps "
                  + ramMi
                  + " MiB when idle and takes up to "
                  + gib * 1024
                  + " MiB from the host when the job"
                  + " needs it. Needs the balloon driver and the QEMU guest agent in the guest, and a"
                  + " host with that memory to give; zram inside the guest stays the overflow.",
              Optional.of(
                  "# Terraform, Proxmox VM\nmemory  = "
                      + gib * 1024
                      + "   # maximum\nballoon = "
                      + ramMi
                      + "   # minimum, when idle\n")));
    }
    fixes.add(
        new Fix(
            Layer.APPLICATION,
            nix
                ? "Build elsewhere: remote builds take evaluation and compilation off this host."
                : "Run the heavy job elsewhere (a build host, a larger machine) or in its own cgroup"
                    + " with a limit, so it is the job that is stopped, not the host.",
            nix
                ? Optional.of(
                    """
            # configuration.nix
            nix.distributedBuilds = true;
            nix.buildMachines = [ {
              hostName = "builder.example";
              system = "x86_64-linux";
              maxJobs = 4;
            } ];
            """)
                : Optional.of(
                    "systemd-run --scope -p MemoryMax=<size> -p MemorySwapMax=0 <job>\n")));
    fixes.add(
        new Fix(
            Layer.APPLICATION,
            nix
                ? "Evaluate less at once: split the flake's configurations so one evaluation holds one"
                    + " host, and build one derivation at a time on small hosts."
                : "Make the job smaller: fewer parallel workers, smaller batches; and find what filled"
                    + " RAM and swap (see HOST-EXHAUSTED, LEAK).",
            nix
                ? Optional.of("nix.settings.max-jobs = 1;\nnix.settings.cores = 1;\n")
                : Optional.empty()));
    fixes.add(
        new Fix(
            Layer.KERNEL_SWAP,
            "Verify in Prometheus (node_exporter): swap no longer fills and MemAvailable stays above"
                + " zero during the heavy job, and no OOM kill follows.",
            Optional.of(
                """
            1 - node_memory_SwapFree_bytes / node_memory_SwapTotal_bytes
            node_memory_MemAvailable_bytes / 1024 / 1024
            increase(node_vmstat_oom_kill[1d]) > 0
            """)));
    return fixes;
  }
}
