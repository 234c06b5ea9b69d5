package dev.oomlens.core.rules.analyzers;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.host.CgroupMemory;
import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.core.host.KeyedValues;
import dev.oomlens.core.host.PressureStall;
import dev.oomlens.core.model.Citation;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.SeriesWindow;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.ReportFacts;
import dev.oomlens.core.rules.RuleInfo;
import dev.oomlens.core.rules.RuleInfo.Watch;
import dev.oomlens.core.rules.Sizes;
import dev.oomlens.core.series.HostSeries;
import dev.oomlens.core.series.Series;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/*
 * Thrashing is the host (or a cgroup) spending its time waiting for memory instead of running:
 * reclaim evicts pages that are needed again at once, so they are read back (refaults) or swapped
 * back in, and the tasks stall. The kernel measures the stall itself: PSI
 * (Documentation/accounting/psi.rst), in /proc/pressure/memory and each cgroup v2's
 * memory.pressure. "some" is the share of wall time at least one task waited for memory, "full"
 * the share all non-idle tasks did (lost work). avg10/avg60 are that share over 10 s and 60 s.
 *
 * Thresholds, from what acting tools use:
 *   severe     full avg10 or avg60 >= 10 %  (nohang's warning level on full_avg10), or
 *              some avg10 or avg60 >= 40 %  (nohang's soft level)                  -> fires alone
 *   sustained  some avg10 or avg60 >= 5 %   (3 s of every minute; Android's lmkd acts on a
 *              partial stall of 7 % of a 1 s window)                               -> fires only
 *              with a sign that reclaim was losing: MemAvailable <= 5 % of MemTotal; file
 *              refaults (workingset_refault_file, or workingset_refault before 5.9, in pages)
 *              >= 25 % of everything read from disk (pgpgin, kB) once 64 MiB were read; swap
 *              >= 90 % used; a RAM's worth of pages swapped in and out (pswpin + pswpout). For a
 *              cgroup: memory.current >= 90 % of memory.max or memory.high, memory.events high or
 *              max > 0, memory.swap.current >= 90 % of memory.swap.max.
 * Where PSI is off (psi=0, CONFIG_PSI unset, kernels before 4.20) the host fires with low
 * confidence on MemAvailable <= 5 % together with another of those signs. vmstat counters are
 * cumulative since boot and the snapshot has no clock, so they corroborate; they never fire alone.
 * Page size for vmstat counts is taken as 4 kB (x86-64; 16/64 kB pages only make the refault
 * share look smaller).
 *
 * Cgroup pressure includes its descendants', so only the deepest stalled cgroups are reported;
 * the root cgroup's memory.pressure is the host's and is read from /proc/pressure/memory.
 *
 * Over time (node_exporter's node_pressure_memory_stalled_seconds_total, as a rate: the share of
 * time every task waited), a host whose PSI full stayed at or above 10 % (the severe level above)
 * for SUSTAINED_STALL (5 minutes: five avg60 windows back to back, not a passing blip) is named
 * with the stretch, its peak and the available memory meanwhile. Shorter runs are not.
 */

/** {@code THRASHING}: the host or a cgroup stalled on memory (PSI, refaults, swap storms). */
public final class ThrashingAnalyzer implements Analyzer {
  private static final RuleInfo INFO =
      RuleInfo.of(
              "THRASHING",
              "The host or a cgroup stalled waiting for memory (thrashing) around the kill",
              Severity.HIGH,
              RuleInfo.Scope.HOST,
              Layer.APPLICATION,
              Layer.CONTAINER_LIMIT,
              Layer.HYPERVISOR,
              Layer.NODE,
              Layer.POD_SPEC)
          .watching(
              Watch.metric(
                  "Pages swapped in and out per second",
                  "rate(node_vmstat_pswpin{instance}[5m]) + rate(node_vmstat_pswpout{instance}[5m])",
                  "near 0 in steady state"),
              Watch.criterion(
                  "Full memory stalls stay under 5% of the time",
                  "max_over_time(rate(node_pressure_memory_stalled_seconds_total{instance}[5m])[7d:5m]) < 0.05"));

  static final double SEVERE_FULL = 10.0;
  static final double SEVERE_SOME = 40.0;
  static final double SUSTAINED_SOME = 5.0;
  static final double LOW_AVAILABLE_SHARE = 0.05;
  static final double REFAULT_SHARE = 0.25;
  static final long MIN_READ_KB = 64 * HostFacts.KIB_PER_MIB;
  static final double FULL_SHARE = 0.90;
  static final long PAGE_KB = 4;

  @Override
  public RuleInfo info() {
    return INFO;
  }

  /** PSI full at or above 10 % for this long (5 minutes) is a sustained stall. */
  static final Duration SUSTAINED_STALL = Duration.ofMinutes(5);

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    List<Finding> out = new ArrayList<>();
    for (HostSeries h : evidence.hostSeries()) {
      overTime(h, evidence).ifPresent(out::add);
    }
    if (evidence.host().isEmpty()) {
      return out;
    }
    HostSnapshot host = evidence.host().get();
    hostFinding(host, evidence).ifPresent(out::add);
    List<Stalled> stalled = new ArrayList<>();
    for (CgroupMemory c : host.cgroups()) {
      if (c.path().equals("/") || c.pressure().isEmpty()) {
        continue;
      }
      Level level = level(c.pressure().get());
      List<Sign> signs = cgroupSigns(c);
      if (level == Level.SEVERE || (level == Level.SUSTAINED && !signs.isEmpty())) {
        stalled.add(new Stalled(c, level, signs));
      }
    }
    for (Stalled s : stalled) {
      boolean hasStalledChild =
          stalled.stream()
              .anyMatch(o -> o != s && o.cgroup().path().startsWith(s.cgroup().path() + "/"));
      if (!hasStalledChild) {
        out.add(cgroupFinding(s, evidence));
      }
    }
    return out;
  }

  enum Level {
    NONE,
    SUSTAINED,
    SEVERE
  }

  enum SignKind {
    MEMORY_SHORT,
    OTHER
  }

  /** A sign that reclaim was losing, with the lines that show it. */
  record Sign(SignKind kind, String text, List<Citation> lines) {}

  private record Stalled(CgroupMemory cgroup, Level level, List<Sign> signs) {}

  static Level level(PressureStall p) {
    double full = p.full().map(l -> Math.max(l.avg10(), l.avg60())).orElse(0.0);
    double some = Math.max(p.some().avg10(), p.some().avg60());
    if (full >= SEVERE_FULL || some >= SEVERE_SOME) {
      return Level.SEVERE;
    }
    return some >= SUSTAINED_SOME ? Level.SUSTAINED : Level.NONE;
  }

  static List<Sign> hostSigns(HostSnapshot host) {
    Optional<HostSnapshot> h = Optional.of(host);
    List<Sign> signs = new ArrayList<>();
    OptionalLong total = HostFacts.meminfoKb(h, "MemTotal");
    OptionalLong available = HostFacts.meminfoKb(h, "MemAvailable");
    if (total.isPresent()
        && available.isPresent()
        && total.getAsLong() > 0
        && available.getAsLong() <= total.getAsLong() * LOW_AVAILABLE_SHARE) {
      signs.add(
          new Sign(
              SignKind.MEMORY_SHORT,
              "MemAvailable "
                  + Sizes.kb(available.getAsLong())
                  + " of "
                  + Sizes.kb(total.getAsLong())
                  + " ("
                  + Sizes.percent(available.getAsLong(), total.getAsLong())
                  + ")",
              lines(
                  HostFacts.meminfoValue(h, "MemAvailable"),
                  HostFacts.meminfoValue(h, "MemTotal"))));
    }
    String refaultKey =
        HostFacts.vmstat(h, "workingset_refault_file").isPresent()
            ? "workingset_refault_file"
            : "workingset_refault";
    OptionalLong refaults = HostFacts.vmstat(h, refaultKey);
    OptionalLong pgpgin = HostFacts.vmstat(h, "pgpgin");
    if (refaults.isPresent() && pgpgin.isPresent() && pgpgin.getAsLong() >= MIN_READ_KB) {
      long refaultKb = refaults.getAsLong() * PAGE_KB;
      if (refaultKb >= pgpgin.getAsLong() * REFAULT_SHARE) {
        signs.add(
            new Sign(
                SignKind.OTHER,
                Sizes.kb(refaultKb)
                    + " of file pages read back soon after being evicted ("
                    + refaultKey
                    + " "
                    + refaults.getAsLong()
                    + "), "
                    + Sizes.percent(refaultKb, pgpgin.getAsLong())
                    + " of the "
                    + Sizes.kb(pgpgin.getAsLong())
                    + " read from disk since boot (pgpgin)",
                lines(HostFacts.vmstatValue(h, refaultKey), HostFacts.vmstatValue(h, "pgpgin"))));
      }
    }
    OptionalLong swapTotal = HostFacts.meminfoKb(h, "SwapTotal");
    OptionalLong swapFree = HostFacts.meminfoKb(h, "SwapFree");
    if (swapTotal.isPresent() && swapFree.isPresent() && swapTotal.getAsLong() > 0) {
      long used = swapTotal.getAsLong() - swapFree.getAsLong();
      if (used >= swapTotal.getAsLong() * FULL_SHARE) {
        signs.add(
            new Sign(
                SignKind.OTHER,
                "swap "
                    + Sizes.percent(used, swapTotal.getAsLong())
                    + " used ("
                    + Sizes.kb(swapFree.getAsLong())
                    + " free of "
                    + Sizes.kb(swapTotal.getAsLong())
                    + ")",
                lines(
                    HostFacts.meminfoValue(h, "SwapTotal"),
                    HostFacts.meminfoValue(h, "SwapFree"))));
      }
    }
    long swapped =
        (HostFacts.vmstat(h, "pswpin").orElse(0) + HostFacts.vmstat(h, "pswpout").orElse(0))
            * PAGE_KB;
    if (total.isPresent() && total.getAsLong() > 0 && swapped >= total.getAsLong()) {
      signs.add(
          new Sign(
              SignKind.OTHER,
              Sizes.kb(swapped)
                  + " swapped in and out since boot (pswpin + pswpout), more than all of RAM",
              lines(HostFacts.vmstatValue(h, "pswpin"), HostFacts.vmstatValue(h, "pswpout"))));
    }
    return signs;
  }

  static List<Sign> cgroupSigns(CgroupMemory c) {
    List<Sign> signs = new ArrayList<>();
    OptionalLong bound = smallest(c.limitBytes(), c.highBytes());
    if (c.currentBytes().isPresent()
        && bound.isPresent()
        && c.currentBytes().getAsLong() >= bound.getAsLong() * FULL_SHARE) {
      boolean highIsBound =
          c.highBytes().isPresent() && c.highBytes().getAsLong() == bound.getAsLong();
      String which =
          highIsBound ? "memory.high" : c.version() == 2 ? "memory.max" : "memory.limit_in_bytes";
      signs.add(
          new Sign(
              SignKind.OTHER,
              "usage "
                  + Sizes.kb(c.currentBytes().getAsLong() / 1024)
                  + " is "
                  + Sizes.percent(c.currentBytes().getAsLong(), bound.getAsLong())
                  + " of "
                  + which
                  + " ("
                  + Sizes.kb(bound.getAsLong() / 1024)
                  + ")",
              List.of(c.source())));
    }
    if (c.events().isPresent()) {
      KeyedValues ev = c.events().get();
      for (String key : List.of("high", "max")) {
        long n = ev.get(key).orElse(0);
        if (n > 0) {
          signs.add(
              new Sign(
                  SignKind.OTHER,
                  "memory.events "
                      + key
                      + " "
                      + n
                      + " (times it was "
                      + (key.equals("high") ? "throttled above memory.high" : "at memory.max")
                      + ")",
                  lines(ev.cite(key))));
        }
      }
    }
    if (c.swapCurrentBytes().isPresent()
        && c.swapLimitBytes().isPresent()
        && c.swapLimitBytes().getAsLong() > 0
        && c.swapCurrentBytes().getAsLong() >= c.swapLimitBytes().getAsLong() * FULL_SHARE) {
      signs.add(
          new Sign(
              SignKind.OTHER,
              "swap "
                  + Sizes.kb(c.swapCurrentBytes().getAsLong() / 1024)
                  + " of memory.swap.max "
                  + Sizes.kb(c.swapLimitBytes().getAsLong() / 1024),
              List.of(c.source())));
    }
    return signs;
  }

  private static OptionalLong smallest(OptionalLong a, OptionalLong b) {
    if (a.isPresent() && b.isPresent()) {
      return OptionalLong.of(Math.min(a.getAsLong(), b.getAsLong()));
    }
    return a.isPresent() ? a : b;
  }

  @SafeVarargs
  private static List<Citation> lines(Optional<? extends Citation>... lines) {
    List<Citation> out = new ArrayList<>();
    for (Optional<? extends Citation> l : lines) {
      l.ifPresent(out::add);
    }
    return out;
  }

  private Optional<Finding> overTime(HostSeries h, EvidenceSet evidence) {
    Optional<HostSeries.Stall> found = h.longestStall();
    if (found.isEmpty() || found.get().duration().compareTo(SUSTAINED_STALL) < 0) {
      return Optional.empty();
    }
    HostSeries.Stall stall = found.get();
    long minutes = stall.duration().toMinutes();
    String peak = String.format(Locale.ROOT, "%.0f%%", stall.peakShare() * 100);
    List<Citation> cited = new ArrayList<>();
    h.window(
            Series.Role.HOST_PSI_FULL,
            Optional.of(stall.from()),
            Optional.of(stall.to()),
            SeriesFacts.CITED_POINTS)
        .ifPresent(cited::add);
    StringBuilder why =
        new StringBuilder("PSI full of ")
            .append(h.instance())
            .append(" (the rate of node_pressure_memory_stalled_seconds_total) stayed at or above ")
            .append((int) SEVERE_FULL)
            .append("% from ")
            .append(stall.from())
            .append(" to ")
            .append(stall.to())
            .append(" (")
            .append(minutes)
            .append(" min), up to ")
            .append(peak)
            .append(
                ": for that share of the time every task of the host waited for memory instead"
                    + " of running. That long is thrashing, not a passing blip.");
    OptionalDouble ram = h.last(Series.Role.HOST_MEM_TOTAL);
    Optional<SeriesWindow> available =
        h.window(
            Series.Role.HOST_MEM_AVAILABLE,
            Optional.of(stall.from()),
            Optional.of(stall.to()),
            SeriesFacts.CITED_POINTS);
    if (available.isPresent() && !available.get().samples().isEmpty()) {
      double low =
          available.get().samples().stream()
              .mapToDouble(SeriesWindow.Sample::value)
              .min()
              .orElse(0);
      why.append(" MemAvailable meanwhile: as low as ").append(Sizes.bytes((long) low));
      if (ram.isPresent()) {
        why.append(" of ").append(Sizes.bytes((long) ram.getAsDouble()));
      }
      why.append('.');
      cited.add(available.get());
    }
    Optional<OomReport> kill =
        evidence.reports().stream()
            .filter(r -> r.host().filter(n -> n.equals(h.host())).isPresent())
            .filter(r -> ReportFacts.isGlobal(r) && !ReportFacts.isManual(r))
            .findFirst();
    String summary =
        "Host "
            + h.host()
            + " stalled on memory for "
            + minutes
            + " min (PSI full up to "
            + peak
            + ") from "
            + stall.from();
    if (kill.isPresent()) {
      String victim = kill.get().victim().map(ReportFacts::name).orElse("a task");
      why.append(" The kernel's host-wide OOM killer killed ")
          .append(victim)
          .append(" on this host (")
          .append(ReportFacts.where(kill.get()))
          .append(").");
      kill.get().victim().ifPresent(v -> cited.add(v.source()));
    }
    long ramKb = ram.isPresent() ? (long) ram.getAsDouble() / 1024 : 0;
    return Optional.of(
        new Finding(
            INFO.code(),
            Severity.HIGH,
            Confidence.HIGH,
            summary,
            why.toString(),
            ReportFacts.sorted(cited),
            hostFixes("system.slice", ramKb)));
  }

  private Optional<Finding> hostFinding(HostSnapshot host, EvidenceSet evidence) {
    List<Sign> signs = hostSigns(host);
    Optional<PressureStall> psi = host.memoryPressure();
    Level level = psi.map(ThrashingAnalyzer::level).orElse(Level.NONE);
    Confidence confidence;
    if (psi.isPresent()) {
      if (level == Level.SEVERE) {
        confidence = Confidence.HIGH;
      } else if (level == Level.SUSTAINED && !signs.isEmpty()) {
        confidence = Confidence.MEDIUM;
      } else {
        return Optional.empty();
      }
    } else {
      boolean memoryShort = signs.stream().anyMatch(x -> x.kind() == SignKind.MEMORY_SHORT);
      if (!memoryShort || signs.size() < 2) {
        return Optional.empty();
      }
      confidence = Confidence.LOW;
    }
    List<Citation> cited = new ArrayList<>();
    StringBuilder why = new StringBuilder();
    String stall;
    if (psi.isPresent()) {
      PressureStall p = psi.get();
      stall = describe(p);
      why.append("PSI of the host (")
          .append(p.path())
          .append("): ")
          .append(stall)
          .append(". ")
          .append(meaning(level));
      cited.add(p.some().cite());
      p.full().ifPresent(f -> cited.add(f.cite()));
    } else {
      stall = "no PSI";
      why.append(
          "PSI is not available on this host (psi=0, or a kernel before 4.20), so the stall"
              + " itself cannot be measured; the vmstat and meminfo signs below are all there is.");
    }
    appendSigns(why, signs, cited);
    Optional<OomReport> kill =
        evidence.reports().stream()
            .filter(r -> ReportFacts.isGlobal(r) && !ReportFacts.isManual(r))
            .findFirst();
    String summary =
        "The host " + (kill.isPresent() ? "stalled" : "is stalling") + " on memory (" + stall + ")";
    if (kill.isPresent()) {
      OomReport r = kill.get();
      String victim = r.victim().map(ReportFacts::name).orElse("a task");
      why.append(" The kernel's host-wide OOM killer then killed ")
          .append(victim)
          .append(" (")
          .append(ReportFacts.where(r))
          .append(
              "): the kill ended a period of degradation, it did" + " not come out of the blue.");
      r.victim().ifPresent(v -> cited.add(v.source()));
      summary += " before " + victim + " was killed";
    } else {
      why.append(
          " No host-wide OOM report is in the input: this is the state when the snapshot"
              + " was taken, a warning before a kill.");
    }
    long ramKb = HostFacts.meminfoKb(Optional.of(host), "MemTotal").orElse(0);
    String slice =
        kill.flatMap(OomReport::taskMemcg).map(ThrashingAnalyzer::topSlice).orElse("system.slice");
    return Optional.of(
        new Finding(
            INFO.code(),
            kill.isPresent() ? Severity.HIGH : Severity.MEDIUM,
            confidence,
            summary,
            why.toString(),
            ReportFacts.sorted(cited),
            hostFixes(slice, ramKb)));
  }

  private Finding cgroupFinding(Stalled s, EvidenceSet evidence) {
    CgroupMemory c = s.cgroup();
    PressureStall p = c.pressure().orElseThrow();
    List<Citation> cited = new ArrayList<>();
    cited.add(p.some().cite());
    p.full().ifPresent(f -> cited.add(f.cite()));
    String stall = describe(p);
    StringBuilder why =
        new StringBuilder("PSI of cgroup ")
            .append(c.path())
            .append(" (")
            .append(p.path())
            .append("): ")
            .append(stall)
            .append(". ")
            .append(meaning(s.level()));
    appendSigns(why, s.signs(), cited);
    boolean throttledByHigh =
        c.highBytes().isPresent()
            && c.currentBytes().isPresent()
            && c.currentBytes().getAsLong() >= c.highBytes().getAsLong() * FULL_SHARE;
    if (throttledByHigh) {
      why.append(" Its usage sits at memory.high (")
          .append(Sizes.kb(c.highBytes().getAsLong() / 1024))
          .append(
              "): the kernel throttles"
                  + " and reclaims it there on purpose, and the stall is that throttling: its working"
                  + " set does not fit under memory.high.");
    }
    Optional<OomReport> kill =
        evidence.reports().stream().filter(r -> inside(r, c.path())).findFirst();
    String summary =
        "Cgroup "
            + c.path()
            + " "
            + (kill.isPresent() ? "stalled" : "is stalling")
            + " on memory ("
            + stall
            + ")";
    if (kill.isPresent()) {
      OomReport r = kill.get();
      String victim = r.victim().map(ReportFacts::name).orElse("a task");
      why.append(" The kernel then killed ")
          .append(victim)
          .append(" in it (")
          .append(ReportFacts.where(r))
          .append(").");
      r.victim().ifPresent(v -> cited.add(v.source()));
      summary += " before " + victim + " was killed";
    }
    Confidence confidence = s.level() == Level.SEVERE ? Confidence.HIGH : Confidence.MEDIUM;
    return new Finding(
        INFO.code(),
        kill.isPresent() ? Severity.HIGH : Severity.MEDIUM,
        confidence,
        summary,
        why.toString(),
        ReportFacts.sorted(cited),
        cgroupFixes(c, throttledByHigh));
  }

  private static boolean inside(OomReport r, String path) {
    for (Optional<String> cg : List.of(r.oomMemcg(), r.taskMemcg())) {
      if (cg.isPresent() && (cg.get().equals(path) || cg.get().startsWith(path + "/"))) {
        return true;
      }
    }
    return false;
  }

  private static String describe(PressureStall p) {
    StringBuilder b = new StringBuilder();
    if (p.full().isPresent()) {
      PressureStall.Line f = p.full().get();
      b.append("full avg10 ")
          .append(HostFacts.psi(f.avg10()))
          .append(" avg60 ")
          .append(HostFacts.psi(f.avg60()))
          .append(", ");
    }
    return b.append("some avg10 ")
        .append(HostFacts.psi(p.some().avg10()))
        .append(" avg60 ")
        .append(HostFacts.psi(p.some().avg60()))
        .toString();
  }

  private static String meaning(Level level) {
    return level == Level.SEVERE
        ? "That is a severe stall (full >= "
            + (int) SEVERE_FULL
            + "% or some >= "
            + (int) SEVERE_SOME
            + "% over 10 or 60 s): for that share of the time every"
            + " (full) or some task waited for memory instead of running."
        : "That is a sustained stall (some >= "
            + (int) SUSTAINED_SOME
            + "% over 10 or 60 s);"
            + " with the signs below it is thrashing, not a passing blip.";
  }

  private static void appendSigns(StringBuilder why, List<Sign> signs, List<Citation> cited) {
    if (signs.isEmpty()) {
      return;
    }
    why.append(" Signs that reclaim could not keep up: ");
    for (int i = 0; i < signs.size(); i++) {
      why.append(i == 0 ? "" : "; ").append(signs.get(i).text());
      cited.addAll(signs.get(i).lines());
    }
    why.append('.');
  }

  /** {@code /user.slice/user-1000.slice/session-2.scope} → {@code user.slice}. */
  static String topSlice(String cgroup) {
    String[] parts = cgroup.split("/");
    for (String part : parts) {
      if (part.endsWith(".slice")) {
        return part;
      }
    }
    return "system.slice";
  }

  private static List<Fix> hostFixes(String slice, long ramKb) {
    List<Fix> fixes = new ArrayList<>();
    fixes.add(
        new Fix(
            Layer.NODE,
            "Act on pressure before the kernel has to: let systemd-oomd kill the most reclaiming"
                + " cgroup of "
                + slice
                + " once its PSI stays above 50% for 20 s, instead of"
                + " thrashing for minutes and then an OOM kill.",
            Optional.of(
                "systemctl enable --now systemd-oomd\n"
                    + "# systemctl edit "
                    + slice
                    + "\n"
                    + "[Slice]\n"
                    + "ManagedOOMMemoryPressure=kill\n"
                    + "ManagedOOMMemoryPressureLimit=50%\n"
                    + "# /etc/systemd/oomd.conf.d/10-thrashing.conf\n"
                    + "[OOM]\n"
                    + "DefaultMemoryPressureDurationSec=20s\n")));
    if (ramKb > 0) {
      long highMi = Sizes.ceilMi(ramKb) * 7 / 10;
      long maxMi = Sizes.ceilMi(ramKb) * 8 / 10;
      fixes.add(
          new Fix(
              Layer.CONTAINER_LIMIT,
              "Bound the workloads with memory.high below memory.max so the kernel throttles and"
                  + " reclaims them early, while the rest of the host keeps running: "
                  + highMi
                  + " MiB high and "
                  + maxMi
                  + " MiB max (70% and 80% of "
                  + Sizes.kb(ramKb)
                  + " RAM) for "
                  + slice
                  + ".",
              Optional.of(
                  "# systemctl edit "
                      + slice
                      + "\n[Slice]\nMemoryHigh="
                      + highMi
                      + "M\nMemoryMax="
                      + maxMi
                      + "M\n")));
    }
    fixes.add(
        new Fix(
            Layer.APPLICATION,
            "Shrink the working set: what is read back right after eviction (file refaults) or swapped"
                + " back in is memory the workload needs at once; fewer parallel jobs, smaller caches"
                + " or buffers, or a smaller mmap'd data set.",
            Optional.empty()));
    fixes.add(
        new Fix(
            Layer.HYPERVISOR,
            "Or give the host more RAM: a working set larger than RAM thrashes whatever the"
                + " settings.",
            Optional.empty()));
    return fixes;
  }

  private static List<Fix> cgroupFixes(CgroupMemory c, boolean throttledByHigh) {
    List<Fix> fixes = new ArrayList<>();
    String leaf = c.path().substring(c.path().lastIndexOf('/') + 1);
    // Kubernetes' cgroups belong to the kubelet and the runtime: a systemd property set on them
    // is overwritten, so they get the cgroup file for now and the pod spec for good.
    boolean kube =
        switch (c.workload().kind()) {
          case CONTAINER, POD, KUBEPODS -> true;
          default -> false;
        };
    boolean unit =
        !kube && (leaf.endsWith(".service") || leaf.endsWith(".scope") || leaf.endsWith(".slice"));
    String section =
        leaf.endsWith(".slice") ? "Slice" : leaf.endsWith(".scope") ? "Scope" : "Service";
    String target = unit ? leaf : "<unit>";
    OptionalLong current = c.currentBytes();
    if (throttledByHigh && c.highBytes().isPresent()) {
      long highKb = c.highBytes().getAsLong() / 1024;
      long newHighKb = highKb * 3 / 2;
      boolean pastMax =
          c.limitBytes().isPresent() && newHighKb >= c.limitBytes().getAsLong() / 1024;
      String action;
      String value;
      if (pastMax) {
        action =
            "memory.high ("
                + Sizes.kb(highKb)
                + ") is what holds it, "
                + Sizes.kb(c.limitBytes().getAsLong() / 1024 - highKb)
                + " under memory.max ("
                + Sizes.kb(c.limitBytes().getAsLong() / 1024)
                + "): remove it so only the limit"
                + " applies, and raise the limit too if the working set needs more.";
        value = unit ? "infinity" : "max";
      } else {
        action =
            "memory.high ("
                + Sizes.kb(highKb)
                + ") is what holds it: raise it to what the"
                + " working set needs, e.g. 1.5x to "
                + Sizes.ceilMi(newHighKb)
                + " MiB.";
        value = unit ? Sizes.ceilMi(newHighKb) + "M" : String.valueOf(newHighKb * 1024);
      }
      fixes.add(
          new Fix(
              Layer.CONTAINER_LIMIT,
              action,
              Optional.of(
                  unit
                      ? "systemctl set-property " + target + " MemoryHigh=" + value + "\n"
                      : "echo " + value + " > /sys/fs/cgroup" + c.path() + "/memory.high\n")));
    } else if (c.version() == 2 && c.limitBytes().isPresent()) {
      long maxKb = c.limitBytes().getAsLong() / 1024;
      long highMi = Math.max(1, Sizes.ceilMi(maxKb) * 9 / 10);
      fixes.add(
          new Fix(
              Layer.CONTAINER_LIMIT,
              "Set memory.high below memory.max ("
                  + highMi
                  + " MiB, 90% of "
                  + Sizes.kb(maxKb)
                  + ") so the kernel throttles and reclaims the cgroup early"
                  + " and the stall shows up as slowness, well before the OOM kill at memory.max.",
              Optional.of(
                  unit
                      ? "# systemctl edit "
                          + target
                          + "\n["
                          + section
                          + "]\nMemoryHigh="
                          + highMi
                          + "M\n"
                      : "echo "
                          + highMi * 1024 * 1024
                          + " > /sys/fs/cgroup"
                          + c.path()
                          + "/memory.high\n")));
    }
    if (kube) {
      long needMi = Sizes.ceilMi(current.orElse(0) / 1024 * 3 / 2);
      fixes.add(
          new Fix(
              Layer.POD_SPEC,
              "Size the container for its working set: a limit about 1.5x what it uses now ("
                  + needMi
                  + " Mi); with the MemoryQoS feature the kubelet sets memory.high from"
                  + " the limit (memoryThrottlingFactor, 0.9 by default).",
              Optional.of(
                  "resources:\n  requests:\n    memory: \""
                      + needMi
                      + "Mi\"\n"
                      + "  limits:\n    memory: \""
                      + needMi
                      + "Mi\"\n")));
    } else {
      fixes.add(
          new Fix(
              Layer.NODE,
              "Let systemd-oomd act on this cgroup's pressure (kill it once PSI stays above 50% for"
                  + " 20 s) rather than letting it thrash.",
              Optional.of(
                  "systemctl enable --now systemd-oomd\n# systemctl edit "
                      + target
                      + "\n["
                      + section
                      + "]\nManagedOOMMemoryPressure=kill\n"
                      + "ManagedOOMMemoryPressureLimit=50%\n")));
    }
    String size =
        current.isPresent() ? " It uses " + Sizes.kb(current.getAsLong() / 1024) + " now." : "";
    fixes.add(
        new Fix(
            Layer.APPLICATION,
            "Shrink the working set of what runs in it (fewer parallel jobs, smaller caches), or"
                + " raise its limit if that much memory is really needed."
                + size,
            Optional.empty()));
    return fixes;
  }
}
