package dev.oomlens.core.rules.analyzers;

import static dev.oomlens.core.rules.Sizes.human;

import dev.oomlens.core.calc.KubevirtOverhead;
import dev.oomlens.core.calc.KubevirtOverhead.Version;
import dev.oomlens.core.calc.KubevirtOverhead.Vm;
import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.MemcgState;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.OomScope;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.model.TaskRow;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.RuleInfo;
import dev.oomlens.core.rules.Sizes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/*
 * A KubeVirt VM runs in a virt-launcher pod whose memory limit is the guest's memory plus an
 * overhead KubeVirt computes (algorithms.md section 1) and Harvester scales (section 2). Everything
 * that is not guest RAM must fit in that overhead: the helpers (virt-launcher-monitor,
 * virt-launcher, virtqemud or libvirtd, virtlogd), qemu's own memory, the guest's page tables and
 * the kernel memory charged to the pod. When it does not, the pod's memcg OOM kills qemu, that is
 * the VM (seed 001).
 *
 * The report does not print the VM's size. It is estimated as the largest whole GiB that leaves
 * the pod the smallest overhead any KubeVirt version computes (v0.50's flat 138Mi + vCPU and
 * IOThread tables); when qemu's RSS shows more than 256 MiB beyond that, the VM is not a whole
 * number of GiB and the estimate steps by 256 MiB. vCPUs are at least N+1 when a "CPU N/KVM"
 * thread triggered the OOM, else 1. The base overhead is then v1.5-v1.9's (the one Harvester's
 * docs quote: 240Mi for 1 vCPU and 2Gi), without graphics.
 *
 * What the pod needed beyond the guest is sized as 1.25 x what was not guest RAM at the OOM
 * (usage - the part of qemu's RSS up to the guest size), and at least Harvester's guidance: 10%
 * of the VM's memory for 5-10 GiB VMs, 1 GiB above 10 GiB.
 */

/** KUBEVIRT-OVERHEAD: a virt-launcher pod ran out of room for everything beside the guest. */
public final class KubevirtOverheadAnalyzer implements Analyzer {
  private static final long MIB = Sizes.MIB;
  private static final long GIB = Sizes.GIB;
  private static final Pattern QEMU = Pattern.compile("qemu-system-.*|qemu-kvm|qemu-kvm-.*");
  private static final Pattern VCPU_THREAD = Pattern.compile("CPU (\\d+)/KVM");
  private static final RuleInfo INFO =
      RuleInfo.of(
          "KUBEVIRT-OVERHEAD",
          "A KubeVirt virt-launcher pod outgrew the overhead budgeted beside its guest",
          Severity.HIGH,
          RuleInfo.Scope.WORKLOAD,
          Layer.HYPERVISOR,
          Layer.POD_SPEC);

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    List<Finding> out = new ArrayList<>();
    // VMIs of a cluster whose launcher limit leaves less than KubeVirt's formula needs.
    out.addAll(LauncherLimits.findings(evidence.clusters(), INFO.code()));
    for (List<OomReport> episode : Episodes.of(evidence)) {
      List<OomReport> qualifying = new ArrayList<>();
      for (OomReport r : episode) {
        if (qualifies(r)) {
          qualifying.add(r);
        }
      }
      if (!qualifying.isEmpty()) {
        out.add(finding(qualifying));
      }
    }
    return out;
  }

  private static boolean qualifies(OomReport r) {
    if (!r.workload().kubevirt()
        || r.scope().orElse(null) != OomScope.MEMCG
        || r.memcg().isEmpty()) {
      return false;
    }
    MemcgState m = r.memcg().get();
    if (MemcgState.isUnlimited(m.limitBytes())
        || m.usageBytes() / 1024 * 10 < m.limitBytes() / 1024 * 9) {
      return false;
    }
    boolean qemuRow = r.tasks().stream().anyMatch(t -> QEMU.matcher(t.comm()).matches());
    boolean qemuVictim = r.victim().map(v -> QEMU.matcher(v.comm()).matches()).orElse(false);
    return qemuRow || qemuVictim;
  }

  private Finding finding(List<OomReport> reports) {
    OomReport r = reports.get(reports.size() - 1);
    MemcgState m = r.memcg().get();
    long limit = m.limitBytes();
    long usage = m.usageBytes();
    Optional<TaskRow> qemu =
        r.tasks().stream().filter(t -> QEMU.matcher(t.comm()).matches()).findFirst();
    long qemuRss =
        qemu.map(TaskRow::rssBytes).orElse(r.victim().map(v -> v.rssBytes().orElse(0)).orElse(0L));
    long helpersRss = helpersRss(r);
    int vcpus =
        r.trigger()
            .map(
                t -> {
                  Matcher mt = VCPU_THREAD.matcher(t.comm());
                  return mt.matches() ? Integer.parseInt(mt.group(1)) + 1 : 1;
                })
            .orElse(1);

    long guest = estimateGuest(limit, vcpus, qemuRss);
    long base = KubevirtOverhead.overheadBytes(Vm.basic(guest, vcpus, Version.V1_5_TO_1_9, false));
    long budget = limit - guest;
    long notGuest = usage - Math.min(qemuRss, guest);
    long guidance = guest > 10 * GIB ? GIB : guest >= 5 * GIB ? guest / 10 : 0;
    long needed = Math.ceilDiv(Math.max(notGuest * 5 / 4, guidance), MIB) * MIB;
    OptionalDouble ratio = KubevirtOverhead.ratioCovering(base, needed);
    double effectiveRatio = budget / (double) base;

    StringBuilder why = new StringBuilder();
    why.append(
        String.format(
            Locale.ROOT,
            "The virt-launcher pod's memory cgroup %s hit its " + "%s limit (usage %s)",
            r.oomMemcg().orElse("(unnamed)"),
            human(limit),
            human(usage)));
    r.victim()
        .ifPresent(
            v ->
                why.append("; the kernel killed ")
                    .append(v.comm())
                    .append(" (pid ")
                    .append(v.pid())
                    .append(")")
                    .append(QEMU.matcher(v.comm()).matches() ? ", that is the VM itself" : ""));
    why.append(". ");
    why.append("The helpers (every task but qemu) held ")
        .append(human(helpersRss))
        .append(" of RSS against the ")
        .append(human(Version.V1_5_TO_1_9.helpersBytes()))
        .append(" KubeVirt v1.5+ budgets for them; qemu held ")
        .append(human(qemuRss))
        .append(". ");
    if (reports.size() > 1) {
      long firstHelpers = helpersRss(reports.get(0));
      why.append("Across the ")
          .append(reports.size())
          .append(" kills of this pod the helpers " + "went from ")
          .append(human(firstHelpers))
          .append(" to ")
          .append(human(helpersRss))
          .append(". ");
    }
    String estimate =
        largestGuest(limit, vcpus) < 256 * MIB
            ? "qemu's RSS, since the limit is below what KubeVirt computes for any guest, %d vCPU%s"
            : "the largest that leaves the smallest KubeVirt overhead, %d vCPU%s";
    why.append(
        String.format(
            Locale.ROOT,
            "Guest memory estimated at %s ("
                + estimate
                + "), so "
                + "the pod had %s beside the guest = "
                + "%.2f x the %s KubeVirt v1.5-v1.9 computes for it (%s/512 + 220Mi + %d x 8Mi + "
                + "8Mi). At the OOM %s of the usage was not guest RAM (usage - min(qemu RSS, guest)). ",
            human(guest),
            vcpus,
            vcpus == 1 ? "" : "s",
            human(budget),
            effectiveRatio,
            human(base),
            human(guest),
            vcpus,
            human(notGuest)));
    why.append("Room needed beside the guest: max(1.25 x ")
        .append(human(notGuest))
        .append(guidance > 0 ? ", Harvester's guidance " + human(guidance) : "")
        .append(") = ")
        .append(human(needed))
        .append(". ");
    // The ratio in force is the one the pod's limit shows: the room beside the guest over the
    // overhead KubeVirt v1.5-v1.9 computes. A reservation adds to that room whatever formula
    // produced it, so it is sized from the room the pod had; a ratio is offered only above the
    // one the pod already had, so no advice repeats the setting in force.
    long shortBy = Math.max(0, needed - budget);
    Optional<Double> ratioNeeded =
        ratio.stream().boxed().filter(x -> x > effectiveRatio).findFirst();
    long reserve = Math.ceilDiv(shortBy, MIB) * MIB;
    why.append(
        String.format(
            Locale.ROOT,
            "The pod had %.2f x the overhead KubeVirt v1.5-v1.9" + " computes",
            effectiveRatio));
    if (effectiveRatio < 1.0) {
      why.append(
          " (below 1.0: an older KubeVirt that computes less, or a limit set by hand or"
              + " by a LimitRange)");
    }
    if (shortBy == 0) {
      why.append(
          ", more than the room needed: the overhead budget was not what ran out, or"
              + " the guest estimate is off.");
    } else {
      why.append("; ").append(human(shortBy)).append(" more is needed");
      ratioNeeded.ifPresentOrElse(
          x ->
              why.append(
                  String.format(
                      Locale.ROOT,
                      ": that takes"
                          + " additional-guest-memory-overhead-ratio %.1f (%s x %.1f >= %s), or %s of"
                          + " reserved memory.",
                      x,
                      human(base),
                      x,
                      human(needed),
                      human(reserve))),
          () ->
              why.append(": no ratio up to 10.0 covers it; reserve ")
                  .append(human(reserve))
                  .append(" of memory."));
    }

    List<SourceLine> ev = new ArrayList<>();
    r.trigger().ifPresent(t -> ev.add(t.source()));
    ev.add(m.source());
    m.kmemSource().ifPresent(ev::add);
    r.tasks().forEach(t -> ev.add(t.source()));
    r.victim().ifPresent(v -> ev.add(v.source()));
    if (reports.size() > 1) {
      reports.get(0).tasks().forEach(t -> ev.add(t.source()));
    }

    List<Fix> fixes = new ArrayList<>();
    if (ratioNeeded.isPresent()) {
      String value = String.format(Locale.ROOT, "%.1f", ratioNeeded.get());
      fixes.add(
          new Fix(
              Layer.HYPERVISOR,
              "Harvester, cluster-wide: raise "
                  + "additional-guest-memory-overhead-ratio to "
                  + value
                  + " (the pod had "
                  + String.format(Locale.ROOT, "%.2f", effectiveRatio)
                  + " x; "
                  + human(base)
                  + " x "
                  + value
                  + " covers "
                  + human(needed)
                  + "); it applies to VMs created, migrated or restarted after the "
                  + "change, and costs that overhead on every VM.",
              Optional.of(
                  "kubectl patch settings.harvesterhci.io "
                      + "additional-guest-memory-overhead-ratio --type merge -p '{\"value\":\""
                      + value
                      + "\"}'\n# or\napiVersion: harvesterhci.io/v1beta1\nkind: Setting\nmetadata:\n"
                      + "  name: additional-guest-memory-overhead-ratio\nvalue: \""
                      + value
                      + "\"")));
    }
    if (reserve > 0) {
      fixes.add(
          new Fix(
              Layer.HYPERVISOR,
              "Harvester, this VM only: reserve "
                  + Sizes.quantityMi(reserve)
                  + " of its memory for the helpers (needed "
                  + human(needed)
                  + " - the "
                  + human(budget)
                  + " the pod had beside the guest); the"
                  + " guest then sees "
                  + human(guest - reserve)
                  + ". Restart the VM to apply.",
              Optional.of(
                  "kubectl annotate vm <name> -n <namespace> --overwrite "
                      + "harvesterhci.io/reservedMemory="
                      + Sizes.quantityMi(reserve))));
    }
    if (shortBy > 0) {
      // KubeVirt puts its overhead on top of the VM's memory request, so a request above the
      // guest leaves the difference to the helpers: the room that was short is what to add.
      long memory = guest + reserve;
      fixes.add(
          new Fix(
              Layer.POD_SPEC,
              "Plain KubeVirt: keep the guest at "
                  + human(guest)
                  + " and request "
                  + Sizes.quantityMi(memory)
                  + " for the VM (guest + the "
                  + human(reserve)
                  + " more the helpers need); KubeVirt adds its overhead on top and"
                  + " the difference is left to the helpers. A limit set by hand or by a LimitRange"
                  + " must grow by as much.",
              Optional.of(
                  "spec:\n"
                      + "  template:\n"
                      + "    spec:\n"
                      + "      domain:\n"
                      + "        memory:\n"
                      + "          guest: "
                      + Sizes.quantityMi(guest)
                      + "\n"
                      + "        resources:\n"
                      + "          requests:\n"
                      + "            memory: "
                      + Sizes.quantityMi(memory))));
    }
    String summary =
        String.format(
            Locale.ROOT,
            "virt-launcher pod hit its %s limit: %s beside "
                + "an estimated %s guest, %s needed (helpers %s, qemu %s)",
            human(limit),
            human(budget),
            human(guest),
            human(needed),
            human(helpersRss),
            human(qemuRss));
    return new Finding(
        INFO.code(),
        Severity.HIGH,
        Confidence.MEDIUM,
        summary,
        why.toString(),
        SourceLines.distinct(ev),
        fixes);
  }

  private static long helpersRss(OomReport r) {
    long sum = 0;
    for (TaskRow t : r.tasks()) {
      if (!QEMU.matcher(t.comm()).matches()) {
        sum += t.rssBytes();
      }
    }
    return sum;
  }

  /** The guest size: see the note at the top of the class. */
  static long estimateGuest(long limitBytes, int vcpus, long qemuRssBytes) {
    long upper = largestGuest(limitBytes, vcpus);
    if (upper < 256 * MIB) {
      // A pod this small leaves no room for any guest beside the computed overhead: take the
      // memory qemu had touched as the guest, the least it can have been, so the room beside it
      // is never negative.
      return Math.min(Math.max(qemuRssBytes, 0), limitBytes) / MIB * MIB;
    }
    long guest = Math.floorDiv(upper, GIB) * GIB;
    if (guest <= 0 || qemuRssBytes - guest > 256 * MIB) {
      guest = Math.floorDiv(upper, 256 * MIB) * 256 * MIB;
    }
    return guest;
  }

  /** The largest guest whose smallest KubeVirt overhead still fits in the limit. */
  static long largestGuest(long limitBytes, int vcpus) {
    long smallestFixed = Version.V0_50.fixedBytes() + 8 * MIB * vcpus + 8 * MIB;
    return (limitBytes - smallestFixed) * 512 / 513;
  }
}
