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
import dev.oomlens.core.model.Victim;
import dev.oomlens.core.model.Workload;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.ReportFacts;
import dev.oomlens.core.rules.RuleInfo;
import dev.oomlens.core.rules.RuleInfo.Watch;
import dev.oomlens.core.rules.Sizes;
import dev.oomlens.core.series.HostSeries;
import dev.oomlens.core.series.Series;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/*
 * A host-wide OOM (constraint CONSTRAINT_NONE, not the order=-1 SysRq kill) is "instant" when the
 * host has no swap: anonymous memory has nowhere to go, so once it fills RAM reclaim can only drop
 * page cache, and the kernel kills without the gradual slow-down swap gives (seed 004, "the swap
 * question"). Swap at the kill is read from the report's show_mem lines ("Free swap  = %ldkB",
 * "Total swap = %ldkB", "%lu pages RAM", printed by every kernel since 2.6 for global OOMs); when
 * the report lacks them, from the host snapshot (/proc/meminfo SwapTotal, /proc/swaps), which is
 * the state now and so gives a medium confidence.
 *
 * The rule is about small hosts (RAM ≤ 8 GiB): there a 1-2 GiB spike is a large share of RAM, and
 * compressed swap in RAM (zram) is the cheap cure (seed 000: 2 GB NixOS VMs killed during
 * nixos-upgrade, fixed with zramSwap.enable). Big hosts without swap are usually so by choice;
 * HOST-EXHAUSTED still explains their OOM. Swap that was there but had run out is
 * SWAP-EXHAUSTED's: more swap is not the cure there.
 *
 * Over time (node_exporter's series, from --prometheus or --series), a small host whose
 * node_memory_SwapTotal_bytes stayed 0 through the whole window is named too, kill or not: it is
 * the host of seed 000 that never got the zram fix. A host that had swap at any point of the
 * window is not (the fix arrived in it; verify's swap-present check follows it from there), nor one
 * whose RAM is above 8 GiB. When its MemAvailable fell under 10 % of MemTotal in the window, the
 * spike that swap would have absorbed was there: severity high, else medium. A host whose kernel
 * report already gave the finding above is not named twice.
 */

/** {@code NO-SWAP}: a host-wide OOM on a small host without swap. */
public final class NoSwapAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
              "NO-SWAP",
              "A host-wide OOM on a small host without swap",
              Severity.HIGH,
              RuleInfo.Scope.HOST,
              Layer.APPLICATION,
              Layer.HYPERVISOR,
              Layer.KERNEL_SWAP,
              Layer.NODE)
          .watching(
              Watch.metric(
                  "Swap size (0 means no swap)",
                  "node_memory_SwapTotal_bytes{instance}",
                  "above 0 once swap (zram) is on"),
              Watch.criterion(
                  "Every affected host has swap", "node_memory_SwapTotal_bytes{instance} > 0"),
              Watch.check(
                  "With zram, zramctl lists the device, its size and how much it holds",
                  "zramctl"));

  /** Hosts up to this size (8 GiB) are "small": a spike is a large share of their RAM. */
  static final long SMALL_RAM_KB = 8 * HostFacts.KIB_PER_GIB;

  @Override
  public RuleInfo info() {
    return INFO;
  }

  /** MemAvailable under this share of MemTotal (10 %) is memory gone tight. */
  static final double TIGHT_SHARE = 0.10;

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    List<Finding> out =
        new ArrayList<>(
            SwapAtKill.firstPerIncident(evidence, (r, group) -> judge(r, evidence.host(), group)));
    for (HostSeries h : evidence.hostSeries()) {
      boolean reported =
          !out.isEmpty()
              && evidence.reports().stream()
                  .anyMatch(r -> r.host().filter(n -> n.equals(h.host())).isPresent());
      if (!reported) {
        overTime(h, evidence).ifPresent(out::add);
      }
    }
    return out;
  }

  private Optional<Finding> overTime(HostSeries h, EvidenceSet evidence) {
    if (h.samples(Series.Role.HOST_SWAP_TOTAL) == 0
        || h.max(Series.Role.HOST_SWAP_TOTAL).getAsDouble() > 0) {
      return Optional.empty();
    }
    OptionalDouble ram = h.last(Series.Role.HOST_MEM_TOTAL);
    if (ram.isPresent() && ram.getAsDouble() > SMALL_RAM_KB * 1024.0) {
      return Optional.empty();
    }
    long ramKb = ram.isPresent() ? (long) ram.getAsDouble() / 1024 : 0;
    String ramText = ram.isPresent() ? Sizes.kb(ramKb) : "unknown";
    Instant from = h.first(Series.Role.HOST_SWAP_TOTAL).orElseThrow();
    Instant to = h.latest(Series.Role.HOST_SWAP_TOTAL).orElseThrow();
    List<Citation> cited = new ArrayList<>();
    h.window(Series.Role.HOST_SWAP_TOTAL, Optional.empty(), Optional.empty(), CITED_POINTS)
        .ifPresent(cited::add);
    StringBuilder why =
        new StringBuilder("node_memory_SwapTotal_bytes of ")
            .append(h.instance())
            .append(" was 0 in all ")
            .append(h.samples(Series.Role.HOST_SWAP_TOTAL))
            .append(" samples from ")
            .append(from)
            .append(" to ")
            .append(to)
            .append(": the host had no swap at any point of the window, on ")
            .append(ramText)
            .append(" of RAM");
    if (ram.isEmpty()) {
      why.append(" (node_memory_MemTotal_bytes was not read)");
    }
    why.append(
        ". Without swap, anonymous memory cannot leave RAM: a spike that fills it (an upgrade,"
            + " a build) leaves the kernel nothing to do but kill.");
    OptionalDouble lowest = h.min(Series.Role.HOST_MEM_AVAILABLE);
    boolean tight =
        ram.isPresent()
            && lowest.isPresent()
            && lowest.getAsDouble() < ram.getAsDouble() * TIGHT_SHARE;
    if (lowest.isPresent()) {
      why.append(" MemAvailable fell to ").append(Sizes.bytes((long) lowest.getAsDouble()));
      if (ram.isPresent()) {
        why.append(" (")
            .append(Sizes.percent((long) lowest.getAsDouble(), (long) ram.getAsDouble()))
            .append(" of RAM)");
      }
      why.append(
          tight
              ? ": the memory ran short with nothing to absorb it."
              : ": it did not run short in this window, but nothing would absorb a spike.");
      h.window(Series.Role.HOST_MEM_AVAILABLE, Optional.empty(), Optional.empty(), CITED_POINTS)
          .ifPresent(cited::add);
    }
    List<dev.oomlens.core.model.OomReport> kills =
        evidence.reports().stream()
            .filter(r -> r.host().filter(n -> n.equals(h.host())).isPresent())
            .toList();
    if (!kills.isEmpty()) {
      why.append(" The kernel log holds ")
          .append(kills.size())
          .append(kills.size() == 1 ? " OOM report" : " OOM reports")
          .append(" from this host.");
      kills.get(0).victim().ifPresent(v -> cited.add(v.source()));
    }
    return Optional.of(
        new Finding(
            INFO.code(),
            tight || !kills.isEmpty() ? Severity.HIGH : Severity.MEDIUM,
            ram.isPresent() ? Confidence.HIGH : Confidence.MEDIUM,
            "Host "
                + h.host()
                + " had no swap from "
                + from
                + " to "
                + to
                + " ("
                + ramText
                + " RAM"
                + (lowest.isPresent()
                    ? ", MemAvailable down to " + Sizes.bytes((long) lowest.getAsDouble())
                    : "")
                + ")",
            why.toString(),
            ReportFacts.sorted(cited),
            fixes(ramKb, OptionalLong.empty(), Workload.UNKNOWN)));
  }

  /** The most samples a finding cites of one series. */
  static final int CITED_POINTS = 60;

  private Optional<Finding> judge(OomReport r, Optional<HostSnapshot> host, List<OomReport> group) {
    Optional<SwapAtKill> swap = SwapAtKill.of(r, host);
    if (swap.isEmpty() || !swap.get().none()) {
      // Swap that filled up is SWAP-EXHAUSTED's: adding swap is not its fix.
      return Optional.empty();
    }
    SwapAtKill s = swap.get();
    OptionalLong ramKb = HostFacts.reportRamKb(r);
    boolean ramFromReport = ramKb.isPresent();
    if (ramKb.isEmpty()) {
      ramKb = HostFacts.meminfoKb(host, "MemTotal");
    }
    if (ramKb.isEmpty() || ramKb.getAsLong() > SMALL_RAM_KB) {
      return Optional.empty();
    }

    List<Citation> cited = new ArrayList<>(s.cited());
    r.trigger().ifPresent(t -> cited.add(t.source()));
    r.victim().ifPresent(v -> cited.add(v.source()));
    if (ramFromReport) {
      r.hostMemory().flatMap(HostMemory::ramLine).ifPresent(cited::add);
    } else {
      HostFacts.meminfoValue(host, "MemTotal").ifPresent(cited::add);
    }
    long ram = ramKb.orElse(0);
    String ramText = ramKb.isPresent() ? Sizes.kb(ram) : "unknown";
    String victim = r.victim().map(ReportFacts::name).orElse("a task");
    String outcome =
        r.victim().isPresent()
            ? victim + " was killed"
            : r.panic().isPresent() ? "the kernel panicked" : "nothing could be killed";
    OptionalLong victimKb = r.victim().map(Victim::rssBytes).orElse(OptionalLong.empty());
    if (victimKb.isPresent()) {
      victimKb = OptionalLong.of(victimKb.getAsLong() / 1024);
    }

    StringBuilder why =
        new StringBuilder("Host-wide OOM at ")
            .append(ReportFacts.where(r))
            .append(" (")
            .append(r.constraint().map(Constraint::name).orElse("global report shape"))
            .append(", order ")
            .append(r.order().isPresent() ? r.order().getAsInt() : "?")
            .append(") on a host with ")
            .append(ramText)
            .append(" RAM");
    Optional<SwapDevice> swapNow =
        host.map(HostSnapshot::swaps)
            .flatMap(l -> l.stream().filter(d -> d.sizeKb() > 0).findFirst());
    boolean fixedSince = s.fromReport() && swapNow.isPresent();
    why.append(
        s.fromReport()
            ? ". The report says Total swap = 0kB: the host had no swap at the kill."
            : ". The report does not print the swap totals; the host has no swap now (SwapTotal 0"
                + " kB, no device in /proc/swaps), so it most likely had none at the kill.");
    why.append(" Without swap, anonymous memory cannot leave RAM: once it fills RAM (")
        .append(ramText)
        .append(" here, at most ")
        .append(Sizes.kb(SMALL_RAM_KB))
        .append(
            " counts as small) reclaim can only drop page cache, and the kernel kills"
                + " without the slow-down swap would have given as a warning.");
    String summary =
        "Host-wide OOM on a "
            + ramText
            + " host with no swap: "
            + outcome
            + " with no swap to absorb the spike";
    victimKb.ifPresent(
        kb ->
            why.append(" The victim, ")
                .append(victim)
                .append(", held ")
                .append(Sizes.kb(kb))
                .append(" resident (")
                .append(Sizes.percent(kb, ram))
                .append(" of RAM)."));
    host.flatMap(HostSnapshot::memoryPressure).ifPresent(p -> SwapAtKill.stall(p, why, cited));
    if (group.size() > 1) {
      why.append(" The incident holds ").append(group.size()).append(" reports.");
    }
    Severity severity = Severity.HIGH;
    if (fixedSince) {
      SwapDevice d = swapNow.get();
      why.append(" The host has swap now (")
          .append(d.filename())
          .append(", ")
          .append(Sizes.kb(d.sizeKb()))
          .append(
              "): the fix appears to be in place since this"
                  + " kill; verify it with the queries below.");
      cited.add(d.cite());
      summary += " (swap has been added since)";
      severity = Severity.LOW;
    }
    Confidence confidence =
        s.fromReport() && ramKb.isPresent() ? Confidence.HIGH : Confidence.MEDIUM;
    return Optional.of(
        new Finding(
            INFO.code(),
            severity,
            confidence,
            summary,
            why.toString(),
            ReportFacts.sorted(cited),
            fixes(ram, victimKb, r.workload())));
  }

  private static List<Fix> fixes(long ramKb, OptionalLong victimKb, Workload workload) {
    List<Fix> fixes = new ArrayList<>();
    fixes.add(
        new Fix(
            Layer.KERNEL_SWAP,
            "Enable compressed swap in RAM (zram) on NixOS: half of RAM as zstd-compressed swap"
                + " typically holds 1.5-2x that in anonymous pages, for a little CPU.",
            Optional.of(
                """
            # configuration.nix
            zramSwap = {
              enable = true;
              algorithm = "zstd";
              memoryPercent = 50;
            };
            """)));
    fixes.add(
        new Fix(
            Layer.KERNEL_SWAP,
            "Elsewhere, enable zram with systemd's zram-generator (package zram-generator or"
                + " systemd-zram-generator), then start it without a reboot.",
            Optional.of(
                """
            # /etc/systemd/zram-generator.conf
            [zram0]
            zram-size = min(ram / 2, 4096)
            compression-algorithm = zstd

            # then:
            systemctl daemon-reload && systemctl start systemd-zram-setup@zram0.service
            """)));
    long swapMi = Math.max(1024, Math.min(4096, Sizes.ceilMi(ramKb)));
    fixes.add(
        new Fix(
            Layer.KERNEL_SWAP,
            "Or add a swap file (" + swapMi + " MiB: the size of RAM, between 1 and 4 GiB).",
            Optional.of(
                String.format(
                    """
            # on btrfs: btrfs filesystem mkswapfile --size %dm /swapfile
            fallocate -l %dM /swapfile
            chmod 600 /swapfile
            mkswap /swapfile
            swapon /swapfile
            echo '/swapfile none swap defaults 0 0' >> /etc/fstab
            """,
                    swapMi, swapMi))));
    if (isKubernetes(workload)) {
      fixes.add(
          new Fix(
              Layer.NODE,
              "On a Kubernetes node the kubelet must be told to run with swap (Kubernetes 1.30+);"
                  + " LimitedSwap lets Burstable pods use swap in proportion to their request.",
              Optional.of(
                  """
              # /var/lib/kubelet/config.yaml
              failSwapOn: false
              memorySwap:
                swapBehavior: LimitedSwap
              """)));
    }
    String more =
        victimKb.isPresent()
            ? " The victim alone held " + Sizes.kb(victimKb.getAsLong()) + "."
            : "";
    fixes.add(
        new Fix(
            Layer.HYPERVISOR,
            "Or give the machine more RAM"
                + (ramKb > 0 ? " than its " + Sizes.kb(ramKb) : "")
                + " (for a VM, raise its"
                + " memory at the hypervisor)."
                + more,
            Optional.empty()));
    fixes.add(
        new Fix(
            Layer.KERNEL_SWAP,
            "Verify the fix in Prometheus (node_exporter): every host has swap, swap is used during"
                + " the heavy job, and MemAvailable no longer reaches zero.",
            Optional.of(
                """
            node_memory_SwapTotal_bytes > 0
            (node_memory_SwapTotal_bytes - node_memory_SwapFree_bytes) / 1024 / 1024
            node_memory_MemAvailable_bytes / 1024 / 1024
            increase(node_vmstat_oom_kill[1d]) > 0
            """)));
    return fixes;
  }

  private static boolean isKubernetes(Workload w) {
    return switch (w.kind()) {
      case CONTAINER, POD, KUBEPODS -> true;
      default -> false;
    };
  }
}
