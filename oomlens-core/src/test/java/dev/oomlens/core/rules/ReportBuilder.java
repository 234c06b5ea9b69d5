package dev.oomlens.core.rules;

import dev.oomlens.core.model.Constraint;
import dev.oomlens.core.model.FactLines;
import dev.oomlens.core.model.GroupKill;
import dev.oomlens.core.model.HostMemory;
import dev.oomlens.core.model.KiB;
import dev.oomlens.core.model.LogTime;
import dev.oomlens.core.model.MemcgState;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.OomScope;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.model.SourceRange;
import dev.oomlens.core.model.TaskRow;
import dev.oomlens.core.model.Trigger;
import dev.oomlens.core.model.Victim;
import dev.oomlens.core.model.Workload;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds OOM reports by hand for the cases no real report shows (near misses): every line it makes
 * up is numbered in one made-up input so findings can still cite lines. Sizes are given in the
 * kernel's units (kB, 4 KiB pages), as the made-up lines print them.
 */
public final class ReportBuilder {
  private static final long PAGE = 4096;

  private final String file;
  private long nextLine = 1;
  private Optional<String> host = Optional.empty();
  private LogTime time = LogTime.UNKNOWN;
  private Optional<Trigger> trigger = Optional.empty();
  private Optional<Constraint> constraint = Optional.empty();
  private Optional<OomScope> scope = Optional.empty();
  private Optional<String> oomMemcg = Optional.empty();
  private Optional<String> taskMemcg = Optional.empty();
  private Optional<MemcgState> memcg = Optional.empty();
  private Optional<HostMemory> hostMemory = Optional.empty();
  private final List<TaskRow> tasks = new ArrayList<>();
  private Optional<Victim> victim = Optional.empty();
  private Optional<GroupKill> groupKill = Optional.empty();
  private Optional<String> panic = Optional.empty();
  private Workload workload = Workload.UNKNOWN;
  private final List<SourceLine> lines = new ArrayList<>();
  private Optional<String> nodemask = Optional.empty();
  private Optional<SourceLine> summaryLine = Optional.empty();
  private Optional<SourceLine> panicLine = Optional.empty();
  private final List<HostMemory.FreeArea> freeAreas = new ArrayList<>();

  public ReportBuilder(String file) {
    this(file, 1);
  }

  /** A report of {@code file} whose first made-up line is {@code firstLine}. */
  public ReportBuilder(String file, long firstLine) {
    this.file = file;
    this.nextLine = firstLine;
  }

  /** A made-up line of this input, numbered after the previous one. */
  public SourceLine line(String text) {
    SourceLine l = new SourceLine(file, nextLine++, text);
    lines.add(l);
    return l;
  }

  public ReportBuilder host(String name) {
    host = Optional.of(name);
    return this;
  }

  public ReportBuilder at(double monotonicSeconds) {
    time = new LogTime(OptionalDouble.of(monotonicSeconds), Optional.empty(), false);
    return this;
  }

  public ReportBuilder trigger(String comm, long pid, int order, int adj) {
    trigger =
        Optional.of(
            new Trigger(
                comm,
                OptionalLong.of(pid),
                Optional.of("0xcc0(GFP_KERNEL)"),
                OptionalInt.of(order),
                OptionalInt.of(adj),
                line(
                    comm
                        + " invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order="
                        + order
                        + ", oom_score_adj="
                        + adj)));
    return this;
  }

  /** A memcg OOM of {@code oom} (limit and usage in kB), the victim in {@code task}. */
  public ReportBuilder memcg(String oom, String task, long usageKb, long limitKb) {
    constraint = Optional.of(Constraint.CONSTRAINT_MEMCG);
    scope = Optional.of(OomScope.MEMCG);
    oomMemcg = Optional.of(oom);
    taskMemcg = Optional.of(task);
    SourceLine l = line("memory: usage " + usageKb + "kB, limit " + limitKb + "kB, failcnt 7");
    memcg =
        Optional.of(
            new MemcgState(
                KiB.toBytes(usageKb),
                KiB.toBytes(limitKb),
                OptionalLong.of(7),
                OptionalLong.empty(),
                OptionalLong.empty(),
                OptionalLong.empty(),
                OptionalLong.empty(),
                OptionalLong.empty(),
                OptionalLong.empty(),
                OptionalLong.empty(),
                OptionalLong.empty(),
                OptionalLong.empty(),
                List.of(),
                l,
                Optional.empty(),
                Optional.empty(),
                Optional.empty()));
    summaryLine =
        Optional.of(
            line(
                "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg="
                    + oom
                    + ",task_memcg="
                    + task
                    + ",task=x,pid=1,uid=0"));
    nodemask = Optional.of("(null)");
    return this;
  }

  /** A global OOM whose Mem-Info has the given counters (pages) and one Normal zone (kB). */
  public ReportBuilder global(
      Map<String, Long> counters,
      long ramPages,
      long totalSwapKb,
      long freeSwapKb,
      long zoneFreeKb,
      long minKb,
      long lowKb,
      long highKb) {
    constraint = Optional.of(Constraint.CONSTRAINT_NONE);
    scope = Optional.of(OomScope.GLOBAL);
    SourceLine info = line("Mem-Info:");
    SourceLine zone =
        line(
            "Node 0 Normal free:"
                + zoneFreeKb
                + "kB min:"
                + minKb
                + "kB low:"
                + lowKb
                + "kB high:"
                + highKb
                + "kB present:"
                + ramPages * 4
                + "kB managed:"
                + ramPages * 4
                + "kB");
    SourceLine freeSwap = line("Free swap  = " + freeSwapKb + "kB");
    SourceLine totalSwap = line("Total swap = " + totalSwapKb + "kB");
    SourceLine ram = line(ramPages + " pages RAM");
    Map<String, Long> counterBytes = new LinkedHashMap<>();
    counters.forEach((k, v) -> counterBytes.put(k, v * PAGE));
    hostMemory =
        Optional.of(
            new HostMemory(
                counterBytes,
                List.of(
                    new HostMemory.ZoneMemory(
                        0,
                        "Normal",
                        OptionalLong.of(zoneFreeKb * 1024),
                        OptionalLong.of(minKb * 1024),
                        OptionalLong.of(lowKb * 1024),
                        OptionalLong.of(highKb * 1024),
                        OptionalLong.of(ramPages * PAGE),
                        OptionalLong.of(ramPages * PAGE),
                        zone)),
                List.of(),
                OptionalLong.empty(),
                OptionalLong.empty(),
                OptionalLong.of(freeSwapKb * 1024),
                OptionalLong.of(totalSwapKb * 1024),
                OptionalLong.of(ramPages * PAGE),
                OptionalLong.of(0),
                OptionalLong.empty(),
                OptionalLong.empty(),
                OptionalLong.empty(),
                List.of(),
                info,
                Map.of(),
                Map.of("pages RAM", ram),
                Optional.of(freeSwap),
                Optional.of(totalSwap),
                List.of()));
    summaryLine =
        Optional.of(
            line(
                "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom"));
    nodemask = Optional.of("(null)");
    return this;
  }

  public ReportBuilder task(long pid, long rssPages, long swapents, int adj, String comm) {
    tasks.add(
        new TaskRow(
            pid,
            OptionalLong.of(0),
            OptionalLong.of(pid),
            (rssPages + 100) * PAGE,
            rssPages * PAGE,
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.of(4096),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.of(swapents * PAGE),
            adj,
            comm,
            line(
                String.format(
                    "[%7d] %5d %5d %8d %8d %8d %8d %13d %s",
                    pid, 0, pid, rssPages + 100, rssPages, 4096, swapents, adj, comm))));
    return this;
  }

  public ReportBuilder victim(long pid, String comm, long anonRssKb, int adj) {
    victim =
        Optional.of(
            new Victim(
                pid,
                comm,
                OptionalLong.of((anonRssKb + 100) * 1024),
                OptionalLong.of(anonRssKb * 1024),
                OptionalLong.of(0),
                OptionalLong.of(0),
                OptionalLong.of(0),
                OptionalLong.of(8 * 1024),
                OptionalInt.of(adj),
                OptionalLong.empty(),
                line(
                    "Out of memory: Killed process "
                        + pid
                        + " ("
                        + comm
                        + ") total-vm:"
                        + (anonRssKb + 100)
                        + "kB, anon-rss:"
                        + anonRssKb
                        + "kB, file-rss:0kB,"
                        + " shmem-rss:0kB, UID:0 pgtables:8kB oom_score_adj:"
                        + adj)));
    return this;
  }

  /**
   * A buddy-list line of the global OOM's show_mem block, e.g. {@code Node 0 Normal: 3*4kB (UM)
   * 2*8kB = 28kB}; its free blocks are read from the text given.
   */
  public ReportBuilder freeArea(String text) {
    Matcher m = FREE_AREA.matcher(text);
    if (!m.find()) {
      throw new IllegalArgumentException("not a buddy list: " + text);
    }
    List<HostMemory.FreeBlocks> blocks = new ArrayList<>();
    Matcher b = BLOCK.matcher(text);
    while (b.find()) {
      blocks.add(
          new HostMemory.FreeBlocks(Long.parseLong(b.group(1)), Long.parseLong(b.group(2)) * 1024));
    }
    freeAreas.add(
        new HostMemory.FreeArea(Integer.parseInt(m.group(1)), m.group(2), blocks, line(text)));
    return this;
  }

  private static final Pattern FREE_AREA = Pattern.compile("^Node (\\d+) (\\w+): ");
  private static final Pattern BLOCK = Pattern.compile("(\\d+)\\*(\\d+)kB");

  public ReportBuilder groupKill(GroupKill kill) {
    groupKill = Optional.of(kill);
    return this;
  }

  public ReportBuilder panic(String text) {
    panic = Optional.of(text);
    panicLine = Optional.of(line("Kernel panic - not syncing: " + text));
    return this;
  }

  public ReportBuilder workload(Workload w) {
    workload = w;
    return this;
  }

  public OomReport build() {
    Optional<HostMemory> hostMemory =
        this.hostMemory.map(
            h ->
                new HostMemory(
                    h.counterBytes(),
                    h.zones(),
                    h.hugepages(),
                    h.pagecacheBytes(),
                    h.swapCacheBytes(),
                    h.freeSwapBytes(),
                    h.totalSwapBytes(),
                    h.ramBytes(),
                    h.reservedBytes(),
                    h.cmaReservedBytes(),
                    h.highmemBytes(),
                    h.hwpoisonedBytes(),
                    h.unreclaimableSlab(),
                    h.source(),
                    h.counterLines(),
                    h.pageLines(),
                    h.freeSwapSource(),
                    h.totalSwapSource(),
                    freeAreas));
    long first = lines.isEmpty() ? 1 : lines.getFirst().line();
    long last = lines.isEmpty() ? 1 : lines.getLast().line();
    return new OomReport(
        new SourceRange(file, first, last),
        host,
        time,
        Optional.empty(),
        true,
        trigger,
        constraint,
        scope,
        Optional.empty(),
        Optional.empty(),
        oomMemcg,
        taskMemcg,
        memcg,
        hostMemory,
        tasks,
        victim,
        groupKill,
        Optional.empty(),
        panic,
        false,
        Optional.empty(),
        workload,
        lines,
        nodemask,
        Optional.empty(),
        new FactLines(
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            summaryLine,
            memcg.isPresent() ? summaryLine : Optional.empty(),
            memcg.isPresent() ? summaryLine : Optional.empty(),
            Optional.empty(),
            panicLine,
            Optional.empty(),
            Optional.empty()),
        PAGE);
  }
}
