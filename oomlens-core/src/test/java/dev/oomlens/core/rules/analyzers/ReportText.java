package dev.oomlens.core.rules.analyzers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Test helper: writes a memory-cgroup OOM report in the shape a 5.15 kernel prints it under dmesg
 * (cgroup v2 stat keys in bytes, 4.19+ task table, summary and kill lines), with the numbers a test
 * needs. Used for the near misses and series that no saved report shows; the shape is that of
 * corpus report 015 (AKS, 5.15).
 */
final class ReportText {
  private double seconds = 36370.036951;
  private String cgroup =
      "/kubepods.slice/kubepods-burstable.slice/"
          + "kubepods-burstable-pod479f327f_a27b_4eda_8523_90bdabcf0a27.slice/"
          + "cri-containerd-679f9845995b4ae4812789eb3c3d1df88040a1bc3f0c046a05c9aa9b5b5f93be.scope";
  private long usageKb;
  private long limitKb;
  private final Map<String, Long> stat = new LinkedHashMap<>();
  private final List<String> rows = new ArrayList<>();
  private String victimComm = "app";
  private long victimPid = 4242;
  private long anonKb;
  private long fileKb;
  private long shmemKb;
  private long pgtablesKb = 1024;
  private int adj = 968;

  static ReportText memcg(long usageKb, long limitKb) {
    ReportText t = new ReportText();
    t.usageKb = usageKb;
    t.limitKb = limitKb;
    return t;
  }

  ReportText at(double secondsSinceBoot) {
    this.seconds = secondsSinceBoot;
    return this;
  }

  ReportText cgroup(String path) {
    this.cgroup = path;
    return this;
  }

  ReportText stat(String key, long bytes) {
    stat.put(key, bytes);
    return this;
  }

  /** A task row: pages, as the kernel prints them. */
  ReportText task(long pid, long tgid, long rssPages, int oomScoreAdj, String comm) {
    rows.add(
        String.format(
            Locale.ROOT,
            "[%7d] %5d %5d %8d %8d %8d %8d         %5d %s",
            pid,
            0,
            tgid,
            rssPages * 2,
            rssPages,
            139264,
            0,
            oomScoreAdj,
            comm));
    return this;
  }

  ReportText victim(long pid, String comm, long anonRssKb, long fileRssKb, long shmemRssKb) {
    this.victimPid = pid;
    this.victimComm = comm;
    this.anonKb = anonRssKb;
    this.fileKb = fileRssKb;
    this.shmemKb = shmemRssKb;
    return this;
  }

  ReportText victimAdj(int oomScoreAdj) {
    this.adj = oomScoreAdj;
    return this;
  }

  String build() {
    List<String> l = new ArrayList<>();
    l.add(
        victimComm
            + " invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj="
            + adj);
    l.add(
        "CPU: 1 PID: "
            + victimPid
            + " Comm: "
            + victimComm
            + " Not tainted 5.15.0-1051-azure #59-Ubuntu");
    l.add("memory: usage " + usageKb + "kB, limit " + limitKb + "kB, failcnt 37");
    l.add("swap: usage 0kB, limit 9007199254740988kB, failcnt 0");
    l.add("Memory cgroup stats for " + cgroup + ":");
    stat.forEach((k, v) -> l.add(k + " " + v));
    l.add("Tasks state (memory values in pages):");
    l.add("[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name");
    l.addAll(rows);
    l.add(
        "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg="
            + cgroup
            + ",task_memcg="
            + cgroup
            + ",task="
            + victimComm
            + ",pid="
            + victimPid
            + ",uid=0");
    l.add(
        "Memory cgroup out of memory: Killed process "
            + victimPid
            + " ("
            + victimComm
            + ") total-vm:"
            + (anonKb + fileKb + shmemKb) * 2
            + "kB, anon-rss:"
            + anonKb
            + "kB, file-rss:"
            + fileKb
            + "kB, shmem-rss:"
            + shmemKb
            + "kB, UID:0 pgtables:"
            + pgtablesKb
            + "kB oom_score_adj:"
            + adj);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < l.size(); i++) {
      sb.append(String.format(Locale.ROOT, "[%12.6f] ", seconds + i * 0.000001))
          .append(l.get(i))
          .append('\n');
    }
    return sb.toString();
  }
}
