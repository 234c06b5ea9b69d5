package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.cgroup.CgroupPaths;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.LimitChange;
import dev.oomlens.core.model.MemcgState;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.OomScope;
import dev.oomlens.core.model.TaskRow;
import dev.oomlens.core.model.Victim;
import dev.oomlens.core.model.Workload;
import dev.oomlens.core.rules.Derived;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.Incident;
import dev.oomlens.core.rules.MemcgLevel;
import dev.oomlens.core.rules.Shell;
import dev.oomlens.core.rules.Sizes;
import dev.oomlens.core.rules.TaskGrowth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/*
 * Seed 004's rule for a limit that was hit: set it at 1.5-2x the observed peak, never below what
 * the workload held when it was killed, and never raise the limit of a leak (a larger limit only
 * moves the next kill later). Every analyzer that would change the limit asks this one class, so
 * a diagnosis shows one number per limit, whichever rules fire: the lower end, 1.5x, the smallest
 * change that gives the workload the headroom the rule asks for.
 *
 * The observed peak is what the cgroup held when the kernel killed in it: the usage the report's
 * memory cgroup block printed (at or near the limit, since the charge that failed was refused
 * there), and at least what the victim held (anon + file + shmem + page tables); over an
 * incident of several kills, the largest. It is all the kernel saw: an earlier peak the logs do
 * not show is unknown, and the advice says what it is built on.
 *
 * Who sizes the limit instead:
 * - a leak (the size at each kill grows, or it grew into a raised limit: LEAK): no bigger limit;
 * - a KubeVirt virt-launcher pod (KubeVirt computes its limit from the VM: KUBEVIRT-OVERHEAD);
 * - a JVM: when its regions can be capped to fit the limit, the limit stays and the flags change
 *   (JVM); when they cannot, the limit is the larger of 1.5x the peak and what the JVM needs.
 * - the node's pods together (kubepods, a QoS level) are NODE-ALLOCATABLE's, not a limit to raise.
 *
 * cgroup v1 has a second limit, memory+swap. When it was the one hit (memory+swap at its limit,
 * memory below its own), that is the limit raised. When memory was hit and memory+swap is set, a
 * new memory limit keeps the swap the cgroup was allowed (memory+swap - memory) on top, so no fix
 * proposes a memory+swap value at or below the one in force.
 */

/** The one answer to "what should this limit be", for every analyzer that would change it. */
final class LimitPolicy {
  /** The new limit over the observed peak: seed 004's 1.5-2x, its lower end. */
  static final double HEADROOM = 1.5;

  private LimitPolicy() {}

  /** What to do with the limit an incident hit. */
  sealed interface Advice permits Raise, Keep {
    Target target();

    /** The one fix for the limit. */
    Fix fix();
  }

  /**
   * The cgroup whose limit was hit, and whose limit it is.
   *
   * @param report the incident's report that shows the most (its memcg block)
   * @param owner the workload the limit belongs to, decoded from {@code cgroup}
   * @param victimCgroup the victim's workload (a container of the pod, for a pod's limit)
   */
  record Target(
      OomReport report,
      String cgroup,
      MemcgLevel level,
      Workload owner,
      Workload victimCgroup,
      MemcgState memcg) {}

  /**
   * Raise a limit to {@code newBytes}.
   *
   * @param knob the memory limit, or cgroup v1's memory+swap when that was the one hit
   * @param currentBytes the limit in force
   * @param peakBytes what the cgroup held at its largest kill
   * @param swapAllowanceBytes for a memory limit, the swap the cgroup may use on top of it (v1:
   *     memory+swap - memory; v2: its swap limit), to keep in a setting that counts both
   */
  record Raise(
      Target target,
      LimitChange.Knob knob,
      long currentBytes,
      long peakBytes,
      long newBytes,
      OptionalLong swapAllowanceBytes,
      String basis)
      implements Advice {
    @Override
    public Fix fix() {
      return raiseFix(this);
    }
  }

  /** Keep the limit: {@code owner} (a rule's code) sizes it, for the reason given. */
  record Keep(Target target, String why, String owner, Layer layer) implements Advice {
    @Override
    public Fix fix() {
      return new Fix(
          layer,
          "Do not raise the memory limit of " + who(target) + ": " + why + " (see " + owner + ").",
          Optional.empty());
    }
  }

  /**
   * The advice for the limit the reports hit (one incident, or one workload's kills), or empty when
   * no cgroup limit was hit (a host-wide OOM, a forced one, a limit no report printed, or the
   * node's pods together).
   */
  static Optional<Advice> advise(EvidenceSet evidence, List<OomReport> reports) {
    List<OomReport> hits =
        Episodes.shortages(reports).stream()
            .filter(r -> r.scope().filter(s -> s == OomScope.MEMCG).isPresent())
            .filter(r -> r.memcg().isPresent() && r.oomMemcg().isPresent())
            .toList();
    Optional<OomReport> shown =
        hits.stream()
            .filter(
                r ->
                    !MemcgState.isUnlimited(r.memcg().get().limitBytes())
                        || r.memcg().get().memswLimitHit())
            .reduce((a, b) -> b);
    if (shown.isEmpty()) {
      return Optional.empty();
    }
    OomReport r = shown.get();
    Optional<MemcgLevel> level = MemcgLevel.of(r);
    if (level.isEmpty() || level.get().isNodeLevel()) {
      return Optional.empty();
    }
    MemcgState m = r.memcg().get();
    String cgroup = r.oomMemcg().get();
    Target target = new Target(r, cgroup, level.get(), CgroupPaths.decode(cgroup), r.workload(), m);
    if (r.workload().kubevirt()) {
      return Optional.of(
          new Keep(
              target,
              "KubeVirt sets a virt-launcher pod's limit from its VM"
                  + " (guest memory + overhead); change the VM instead",
              "KUBEVIRT-OVERHEAD",
              Layer.HYPERVISOR));
    }
    if (leaks(evidence, cgroup, r)) {
      return Optional.of(
          new Keep(
              target,
              "its size grew from kill to kill, and a larger limit"
                  + " only moves the next kill later; the fix is in the code",
              "LEAK",
              Layer.APPLICATION));
    }
    long peak = 0;
    for (OomReport hit : hits) {
      peak = Math.max(peak, held(hit));
    }
    if (m.memswLimitHit()) {
      long current = m.memswLimitBytes().getAsLong();
      long memswPeak =
          Math.max(
              peak,
              hits.stream()
                  .mapToLong(h -> h.memcg().get().memswUsageBytes().orElse(0))
                  .max()
                  .orElse(0));
      return Optional.of(
          new Raise(
              target,
              LimitChange.Knob.MEMORY_AND_SWAP,
              current,
              memswPeak,
              raised(memswPeak, current),
              OptionalLong.empty(),
              heldBasis(memswPeak, " of memory and swap")));
    }
    long current = m.limitBytes();
    if (JvmAnalyzer.killedAJvm(r)) {
      OptionalLong needed = JvmAnalyzer.neededLimit(r);
      if (needed.isEmpty()) {
        return Optional.of(
            new Keep(
                target,
                "the JVM fits in it once its heap and off-heap" + " regions are capped",
                "JVM",
                Layer.JVM));
      }
      long jvm = needed.getAsLong();
      long raised = raised(peak, current);
      return Optional.of(
          new Raise(
              target,
              LimitChange.Knob.MEMORY,
              current,
              peak,
              Math.max(raised, roundMi(jvm)),
              swapAllowance(m),
              jvm > raised
                  ? "what the JVM needs: its non-heap regions and a 256 MiB heap"
                  : heldBasis(peak, "")));
    }
    return Optional.of(
        new Raise(
            target,
            LimitChange.Knob.MEMORY,
            current,
            peak,
            raised(peak, current),
            swapAllowance(m),
            heldBasis(peak, "")));
  }

  /** Seed 004's rule in words, for a limit sized from what the kernel saw held. */
  private static String heldBasis(long peakBytes, String what) {
    return "1.5 x the "
        + Sizes.human(peakBytes)
        + what
        + " it held when it was killed (a limit"
        + " at 1.5-2x the observed peak, never below it)";
  }

  /** The advice for the incident holding {@code report}, or for the report alone. */
  static Optional<Advice> advise(EvidenceSet evidence, OomReport report) {
    return advise(
        evidence, evidence.incidentOf(report).map(Incident::reports).orElse(List.of(report)));
  }

  /** What a cgroup held when the kernel killed in it: its usage, at least the victim's size. */
  static long held(OomReport r) {
    long usage = r.memcg().map(MemcgState::usageBytes).orElse(0L);
    return Math.max(usage, r.victim().map(LimitPolicy::victimHeld).orElse(0L));
  }

  /** What a victim held: anon + file + shmem RSS + page tables, as the kill line printed them. */
  static long victimHeld(Victim v) {
    return v.anonRssBytes().orElse(0)
        + v.fileRssBytes().orElse(0)
        + v.shmemRssBytes().orElse(0)
        + v.pgtablesBytes().orElse(0);
  }

  /** A limit for a single task that held {@code heldBytes}: the same rule, for its own cgroup. */
  static long forTask(long heldBytes) {
    return roundMi((long) Math.ceil(heldBytes * HEADROOM));
  }

  /** 1.5x the peak, in whole MiB, and above the limit in force. */
  private static long raised(long peakBytes, long currentBytes) {
    long raised = roundMi((long) Math.ceil(peakBytes * HEADROOM));
    return Math.max(raised, roundMi(currentBytes) + Sizes.MIB);
  }

  private static long roundMi(long bytes) {
    return Math.ceilDiv(bytes, Sizes.MIB) * Sizes.MIB;
  }

  private static OptionalLong swapAllowance(MemcgState m) {
    if (m.memswLimitBytes().isPresent()
        && !MemcgState.isUnlimited(m.memswLimitBytes().getAsLong())
        && !MemcgState.isUnlimited(m.limitBytes())) {
      return OptionalLong.of(Math.max(0, m.memswLimitBytes().getAsLong() - m.limitBytes()));
    }
    if (m.swapLimitBytes().isPresent() && !MemcgState.isUnlimited(m.swapLimitBytes().getAsLong())) {
      return m.swapLimitBytes();
    }
    return OptionalLong.empty();
  }

  /** The memory cgroups' series that show growth, by cgroup: what {@link #leaks} looks up. */
  private static final Derived<Map<String, List<KillSeries>>> GROWING =
      Derived.of(
          e -> {
            Map<String, List<KillSeries>> m = new HashMap<>();
            for (KillSeries s : KillSeries.of(e)) {
              if (s.memcg() && s.showsGrowth()) {
                m.computeIfAbsent(s.workload(), k -> new ArrayList<>()).add(s);
              }
            }
            return m;
          });

  private static boolean leaks(EvidenceSet evidence, String cgroup, OomReport r) {
    for (KillSeries s : GROWING.get(evidence).getOrDefault(cgroup, List.of())) {
      if (s.kills().stream().anyMatch(k -> k.report().host().equals(r.host()))) {
        return true;
      }
    }
    return false;
  }

  /** The limit's owner in words: {@code the container 1da1ac35179e}, {@code pod X}. */
  static String who(Target t) {
    Workload w = t.owner();
    return switch (t.level()) {
      case CONTAINER ->
          "the container "
              + shortId(w.containerId().or(() -> t.victimCgroup().containerId()))
              + w.podUid().map(p -> " of pod " + p).orElse("");
      case POD -> "pod " + w.podUid().orElse(t.cgroup());
      case UNIT -> "the systemd unit " + w.unit().orElse(t.cgroup());
      default -> "the memory cgroup " + t.cgroup();
    };
  }

  private static String shortId(Optional<String> id) {
    return id.map(x -> x.length() > 12 ? x.substring(0, 12) : x).orElse("(unnamed)");
  }

  private static Fix raiseFix(Raise a) {
    Target t = a.target();
    LimitChange change =
        new LimitChange(t.cgroup(), a.knob(), OptionalLong.of(a.currentBytes()), a.newBytes());
    long newMi = a.newBytes() / Sizes.MIB;
    String from = Sizes.quantityMi(a.currentBytes());
    String what =
        a.knob() == LimitChange.Knob.MEMORY_AND_SWAP ? "memory+swap limit" : "memory limit";
    String action =
        "Raise the "
            + what
            + " of "
            + who(t)
            + " from "
            + from
            + " to "
            + newMi
            + "Mi: "
            + a.basis()
            + ".";
    Workload w = t.owner();
    if (a.knob() == LimitChange.Knob.MEMORY_AND_SWAP) {
      return new Fix(
          Layer.CONTAINER_LIMIT,
          action
              + " memory+swap was the limit hit, memory"
              + " itself was below its own: the swap this cgroup may use ran out.",
          Optional.of(memswSnippet(t, a.newBytes())),
          Optional.of(change));
    }
    String swap =
        a.swapAllowanceBytes().isPresent() && a.swapAllowanceBytes().getAsLong() > 0
            ? " The swap it was allowed on top ("
                + Sizes.human(a.swapAllowanceBytes().getAsLong())
                + ") is kept."
            : "";
    return switch (t.level()) {
      case POD -> {
        String grower =
            TaskGrowth.compare(t.report())
                .trigger()
                .or(() -> TaskGrowth.compare(t.report()).largest())
                .map(TaskRow::comm)
                .orElse("the process that grew");
        long add = newMi - Sizes.ceilMib(a.currentBytes());
        yield new Fix(
            Layer.POD_SPEC,
            "Raise the memory limit of pod "
                + w.podUid().orElse(t.cgroup())
                + " from "
                + from
                + " to "
                + newMi
                + "Mi: its limit is the sum of its"
                + " containers' limits, so give the container running "
                + grower
                + " "
                + add
                + "Mi more; "
                + a.basis()
                + ".",
            Optional.of(
                "containers:\n"
                    + "- name: <container running "
                    + grower
                    + ">\n"
                    + "  resources:\n"
                    + "    limits:\n"
                    + "      memory: \"<its limit + "
                    + add
                    + "Mi>\"   # pod: "
                    + newMi
                    + "Mi\n"),
            Optional.of(change));
      }
      default ->
          new Fix(
              Layer.CONTAINER_LIMIT,
              action
                  + swap
                  + (t.level() == MemcgLevel.UNIT
                      ? " MemoryHigh= below MemoryMax= makes the kernel reclaim and throttle before it"
                          + " kills."
                      : ""),
              Optional.of(
                  LimitSnippet.forWorkload(
                      containerOwner(t),
                      t.cgroup(),
                      a.peakBytes(),
                      a.newBytes(),
                      a.swapAllowanceBytes(),
                      cgroupV1(t.memcg()),
                      command(t))),
              Optional.of(change));
    };
  }

  /**
   * The workload the snippet is written for: the limit's owner, or for a container's limit the
   * victim's cgroup when the owner's path alone does not name its runtime.
   */
  private static Workload containerOwner(Target t) {
    return t.level() == MemcgLevel.CONTAINER && t.owner().kind() == Workload.Kind.OTHER
        ? t.victimCgroup()
        : t.owner();
  }

  private static boolean cgroupV1(MemcgState m) {
    return m.memswLimitBytes().isPresent() || m.kmemLimitBytes().isPresent();
  }

  private static String command(Target t) {
    return t.report().victim().map(v -> "<" + v.comm() + " command>").orElse("<command>");
  }

  private static String memswSnippet(Target t, long newBytes) {
    Workload w = t.owner();
    long newMi = newBytes / Sizes.MIB;
    if (w.kind() == Workload.Kind.DOCKER || w.kind() == Workload.Kind.PODMAN) {
      String tool = w.kind() == Workload.Kind.PODMAN ? "podman" : "docker";
      long memMi = Sizes.ceilMib(t.memcg().limitBytes());
      return tool
          + " update --memory "
          + memMi
          + "m --memory-swap "
          + newMi
          + "m "
          + Shell.quote(
              w.containerId()
                  .map(x -> x.length() > 12 ? x.substring(0, 12) : x)
                  .orElse("<container>"))
          + "\n";
    }
    return "echo "
        + newBytes
        + " > "
        + Shell.quote(
            "/sys/fs/cgroup/memory/"
                + t.cgroup().replaceAll("^/+", "")
                + "/memory.memsw.limit_in_bytes")
        + "\n";
  }
}
