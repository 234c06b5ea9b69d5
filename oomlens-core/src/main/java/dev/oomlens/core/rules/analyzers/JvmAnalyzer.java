package dev.oomlens.core.rules.analyzers;

import static dev.oomlens.core.rules.Sizes.human;
import static dev.oomlens.core.rules.Sizes.wholePercent;

import dev.oomlens.core.calc.JvmBudget;
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
import dev.oomlens.core.model.Victim;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.RuleInfo;
import dev.oomlens.core.rules.Sizes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/*
 * A JVM the kernel killed died of SIGKILL: no java.lang.OutOfMemoryError was thrown, no
 * -XX:+HeapDumpOnOutOfMemoryError dump was written, nothing was logged; its heap may well have
 * been inside -Xmx. The kernel counts the whole process: heap + metaspace + code cache + thread
 * stacks + direct buffers + GC structures + malloc arenas (seed 004 pattern C).
 *
 * Identity: the victim's comm is "java", or a JVM thread's ("VM Thread", "GC Thread#0", "C2
 * CompilerThre"...: a thread can be named as the victim on old kernels, and is the trigger on
 * new ones) when a task row named java is the same process (same pid or tgid, or the same
 * total_vm, which only tasks sharing one mm have). Names alone never decide: the JVM must also
 * be what filled the memory: at a memcg OOM its RSS at least half the limit, at a global OOM the
 * largest RSS of the task table.
 *
 * The fix is the java-buildpack calculator's budget (dev.oomlens.core.calc.JvmBudget) for the
 * limit, with 100 MiB of metaspace assumed (a Spring Boot sized app) and the thread count from
 * the cgroup's kernel_stack when the stats print it (16 KiB per thread), else Paketo's 250.
 */

/** JVM: the kernel killed a JVM for its whole footprint, not a Java OutOfMemoryError. */
public final class JvmAnalyzer implements Analyzer {
  private static final long MIB = Sizes.MIB;
  static final long ASSUMED_METASPACE_BYTES = 100 * MIB;
  private static final long THREAD_STACK_BYTES = 16 * 1024;
  private static final Pattern JVM_THREAD =
      Pattern.compile(
          "VM Thread|GC Thread#\\d+|C[12] CompilerThre.*|G1 .*|VM Periodic Tas|Reference Handl"
              + "|Finalizer|Signal Dispatch|Common-Cleaner|Service Thread|Sweeper thread");
  private static final RuleInfo INFO =
      RuleInfo.of(
          "JVM",
          "The kernel killed a JVM for its whole footprint, not a Java OutOfMemoryError",
          Severity.HIGH,
          RuleInfo.Scope.WORKLOAD,
          Layer.APPLICATION,
          Layer.CONTAINER_LIMIT,
          Layer.JVM);

  @Override
  public RuleInfo info() {
    return INFO;
  }

  @Override
  public List<Finding> analyze(EvidenceSet evidence) {
    return Episodes.firstFindingPerEpisode(evidence, r -> analyze(evidence, r));
  }

  /** True when the task the kernel killed was a JVM (or one of its threads). */
  static boolean killedAJvm(OomReport r) {
    return r.victim().map(v -> v.comm().equals("java") || jvmRow(r, v).isPresent()).orElse(false);
  }

  /**
   * What a JVM killed in a memory cgroup needs as its limit when its regions cannot be capped to
   * fit the one it had: the regions besides the heap and a 256 MiB heap; empty when they can, or
   * when the victim was no JVM filling a limit.
   */
  static OptionalLong neededLimit(OomReport r) {
    Optional<Fit> fit = fit(r);
    if (fit.isEmpty() || !fit.get().memcg() || fit.get().capsFit()) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(fit.get().budget().overheadBytes() + 256 * MIB);
  }

  /**
   * The java-buildpack calculator's budget for a JVM victim in the memory it had: the limit of its
   * cgroup, or for a host-wide OOM what it held.
   */
  private record Fit(
      Victim victim,
      Optional<TaskRow> jvmRow,
      long rssBytes,
      long anonBytes,
      boolean memcg,
      Optional<ChargeBreakdown> breakdown,
      long total,
      String totalName,
      String threadSource,
      JvmBudget.Regions regions,
      JvmBudget budget,
      boolean compact) {
    /** True when capping the regions leaves the heap room enough: the limit can stay. */
    boolean capsFit() {
      return budget.fits() && budget.heapBytes() >= 32 * MIB;
    }
  }

  private static Optional<Fit> fit(OomReport r) {
    if (!killedAJvm(r)) {
      return Optional.empty();
    }
    Victim v = r.victim().get();
    Optional<TaskRow> jvmRow = jvmRow(r, v);
    long rssBytes = v.rssBytes().orElse(jvmRow.map(TaskRow::rssBytes).orElse(0L));
    long anonBytes = v.anonRssBytes().orElse(0);
    boolean memcg = r.scope().orElse(null) == OomScope.MEMCG;
    Optional<ChargeBreakdown> b = memcg ? ChargeBreakdown.of(r) : Optional.empty();
    long total;
    String totalName;
    if (memcg) {
      if (r.memcg().isEmpty() || MemcgState.isUnlimited(r.memcg().get().limitBytes())) {
        return Optional.empty();
      }
      total = r.memcg().get().limitBytes();
      totalName = "the " + human(total) + " limit";
      if (rssBytes * 2 < total) {
        return Optional.empty();
      }
    } else {
      long largest = 0;
      for (TaskRow t : r.tasks()) {
        if (!isSameProcess(t, v) && !jvmRow.map(j -> j == t).orElse(false)) {
          largest = Math.max(largest, t.rssBytes());
        }
      }
      if (rssBytes == 0 || largest > rssBytes) {
        return Optional.empty();
      }
      total = Math.floorDiv(rssBytes, MIB) * MIB;
      totalName = "the " + human(total) + " it held when the host ran out";
    }

    int threads = JvmBudget.DEFAULT_THREAD_COUNT;
    String threadSource = "Paketo's default of 250 threads";
    if (b.isPresent() && b.get().get("kernel_stack").isPresent()) {
      long n = b.get().get("kernel_stack").getAsLong() / THREAD_STACK_BYTES;
      if (n > 0) {
        threads = (int) Math.min(Integer.MAX_VALUE, n);
        threadSource = threads + " threads (kernel_stack / 16 KiB)";
      }
    }
    JvmBudget.Regions regions =
        JvmBudget.Regions.defaults(ASSUMED_METASPACE_BYTES).withThreadCount(threads);
    JvmBudget budget = JvmBudget.calculate(total, regions);
    boolean compact = false;
    if (budget.heapBytes() < total / 4) {
      regions = regions.withStackBytes(512 * 1024).withCodeCacheBytes(64 * MIB);
      budget = JvmBudget.calculate(total, regions);
      compact = true;
    }
    return Optional.of(
        new Fit(
            v,
            jvmRow,
            rssBytes,
            anonBytes,
            memcg,
            b,
            total,
            totalName,
            threadSource,
            regions,
            budget,
            compact));
  }

  private Optional<Finding> analyze(EvidenceSet evidence, OomReport r) {
    Optional<Fit> fitted = fit(r);
    if (fitted.isEmpty()) {
      return Optional.empty();
    }
    Fit f = fitted.get();
    Victim v = f.victim();
    Optional<TaskRow> jvmRow = f.jvmRow();
    long rssBytes = f.rssBytes();
    long anonBytes = f.anonBytes();
    boolean memcg = f.memcg();
    Optional<ChargeBreakdown> b = f.breakdown();
    long total = f.total();
    String totalName = f.totalName();
    String threadSource = f.threadSource();
    JvmBudget.Regions regions = f.regions();
    JvmBudget budget = f.budget();
    boolean compact = f.compact();

    StringBuilder why = new StringBuilder();
    why.append("The kernel killed the JVM ")
        .append(v.comm())
        .append(" (pid ")
        .append(v.pid())
        .append(
            jvmRow
                .filter(t -> t.pid() != v.pid())
                .map(t -> ", thread of java pid " + t.pid())
                .orElse(""))
        .append(
            ") with SIGKILL: this is not a java.lang.OutOfMemoryError. The JVM threw "
                + "nothing, wrote no heap dump and logged nothing; its heap may have been within "
                + "-Xmx. ");
    why.append("At the kill it held ")
        .append(human(anonBytes))
        .append(" of anon memory (")
        .append(human(rssBytes))
        .append(" resident in all)");
    if (memcg) {
      why.append(" = ").append(wholePercent(anonBytes, total)).append(" of ").append(totalName);
    } else {
      why.append(", the largest process when the host ran out");
    }
    why.append(
        ". The kernel counts the whole process: heap + metaspace + code cache + thread "
            + "stacks + direct buffers + GC structures + malloc arenas; -Xmx bounds only the heap "
            + "and direct buffers are unbounded unless capped. ");
    why.append(
        String.format(
            Locale.ROOT,
            "Budget for %s (java-buildpack memory calculator, "
                + "%s, metaspace %s assumed): %s - direct %s - metaspace %s - code cache %s - "
                + "%d x %s stacks = heap %s.",
            totalName,
            threadSource,
            human(ASSUMED_METASPACE_BYTES),
            human(total),
            human(budget.directBytes()),
            human(budget.metaspaceBytes()),
            human(budget.codeCacheBytes()),
            budget.threadCount(),
            human(budget.stackBytes()),
            budget.fits()
                ? human(budget.heapBytes())
                : "none (" + human(-budget.heapBytes()) + " short)"));
    if (compact) {
      why.append(
          " (Stacks at 512 KiB and a 64 MiB code cache: the calculator's defaults left "
              + "less than a quarter of the total for the heap.)");
    }

    List<SourceLine> ev = new ArrayList<>();
    r.memcg().ifPresent(m -> ev.add(m.source()));
    b.ifPresent(cb -> ev.addAll(cb.cite("anon", "kernel_stack")));
    jvmRow.ifPresent(t -> ev.add(t.source()));
    r.trigger()
        .filter(t -> t.comm().equals("java") || JVM_THREAD.matcher(t.comm()).matches())
        .ifPresent(t -> ev.add(t.source()));
    ev.add(v.source());

    List<Fix> fixes = new ArrayList<>();
    Optional<LimitPolicy.Advice> limit = memcg ? LimitPolicy.advise(evidence, r) : Optional.empty();
    if (f.capsFit()) {
      String flags = String.join(" ", budget.flags());
      fixes.add(
          new Fix(
              Layer.JVM,
              "Cap every region so the whole JVM fits "
                  + totalName
                  + ": heap "
                  + human(budget.heapBytes())
                  + " = "
                  + budget.maxRamPercentage()
                  + "% (or "
                  + budget.xmxFlag()
                  + "), metaspace, code cache, direct memory and stacks "
                  + "capped explicitly.",
              Optional.of(
                  "env:\n" + "  - name: JAVA_TOOL_OPTIONS\n" + "    value: \"" + flags + "\"")));
    } else if (limit.orElse(null) instanceof LimitPolicy.Raise raise) {
      fixes.add(raise.fix());
      JvmBudget then = JvmBudget.calculate(raise.newBytes(), regions);
      fixes.add(
          new Fix(
              Layer.JVM,
              "The regions besides the heap alone take "
                  + human(budget.overheadBytes())
                  + " of "
                  + totalName
                  + ". With the limit at "
                  + Sizes.quantityMi(raise.newBytes())
                  + ": heap "
                  + human(then.heapBytes())
                  + ", every region capped.",
              Optional.of(
                  "env:\n"
                      + "  - name: JAVA_TOOL_OPTIONS\n"
                      + "    value: \""
                      + String.join(" ", then.flags())
                      + "\"")));
    } else {
      limit.ifPresent(a -> fixes.add(a.fix()));
    }
    fixes.add(
        new Fix(
            Layer.APPLICATION,
            "Measure instead of assuming: turn on native memory "
                + "tracking and compare its committed total with the container's usage; the gap is "
                + "malloc arenas and mapped files.",
            Optional.of("-XX:NativeMemoryTracking=summary\njcmd <pid> VM.native_memory summary")));
    String summary =
        "The kernel killed JVM "
            + v.comm()
            + " (pid "
            + v.pid()
            + ") at "
            + human(rssBytes)
            + (memcg ? " of a " + human(total) + " limit" : " when the host ran out")
            + ": not a Java OutOfMemoryError";
    return Optional.of(
        new Finding(
            INFO.code(),
            Severity.HIGH,
            v.comm().equals("java") && jvmRow.isPresent() ? Confidence.HIGH : Confidence.MEDIUM,
            summary,
            why.toString(),
            SourceLines.distinct(ev),
            fixes));
  }

  /** The task row of the JVM the victim belongs to, when the table shows it. */
  private static Optional<TaskRow> jvmRow(OomReport r, Victim v) {
    boolean jvmName = v.comm().equals("java") || JVM_THREAD.matcher(v.comm()).matches();
    if (!jvmName) {
      return Optional.empty();
    }
    Optional<TaskRow> own = r.victimRow();
    if (own.isPresent()) {
      TaskRow t = own.get();
      if (t.comm().equals("java")) {
        return own;
      }
      return r.tasks().stream()
          .filter(o -> o.comm().equals("java") && t.tgid().isPresent() && o.tgid().equals(t.tgid()))
          .findFirst();
    }
    // A thread of the JVM was chosen: the process row shares its mm, hence its total_vm.
    return r.tasks().stream()
        .filter(t -> t.comm().equals("java") && isSameProcess(t, v))
        .findFirst();
  }

  private static boolean isSameProcess(TaskRow t, Victim v) {
    if (t.pid() == v.pid()) {
      return true;
    }
    return v.totalVmBytes().isPresent() && t.totalVmBytes() == v.totalVmBytes().getAsLong();
  }
}
